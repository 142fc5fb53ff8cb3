/* Loading a container for inspect and exists (see inspect.h). */
#include "container/inspect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "container/internal.h"
#include "container/logfile.h"
#include "lib/cleanup.h"
#include "lib/quote.h"
#include "lib/xalloc.h"

int ctr_inspect_load(struct state_store *s, const char *ref, struct ctr_inspect *out, struct burrow_err **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) < 0)
		return -1;
	int gone = ctr_load_checked(s, id, &out->cfg, &out->run, err);
	if (gone != 0) {
		ctr_inspect_clear(out);
		if (gone < 0)
			return -1;
		/* removed between the lookup and the load (--rm) */
		return burrow_error_status(err, ENOENT, "no such container '%s'", str_quote(ref));
	}
	const char *drv = out->cfg.log_driver;
	if (!drv || strcmp(drv, "k8s-file") == 0)
		out->log_path = ctr_log_path(s, id);
	return 0;
}

void ctr_inspect_clear(struct ctr_inspect *i)
{
	ctr_config_clear(&i->cfg);
	ctr_run_clear(&i->run);
	free(i->log_path);
	i->log_path = NULL;
}

int ctr_exists(struct state_store *s, const char *ref, struct burrow_err **err)
{
	cleanup_free char *id = NULL;
	if (ctr_lookup(s, ref, &id, err) == 0)
		return 1;
	if ((*err)->status != ENOENT)
		return -1;
	burrow_err_free(*err);
	*err = NULL;
	return 0;
}
