/* IDs, names and lookup of what the user typed. */
#include "state/state.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/quote.h"
#include "lib/xalloc.h"
#include "state/internal.h"

#define STATE_ID_LEN 64
#define STATE_SHORT_ID 12
#define STATE_NAME_MAX 253

static void random_bytes(void *buf, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = TEMP_FAILURE_RETRY(getrandom((char *)buf + done, len - done, 0));
		/* getrandom cannot fail on Linux >= 3.17 once the pool is
		 * ready; without it we cannot make unique IDs at all */
		if (r < 0)
			abort();
		done += (size_t)r;
	}
}

char *state_new_id(void)
{
	static const char hex[] = "0123456789abcdef";
	char *id = xmalloc(STATE_ID_LEN + 1);
	for (;;) {
		unsigned char raw[STATE_ID_LEN / 2];
		random_bytes(raw, sizeof(raw));
		for (size_t i = 0; i < sizeof(raw); i++) {
			id[2 * i] = hex[raw[i] >> 4];
			id[2 * i + 1] = hex[raw[i] & 0xf];
		}
		id[STATE_ID_LEN] = '\0';
		/* A short ID made only of digits reads like a number (and some
		 * tools take it for one): draw again, as docker does. */
		if (strspn(id, "0123456789") < STATE_SHORT_ID)
			return id;
	}
}

bool state_valid_name(const char *name)
{
	if (!name || !*name)
		return false;
	size_t n = strlen(name);
	if (n > STATE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-')))
			return false;
	}
	return true;
}

/* Our two lists: a temperament, and an animal that digs. */
static const char *const adjectives[] = {
    "agile",  "amber",   "bold",   "brave", "brisk",  "busy",   "calm",  "careful", "cheerful", "clever",
    "cosy",   "curious", "dapper", "deep",  "drowsy", "dusty",  "eager", "earthy",  "fuzzy",    "gentle",
    "glad",   "hardy",   "humble", "jolly", "keen",   "lively", "lucky", "mellow",  "merry",    "misty",
    "nimble", "patient", "plucky", "quick", "quiet",  "rustic", "sandy", "shy",     "sleepy",   "snug",
    "spry",   "steady",  "sturdy", "sunny", "swift",  "tidy",   "tiny",  "warm",    "wise",     "witty",
};

static const char *const nouns[] = {
    "aardvark", "armadillo", "badger",   "bandicoot", "beaver",     "beetle", "bilby",      "chinchilla",
    "chipmunk", "cricket",   "degu",     "dormouse",  "echidna",    "ferret", "fox",        "gerbil",
    "gopher",   "groundhog", "hamster",  "hare",      "hedgehog",   "jerboa", "kingfisher", "lemming",
    "marmot",   "meerkat",   "mole",     "mongoose",  "muskrat",    "numbat", "otter",      "pangolin",
    "pika",     "platypus",  "puffin",   "rabbit",    "salamander", "shrew",  "skink",      "squirrel",
    "stoat",    "termite",   "tortoise", "vole",      "weasel",     "wombat", "woodchuck",  "worm",
};

#define N_ADJ (sizeof(adjectives) / sizeof(adjectives[0]))
#define N_NOUN (sizeof(nouns) / sizeof(nouns[0]))

static uint32_t random_below(uint32_t n)
{
	/* rejection sampling: no bias towards the first words */
	uint32_t limit = UINT32_MAX - UINT32_MAX % n, r;
	do
		random_bytes(&r, sizeof(r));
	while (r >= limit);
	return r % n;
}

/* 0: free, 1: taken, -1: error. */
static int name_taken(struct state_store *s, const char *name_prefix, const char *name, struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("%s%s", name_prefix ? name_prefix : "", name);
	char *json = NULL;
	int r = state_get_any(s, key, &json, err);
	free(json);
	if (r < 0)
		return -1;
	return r == 0;
}

char *state_gen_name(struct state_store *s, const char *name_prefix, struct burrow_err **err)
{
	/* 50 x 48 names: a few random draws almost always find a free one;
	 * when many are taken, a number on the end makes room. */
	for (unsigned attempt = 0; attempt < 1000; attempt++) {
		const char *a = adjectives[random_below(N_ADJ)];
		const char *n = nouns[random_below(N_NOUN)];
		char *name = attempt < 16 ? xasprintf("%s_%s", a, n)
		                          : xasprintf("%s_%s%u", a, n, 2 + random_below(attempt < 100 ? 98 : 99998));
		int r = name_taken(s, name_prefix, name, err);
		if (r == 0)
			return name;
		free(name);
		if (r < 0)
			return NULL;
	}
	burrow_error_status(err, EEXIST, "cannot find a free name after 1000 tries");
	burrow_error_hint(err, "give one with --name");
	return NULL;
}

static bool is_hex(const char *s)
{
	return *s && strspn(s, "0123456789abcdef") == strlen(s);
}

/* The ID a name record holds: a JSON string. */
static int id_from_name_record(const char *key, const char *json, char **id, struct burrow_err **err)
{
	cleanup_yajl yajl_val v = yajl_tree_parse(json, NULL, 0);
	if (!v || !YAJL_IS_STRING(v) || !is_hex(YAJL_GET_STRING(v)))
		return burrow_error_status(err, EIO, "record '%s' is damaged: it does not hold an ID", key);
	*id = xstrdup(YAJL_GET_STRING(v));
	return 0;
}

/* The keys under prefix in burrow.tdb and the --rm file, sorted. */
static int keys_any(struct state_store *s, const char *prefix, char ***keys, size_t *n, struct burrow_err **err)
{
	cleanup_strv char **db = NULL, **rm = NULL;
	size_t ndb = 0, nrm = 0;
	if (state_keys(s, STATE_DB, prefix, &db, &ndb, err) < 0 || state_keys(s, STATE_RM, prefix, &rm, &nrm, err) < 0)
		return -1;
	char **v = xcalloc(ndb + nrm + 1, sizeof(char *));
	size_t i = 0, j = 0, k = 0;
	while (i < ndb || j < nrm) {
		char **from = j >= nrm || (i < ndb && strcmp(db[i], rm[j]) < 0) ? &db[i++] : &rm[j++];
		v[k++] = *from;
		*from = NULL;
	}
	*keys = v;
	*n = k;
	return 0;
}

int state_lookup_name(struct state_store *s, const char *name, const char *name_prefix, char **id,
                      struct burrow_err **err)
{
	cleanup_free char *key = xasprintf("%s%s", name_prefix, name);
	cleanup_free char *json = NULL;
	int r = state_valid_name(name) ? state_get_any(s, key, &json, err) : 1;
	if (r < 0)
		return -1;
	if (r > 0)
		return burrow_error_status(err, ENOENT, "no such object '%s'", str_quote(name));
	return id_from_name_record(key, json, id, err);
}

int state_lookup(struct state_store *s, const char *ref, const char *name_prefix, const char *id_prefix, char **id,
                 struct burrow_err **err)
{
	if (!ref || !*ref)
		return burrow_error_status(err, ENOENT, "no such object ''");
	const char *ip = id_prefix ? id_prefix : "";

	/* 1. a full ID */
	if (strlen(ref) == STATE_ID_LEN && is_hex(ref)) {
		cleanup_free char *key = xasprintf("%s%s", ip, ref);
		cleanup_free char *json = NULL;
		int r = state_get_any(s, key, &json, err);
		if (r < 0)
			return -1;
		if (r == 0) {
			*id = xstrdup(ref);
			return 0;
		}
	}

	/* 2. a name */
	if (name_prefix && state_valid_name(ref)) {
		cleanup_free char *key = xasprintf("%s%s", name_prefix, ref);
		cleanup_free char *json = NULL;
		int r = state_get_any(s, key, &json, err);
		if (r < 0)
			return -1;
		if (r == 0)
			return id_from_name_record(key, json, id, err);
	}

	/* 3. a unique prefix of an ID */
	if (is_hex(ref) && strlen(ref) < STATE_ID_LEN) {
		cleanup_free char *prefix = xasprintf("%s%s", ip, ref);
		cleanup_strv char **keys = NULL;
		size_t n = 0;
		if (keys_any(s, prefix, &keys, &n, err) < 0)
			return -1;
		if (n == 1) {
			*id = xstrdup(keys[0] + strlen(ip));
			return 0;
		}
		if (n > 1) {
			size_t cap = 256, len = 0;
			cleanup_free char *list = xmalloc(cap);
			list[0] = '\0';
			size_t shown = n > 8 ? 8 : n;
			for (size_t i = 0; i < shown; i++) {
				char item[STATE_SHORT_ID + 3];
				int k = snprintf(item, sizeof(item), "%s%.12s", i ? ", " : "", keys[i] + strlen(ip));
				if (len + (size_t)k + 1 > cap) {
					cap *= 2;
					list = xrealloc(list, cap);
				}
				memcpy(list + len, item, (size_t)k + 1);
				len += (size_t)k;
			}
			if (n > shown)
				return burrow_error_status(err, EINVAL, "'%s' is ambiguous: it matches %s and %zu more",
				                           str_quote(ref), list, n - shown);
			return burrow_error_status(err, EINVAL, "'%s' is ambiguous: it matches %s", str_quote(ref),
			                           list);
		}
	}
	return burrow_error_status(err, ENOENT, "no such object '%s'", str_quote(ref));
}
