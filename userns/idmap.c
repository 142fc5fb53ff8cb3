/* ID maps for a container's own user namespace, nested in burrow's. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/fileutil.h"
#include "lib/quote.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "userns/userns.h"

#define ID_LIMIT 4294967295UL /* IDs are below (uid_t)-1 */

int userns_ids_parse(const char *map_text, unsigned long *avail, unsigned long *host_id)
{
	struct userns_map_entry e[USERNS_MAP_MAX];
	size_t n = 0;
	cleanup_strv char **lines = strv_split(map_text ? map_text : "", '\n');
	for (size_t i = 0; lines[i] && n < USERNS_MAP_MAX; i++)
		if (sscanf(lines[i], "%lu %lu %lu", &e[n].ctr, &e[n].host, &e[n].size) == 3 && e[n].size > 0)
			n++;
	/* the run from 0: each entry that starts where it ends */
	unsigned long end = 0;
	bool found = false, grew = true;
	while (grew) {
		grew = false;
		for (size_t i = 0; i < n; i++) {
			if (e[i].ctr == end) {
				if (end == 0) {
					*host_id = e[i].host;
					found = true;
				}
				end += e[i].size;
				grew = true;
			}
		}
	}
	if (!found)
		return -1;
	*avail = end;
	return 0;
}

int userns_ids(bool gid, unsigned long *avail, unsigned long *host_id, struct burrow_err **err)
{
	const char *path = gid ? "/proc/self/gid_map" : "/proc/self/uid_map";
	cleanup_free char *text = NULL;
	if (read_file(path, &text, NULL, err) < 0)
		return -1;
	if (userns_ids_parse(text, avail, host_id) < 0)
		return burrow_error(err, 0, "'%s' maps no ID 0", path);
	return 0;
}

static char *append(char *s, unsigned long ctr, unsigned long host, unsigned long size)
{
	char *n = xasprintf("%s%s%lu:%lu:%lu", s, *s ? "," : "", ctr, host, size);
	free(s);
	return n;
}

char *userns_map_keep_id(unsigned long ctr_id, unsigned long avail)
{
	char *s = xstrdup("");
	unsigned long below = ctr_id < avail - 1 ? ctr_id : avail - 1;
	if (below > 0)
		s = append(s, 0, 1, below);
	s = append(s, ctr_id, 0, 1);
	if (avail - 1 > ctr_id && ctr_id < ID_LIMIT - 1)
		s = append(s, ctr_id + 1, ctr_id + 1, avail - 1 - ctr_id);
	return s;
}

/* Parses map into e (at most max entries); -1 with err when malformed. */
static int parse_map(const char *map, const char *what, struct userns_map_entry *e, size_t max, size_t *n,
                     struct burrow_err **err)
{
	cleanup_strv char **parts = strv_split(map, ',');
	*n = 0;
	for (size_t i = 0; parts[i]; i++) {
		if (*n == max)
			return burrow_error(err, 0, "%s: more than %zu mappings", what, max);
		long long v[3];
		cleanup_strv char **f = strv_split(parts[i], ':');
		if (strv_len(f) != 3 || str_to_ll(f[0], 0, (long long)ID_LIMIT - 1, &v[0]) < 0 ||
		    str_to_ll(f[1], 0, (long long)ID_LIMIT - 1, &v[1]) < 0 ||
		    str_to_ll(f[2], 1, (long long)ID_LIMIT, &v[2]) < 0)
			return burrow_error(err, 0, "invalid %s '%s': use CONTAINER_ID:HOST_ID:SIZE (e.g. 0:1:1000)",
			                    what, str_quote(parts[i]));
		e[*n] = (struct userns_map_entry){(unsigned long)v[0], (unsigned long)v[1], (unsigned long)v[2]};
		(*n)++;
	}
	if (*n == 0)
		return burrow_error(err, 0, "invalid %s '%s': use CONTAINER_ID:HOST_ID:SIZE", what, str_quote(map));
	return 0;
}

int userns_map_check(const char *map, unsigned long avail, const char *what, struct burrow_err **err)
{
	struct userns_map_entry e[USERNS_MAP_MAX];
	size_t n;
	if (parse_map(map, what, e, USERNS_MAP_MAX, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (e[i].ctr + e[i].size > ID_LIMIT)
			return burrow_error(err, 0, "%s '%lu:%lu:%lu': the container IDs go past %lu", what, e[i].ctr,
			                    e[i].host, e[i].size, ID_LIMIT - 1);
		if (e[i].host + e[i].size > avail) {
			burrow_error(err, 0, "%s '%lu:%lu:%lu': burrow's user namespace has IDs 0 to %lu only", what,
			             e[i].ctr, e[i].host, e[i].size, avail - 1);
			if (avail <= 1)
				return burrow_error_hint(err,
				                         "without a range in /etc/subuid and /etc/subgid only ID 0 "
				                         "(you) can be mapped; see burrow(1), USER NAMESPACE");
			return burrow_error_hint(err,
			                         "HOST_ID counts in burrow's namespace: 0 is you, 1 to %lu your "
			                         "subordinate IDs",
			                         avail - 1);
		}
		for (size_t k = 0; k < i; k++) {
			bool ctr = e[i].ctr < e[k].ctr + e[k].size && e[k].ctr < e[i].ctr + e[i].size;
			bool host = e[i].host < e[k].host + e[k].size && e[k].host < e[i].host + e[i].size;
			if (ctr || host)
				return burrow_error(err, 0, "%s: mappings %zu and %zu overlap in the %s IDs", what,
				                    k + 1, i + 1, ctr ? "container" : "host");
		}
	}
	return 0;
}

void userns_map_each(const char *map, void (*f)(unsigned long ctr, unsigned long host, unsigned long size, void *data),
                     void *data)
{
	struct userns_map_entry e[USERNS_MAP_MAX];
	size_t n;
	struct burrow_err *ignored = NULL;
	if (parse_map(map, "map", e, USERNS_MAP_MAX, &n, &ignored) < 0) {
		burrow_err_free(ignored);
		return;
	}
	for (size_t i = 0; i < n; i++)
		f(e[i].ctr, e[i].host, e[i].size, data);
}

void userns_map_parse(const char *map, struct userns_map *m)
{
	struct burrow_err *ignored = NULL;
	m->identity = !map;
	m->n = 0;
	if (map && parse_map(map, "map", m->e, USERNS_MAP_MAX, &m->n, &ignored) < 0) {
		burrow_err_free(ignored);
		m->n = 0;
	}
}

int userns_map_lookup(const struct userns_map *m, unsigned long ctr_id, unsigned long *host)
{
	if (m->identity) {
		*host = ctr_id;
		return 0;
	}
	for (size_t i = 0; i < m->n; i++) {
		if (ctr_id >= m->e[i].ctr && ctr_id - m->e[i].ctr < m->e[i].size) {
			*host = m->e[i].host + (ctr_id - m->e[i].ctr);
			return 0;
		}
	}
	return -1;
}

int userns_map_to_host(const char *map, unsigned long ctr_id, unsigned long *host)
{
	struct userns_map m;
	userns_map_parse(map, &m);
	return userns_map_lookup(&m, ctr_id, host);
}
