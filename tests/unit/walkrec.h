/* A walk_fn that records what a walk (lib/walk.h, overlay/merge.h) hands
 * over, for the tests of walks: it checks that a directory's fd is that
 * directory and that an entry is where the walk says, counts the steps
 * and the deepest depth, and keeps a log of "STEP PATH TYPE" lines when
 * log is set. Include after cmocka.h. */
#ifndef BURROW_TESTS_UNIT_WALKREC_H
#define BURROW_TESTS_UNIT_WALKREC_H

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/cleanup.h"
#include "lib/walk.h"
#include "lib/xalloc.h"

struct walk_rec {
	char *log; /* NULL: not kept */
	size_t len;
	int enters, leaves, files;
	size_t maxdepth;
};

static inline void walk_rec_add(struct walk_rec *r, const char *line)
{
	size_t n = strlen(line);
	r->log = xrealloc(r->log, r->len + n + 1);
	memcpy(r->log + r->len, line, n + 1);
	r->len += n;
}

static inline int walk_record(const struct walk_at *at, enum walk_step step, void *data, struct burrow_err **err)
{
	struct walk_rec *r = data;
	(void)err;
	if (at->depth > r->maxdepth)
		r->maxdepth = at->depth;
	/* what the walk hands over is what is there */
	struct stat st;
	if (step != WALK_FILE) {
		assert_int_equal(fstat(at->fd, &st), 0);
		assert_true(S_ISDIR(st.st_mode));
		assert_int_equal(st.st_ino, at->st.st_ino);
	} else {
		assert_int_equal(fstatat(at->dirfd, at->name, &st, AT_SYMLINK_NOFOLLOW), 0);
		assert_int_equal(IFTODT(st.st_mode), at->type);
	}
	step == WALK_ENTER ? r->enters++ : step == WALK_LEAVE ? r->leaves++ : r->files++;
	if (r->log) {
		cleanup_free char *line = xasprintf("%c %s %d\n", "FEL"[step], at -> path, at -> type);
		walk_rec_add(r, line);
	}
	return 0;
}

#endif
