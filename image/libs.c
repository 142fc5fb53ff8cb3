#define IMG_LIBS_NO_MACROS
#include "image/libs.h"

#include <stdbool.h>

#include "lib/dl.h"

struct img_libs img_libs;

int img_libs_load(struct burrow_err **err)
{
	static bool archive_loaded, crypto_loaded, zlib_loaded;
#define IMG_LIB_SYM(name) {#name, (void **)&img_libs.name},
	static const struct dl_sym archive_syms[] = {IMG_LIB_FUNCS(IMG_LIB_SYM)};
	static const struct dl_sym crypto_syms[] = {IMG_CRYPTO_FUNCS(IMG_LIB_SYM)};
	static const struct dl_sym zlib_syms[] = {IMG_ZLIB_FUNCS(IMG_LIB_SYM)};
#undef IMG_LIB_SYM
	if (dl_load("libarchive.so.13", "libarchive13", archive_syms, sizeof(archive_syms) / sizeof(archive_syms[0]),
	            &archive_loaded, err) < 0)
		return -1;
	if (dl_load("libcrypto.so.3", "libssl3", crypto_syms, sizeof(crypto_syms) / sizeof(crypto_syms[0]),
	            &crypto_loaded, err) < 0)
		return -1;
	return dl_load("libz.so.1", "zlib1g", zlib_syms, sizeof(zlib_syms) / sizeof(zlib_syms[0]), &zlib_loaded, err);
}

int img_curl_load(struct burrow_err **err)
{
	static bool loaded, initialised;
#define IMG_LIB_SYM(name) {#name, (void **)&img_libs.name},
	static const struct dl_sym syms[] = {IMG_CURL_FUNCS(IMG_LIB_SYM)};
#undef IMG_LIB_SYM
	if (img_libs_load(err) < 0 ||
	    dl_load("libcurl.so.4", "libcurl4", syms, sizeof(syms) / sizeof(syms[0]), &loaded, err) < 0)
		return -1;
	if (!initialised) {
		CURLcode rc = img_libs.curl_global_init(CURL_GLOBAL_DEFAULT);
		if (rc != CURLE_OK)
			return burrow_error(err, 0, "cannot initialise libcurl (error %d)", (int)rc);
		initialised = true;
	}
	return 0;
}
