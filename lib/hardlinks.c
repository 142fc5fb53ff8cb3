/* The hard-link table of lib/hardlinks.h: open addressing, linear probing. */
#include "lib/hardlinks.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/xalloc.h"

struct hardlink_slot {
	dev_t dev;
	ino_t ino;
	char *path; /* NULL: a free slot */
};

static char unnamed[] = ""; /* the path of one recorded without a path */

static size_t slot_of(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static void grow(struct hardlinks *t)
{
	size_t cap = t->cap ? t->cap * 2 : 64;
	struct hardlink_slot *slots = xcalloc(cap, sizeof(*slots));
	for (size_t i = 0; i < t->cap; i++) {
		if (!t->slots[i].path)
			continue;
		size_t j = slot_of(t->slots[i].dev, t->slots[i].ino, cap);
		while (slots[j].path)
			j = (j + 1) & (cap - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->cap = cap;
}

const char *hardlinks_seen(struct hardlinks *t, dev_t dev, ino_t ino, const char *path)
{
	if (t->n * 2 >= t->cap)
		grow(t);
	size_t j = slot_of(dev, ino, t->cap);
	for (; t->slots[j].path; j = (j + 1) & (t->cap - 1))
		if (t->slots[j].dev == dev && t->slots[j].ino == ino)
			return t->slots[j].path;
	t->slots[j] = (struct hardlink_slot){.dev = dev, .ino = ino, .path = path ? xstrdup(path) : unnamed};
	t->n++;
	return NULL;
}

void hardlinks_clear(struct hardlinks *t)
{
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].path != unnamed)
			free(t->slots[i].path);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}
