/* Test helper: reads or replaces one record of burrow's TDB files through
 * state/ (its locks and its format), so that a suite can store a record
 * that an older or newer burrow, a bug or a torn write might have left:
 * a truncated JSON document, a field of another type, a missing field.
 * The file itself stays sound.
 *
 *   store-record ROOT RUNROOT db|run|rm get KEY         prints the record
 *   store-record ROOT RUNROOT db|run|rm put KEY VALUE   stores VALUE
 *
 * db is burrow.tdb, run state.tdb, rm this boot's --rm file. ROOT and
 * RUNROOT are burrow's storage root and runtime dir. Exit 0 on success;
 * 1 with the error on stderr (a missing record: "not found"). */
#include <stdio.h>
#include <string.h>

#include "lib/cleanup.h"
#include "state/state.h"

static int fail(struct burrow_err *err, const char *what)
{
	fprintf(stderr, "store-record: %s\n", err ? err->msg : what);
	burrow_err_free(err);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 6) {
		fprintf(stderr, "usage: store-record ROOT RUNROOT db|run|rm get|put KEY [VALUE]\n");
		return 2;
	}
	enum state_db db;
	if (strcmp(argv[3], "db") == 0)
		db = STATE_DB;
	else if (strcmp(argv[3], "run") == 0)
		db = STATE_RUN;
	else if (strcmp(argv[3], "rm") == 0)
		db = STATE_RM;
	else
		return fail(NULL, "the file is db, run or rm");
	struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (state_open(argv[1], argv[2], &s, &err) < 0)
		return fail(err, "");
	int rc = 0;
	if (strcmp(argv[4], "get") == 0 && argc == 6) {
		cleanup_free char *json = NULL;
		int r = state_get(s, db, argv[5], &json, &err);
		if (r < 0)
			rc = fail(err, "");
		else if (r == 1)
			rc = fail(NULL, "not found");
		else
			printf("%s\n", json);
	} else if (strcmp(argv[4], "put") == 0 && argc == 7) {
		if (state_put(s, db, argv[5], argv[6], &err) < 0)
			rc = fail(err, "");
	} else {
		rc = fail(NULL, "bad arguments");
	}
	state_close(s);
	return rc;
}
