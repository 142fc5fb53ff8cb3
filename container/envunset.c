/* --unsetenv, --unsetenv-all (container/envunset.h). */
#include "container/envunset.h"

#include <stdlib.h>
#include <string.h>

static bool named(const char *kv, char *const *names)
{
	size_t len = strcspn(kv, "=");
	for (size_t i = 0; names && names[i]; i++)
		if (strlen(names[i]) == len && strncmp(kv, names[i], len) == 0)
			return true;
	return false;
}

void ctr_env_unset(struct strv_builder *env, char *const *names, bool all)
{
	size_t k = 0;
	for (size_t i = 0; i < env->n; i++) {
		if (all || named(env->v[i], names))
			free(env->v[i]);
		else
			env->v[k++] = env->v[i];
	}
	env->n = k;
	if (env->v)
		env->v[k] = NULL;
}
