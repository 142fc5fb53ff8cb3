#include "lib/dl.h"

#include <dlfcn.h>

int dl_load(const char *soname, const char *debian_pkg, const struct dl_sym *syms, size_t n, bool *loaded,
            struct burrow_err **err)
{
	if (*loaded)
		return 0;
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		burrow_error(err, 0, "cannot load %s: %s", soname, dlerror());
		return burrow_error_hint(err, "install the Debian package %s", debian_pkg);
	}
	for (size_t i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			burrow_error(err, 0, "%s has no symbol '%s'", soname, syms[i].name);
			burrow_error_hint(err, "install a newer %s", debian_pkg);
			dlclose(h);
			return -1;
		}
	}
	/* never closed: the process uses it until it exits */
	*loaded = true;
	return 0;
}
