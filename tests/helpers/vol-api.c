/* Test helper: the volume API that no verb reaches yet (containers mount
 * volumes in a later task), for the bats suites.
 *
 *   vol-api ROOT RUNROOT use VOLUME CTR_ID     container CTR_ID uses VOLUME
 *   vol-api ROOT RUNROOT unuse VOLUME CTR_ID   no longer
 *   vol-api ROOT RUNROOT anon [CTR_ID]         makes an anonymous volume
 *                                              (owned by CTR_ID); prints its name
 *   vol-api ROOT RUNROOT empty VOLUME          prints "empty" or "not empty"
 *   vol-api ROOT RUNROOT path VOLUME           prints its mount point
 *
 * ROOT and RUNROOT are burrow's storage root and runtime dir. Exit 0 on
 * success; 1 with the error on stderr. */
#include <stdio.h>
#include <string.h>

#include "container/volume.h"
#include "lib/cleanup.h"
#include "state/state.h"

static int fail(struct burrow_err *err)
{
	fprintf(stderr, "vol-api: %s\n", err ? err->msg : "failed");
	burrow_err_free(err);
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: vol-api ROOT RUNROOT use|unuse|anon|empty|path ARGS...\n");
		return 2;
	}
	struct burrow_err *err = NULL;
	struct state_store *s = NULL;
	if (state_open(argv[1], argv[2], &s, &err) < 0)
		return fail(err);
	const char *op = argv[3];
	int rc = 0;
	if ((strcmp(op, "use") == 0 || strcmp(op, "unuse") == 0) && argc == 6) {
		int r = op[0] == 'u' && op[1] == 's' ? ctr_vol_use(s, argv[4], argv[5], &err)
		                                     : ctr_vol_unuse(s, argv[4], argv[5], &err);
		rc = r < 0 ? fail(err) : 0;
	} else if (strcmp(op, "anon") == 0 && argc <= 5) {
		struct ctr_vol_create_opts o = {
		    .anonymous = true, .user = argc == 5 ? argv[4] : NULL, .uid = -1, .gid = -1};
		struct ctr_vol v;
		if (ctr_vol_create(s, &o, &v, NULL, &err) < 0) {
			rc = fail(err);
		} else {
			printf("%s\n", v.name);
			ctr_vol_clear(&v);
		}
	} else if ((strcmp(op, "empty") == 0 || strcmp(op, "path") == 0) && argc == 5) {
		struct ctr_vol v;
		bool empty = false;
		if (ctr_vol_load(s, argv[4], &v, &err) < 0 ||
		    (op[0] == 'e' && ctr_vol_is_empty(s, &v, &empty, &err) < 0)) {
			rc = fail(err);
		} else if (op[0] == 'e') {
			printf("%s\n", empty ? "empty" : "not empty");
		} else {
			cleanup_free char *p = ctr_vol_data_path(s, v.name);
			printf("%s\n", p);
		}
		if (rc == 0)
			ctr_vol_clear(&v);
	} else {
		fprintf(stderr, "vol-api: bad arguments for '%s'\n", op);
		rc = 2;
	}
	state_close(s);
	return rc;
}
