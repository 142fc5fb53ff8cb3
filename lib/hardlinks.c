/* The hard-link table of lib/hardlinks.h: open addressing, linear probing,
 * over an array of entries and an arena of paths. */
#include "lib/hardlinks.h"

#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

#define NO_NAME SIZE_MAX /* an entry recorded without a path */

struct hardlink_entry {
	dev_t dev;
	ino_t ino;
	/* the rest of what the file is: times in nanoseconds, wrapping (a
	 * ctime is the kernel's clock, so two differ in this sum as they
	 * differ in the timespec until 2554) */
	uint64_t size, mtime, ctime;
	size_t dir, name; /* offsets in the arena */
};

static size_t slot_of(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static uint64_t nsec(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static void grow(struct hardlinks *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	uint32_t *slots = xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < t->n; i++) {
		size_t j = slot_of(t->entries[i].dev, t->entries[i].ino, cap);
		while (slots[j])
			j = (j + 1) & (cap - 1);
		slots[j] = (uint32_t)(i + 1);
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

/* Appends len bytes of s and a NUL to the arena: their offset. */
static size_t arena_add(struct hardlinks *t, const char *s, size_t len)
{
	if (t->alen + len + 1 > t->acap) {
		t->acap = (t->alen + len + 1) * 2;
		if (t->acap < 4096)
			t->acap = 4096;
		t->arena = xrealloc(t->arena, t->acap);
	}
	size_t at = t->alen;
	memcpy(t->arena + at, s, len);
	t->arena[at + len] = '\0';
	t->alen += len + 1;
	return at;
}

/* path stored in e: its directory part (up to the last '/') shared with
 * the entry stored before when it is the same */
static void set_path(struct hardlinks *t, struct hardlink_entry *e, const char *path)
{
	if (!path) {
		e->dir = e->name = NO_NAME;
		return;
	}
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	if (!t->arena || dlen != t->lastdirlen || memcmp(t->arena + t->lastdir, path, dlen) != 0) {
		t->lastdir = arena_add(t, path, dlen);
		t->lastdirlen = dlen;
	}
	e->dir = t->lastdir;
	e->name = arena_add(t, path + dlen, strlen(path + dlen));
}

static const char *path_of(struct hardlinks *t, const struct hardlink_entry *e)
{
	if (e->name == NO_NAME)
		return "";
	size_t dlen = strlen(t->arena + e->dir), nlen = strlen(t->arena + e->name);
	if (dlen + nlen + 1 > t->anscap) {
		t->anscap = (dlen + nlen + 1) * 2;
		t->answer = xrealloc(t->answer, t->anscap);
	}
	memcpy(t->answer, t->arena + e->dir, dlen);
	memcpy(t->answer + dlen, t->arena + e->name, nlen + 1);
	return t->answer;
}

const char *hardlinks_seen(struct hardlinks *t, const struct stat *st, const char *path)
{
	if (t->n * 2 >= t->cap)
		grow(t);
	struct hardlink_entry id = {.dev = st->st_dev,
	                            .ino = st->st_ino,
	                            .size = (uint64_t)st->st_size,
	                            .mtime = nsec(&st->st_mtim),
	                            .ctime = nsec(&st->st_ctim)};
	size_t j = slot_of(id.dev, id.ino, t->cap);
	for (; t->slots[j]; j = (j + 1) & (t->cap - 1)) {
		struct hardlink_entry *e = &t->entries[t->slots[j] - 1];
		if (e->dev != id.dev || e->ino != id.ino)
			continue;
		if (e->size == id.size && e->mtime == id.mtime && e->ctime == id.ctime)
			return path_of(t, e);
		/* the inode is another file's now */
		set_path(t, &id, path);
		*e = id;
		return NULL;
	}
	if (t->n == t->ecap) {
		t->ecap = t->ecap ? t->ecap * 2 : 64;
		t->entries = xrealloc(t->entries, t->ecap * sizeof(*t->entries));
	}
	set_path(t, &id, path);
	t->entries[t->n] = id;
	t->slots[j] = (uint32_t)++t->n;
	return NULL;
}

void hardlinks_clear(struct hardlinks *t)
{
	free(t->slots);
	free(t->entries);
	free(t->arena);
	free(t->answer);
	memset(t, 0, sizeof(*t));
}
