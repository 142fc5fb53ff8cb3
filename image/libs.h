/* libarchive, libcrypto, zlib and libcurl are opened on first use, not
 * linked (see lib/dl.h): only import and pull need them, and loading them
 * costs every other command milliseconds (libcurl alone pulls in ~40
 * libraries). Include this after <archive.h>, <archive_entry.h>,
 * <openssl/evp.h> and <zlib.h>: the calls below then go through the
 * pointers that img_libs_load and img_curl_load fill. */
#ifndef BURROW_IMAGE_LIBS_H
#define BURROW_IMAGE_LIBS_H

#include <archive.h>
#include <archive_entry.h>
/* curl_easy_setopt and curl_easy_getinfo are called through pointers
 * here, not through curl's argument-checking macros */
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#undef curl_easy_setopt
#undef curl_easy_getinfo
#include <openssl/evp.h>
#include <zlib.h>

#include "lib/err.h"

#define IMG_LIB_FUNCS(X)                         \
	X(archive_entry_atime)                   \
	X(archive_entry_atime_is_set)            \
	X(archive_entry_atime_nsec)              \
	X(archive_entry_filetype)                \
	X(archive_entry_gid)                     \
	X(archive_entry_hardlink)                \
	X(archive_entry_hardlink_utf8)           \
	X(archive_entry_mtime)                   \
	X(archive_entry_mtime_nsec)              \
	X(archive_entry_pathname)                \
	X(archive_entry_pathname_utf8)           \
	X(archive_entry_perm)                    \
	X(archive_entry_size)                    \
	X(archive_entry_size_is_set)             \
	X(archive_entry_sparse_count)            \
	X(archive_entry_symlink)                 \
	X(archive_entry_symlink_utf8)            \
	X(archive_entry_uid)                     \
	X(archive_entry_xattr_next)              \
	X(archive_entry_xattr_reset)             \
	X(archive_errno)                         \
	X(archive_error_string)                  \
	X(archive_filter_bytes)                  \
	X(archive_filter_code)                   \
	X(archive_read_data)                     \
	X(archive_read_data_block)               \
	X(archive_read_free)                     \
	X(archive_read_new)                      \
	X(archive_read_next_header)              \
	X(archive_read_open)                     \
	X(archive_read_open_fd)                  \
	X(archive_read_support_filter_bzip2)     \
	X(archive_read_support_filter_xz)        \
	X(archive_read_support_filter_zstd)      \
	X(archive_read_support_format_raw)       \
	X(archive_read_support_format_tar)       \
	X(archive_set_error)                     \
	X(archive_entry_free)                    \
	X(archive_entry_new)                     \
	X(archive_entry_set_filetype)            \
	X(archive_entry_set_gid)                 \
	X(archive_entry_set_hardlink)            \
	X(archive_entry_set_mtime)               \
	X(archive_entry_set_pathname)            \
	X(archive_entry_set_perm)                \
	X(archive_entry_set_size)                \
	X(archive_entry_set_symlink)             \
	X(archive_entry_set_uid)                 \
	X(archive_entry_xattr_add_entry)         \
	X(archive_write_close)                   \
	X(archive_write_data)                    \
	X(archive_write_free)                    \
	X(archive_write_header)                  \
	X(archive_write_new)                     \
	X(archive_write_open)                    \
	X(archive_write_set_bytes_in_last_block) \
	X(archive_write_set_format_pax_restricted)

#define IMG_CRYPTO_FUNCS(X)   \
	X(EVP_Digest)         \
	X(EVP_DigestFinal_ex) \
	X(EVP_DigestInit_ex)  \
	X(EVP_DigestUpdate)   \
	X(EVP_MD_CTX_free)    \
	X(EVP_MD_CTX_new)     \
	X(EVP_sha256)

/* gzip is inflated here, not by libarchive, which never checks the CRC-32
 * and length in a gzip member's trailer (see decompress.c) */
#define IMG_ZLIB_FUNCS(X) \
	X(deflate)        \
	X(deflateEnd)     \
	X(deflateInit2_)  \
	X(inflate)        \
	X(inflateEnd)     \
	X(inflateInit2_)  \
	X(inflateReset)

#define IMG_CURL_FUNCS(X)           \
	X(curl_easy_cleanup)        \
	X(curl_easy_escape)         \
	X(curl_easy_getinfo)        \
	X(curl_easy_init)           \
	X(curl_easy_pause)          \
	X(curl_easy_perform)        \
	X(curl_easy_setopt)         \
	X(curl_easy_strerror)       \
	X(curl_free)                \
	X(curl_global_init)         \
	X(curl_multi_add_handle)    \
	X(curl_multi_cleanup)       \
	X(curl_multi_info_read)     \
	X(curl_multi_init)          \
	X(curl_multi_perform)       \
	X(curl_multi_poll)          \
	X(curl_multi_remove_handle) \
	X(curl_slist_append)        \
	X(curl_slist_free_all)      \
	X(curl_version_info)

#define IMG_LIB_FIELD(name) __typeof__(name) *name;
struct img_libs {
	IMG_LIB_FUNCS(IMG_LIB_FIELD)
	IMG_CRYPTO_FUNCS(IMG_LIB_FIELD)
	IMG_ZLIB_FUNCS(IMG_LIB_FIELD)
	IMG_CURL_FUNCS(IMG_LIB_FIELD)
};
extern struct img_libs img_libs;

/* Loads libarchive, libcrypto and zlib (once). */
int img_libs_load(struct burrow_err **err);
/* Loads libcurl (once) and initialises it; call it before starting threads
 * that use it. Needs img_libs_load's libraries too (it loads them). */
int img_curl_load(struct burrow_err **err);

#ifndef IMG_LIBS_NO_MACROS
#define archive_entry_atime (*img_libs.archive_entry_atime)
#define archive_entry_atime_is_set (*img_libs.archive_entry_atime_is_set)
#define archive_entry_atime_nsec (*img_libs.archive_entry_atime_nsec)
#define archive_entry_filetype (*img_libs.archive_entry_filetype)
#define archive_entry_gid (*img_libs.archive_entry_gid)
#define archive_entry_hardlink (*img_libs.archive_entry_hardlink)
#define archive_entry_hardlink_utf8 (*img_libs.archive_entry_hardlink_utf8)
#define archive_entry_mtime (*img_libs.archive_entry_mtime)
#define archive_entry_mtime_nsec (*img_libs.archive_entry_mtime_nsec)
#define archive_entry_pathname (*img_libs.archive_entry_pathname)
#define archive_entry_pathname_utf8 (*img_libs.archive_entry_pathname_utf8)
#define archive_entry_perm (*img_libs.archive_entry_perm)
#define archive_entry_free (*img_libs.archive_entry_free)
#define archive_entry_new (*img_libs.archive_entry_new)
#define archive_entry_set_filetype (*img_libs.archive_entry_set_filetype)
#define archive_entry_set_gid (*img_libs.archive_entry_set_gid)
#define archive_entry_set_hardlink (*img_libs.archive_entry_set_hardlink)
#define archive_entry_set_mtime (*img_libs.archive_entry_set_mtime)
#define archive_entry_set_pathname (*img_libs.archive_entry_set_pathname)
#define archive_entry_set_perm (*img_libs.archive_entry_set_perm)
#define archive_entry_set_size (*img_libs.archive_entry_set_size)
#define archive_entry_set_symlink (*img_libs.archive_entry_set_symlink)
#define archive_entry_set_uid (*img_libs.archive_entry_set_uid)
#define archive_entry_xattr_add_entry (*img_libs.archive_entry_xattr_add_entry)
#define archive_write_close (*img_libs.archive_write_close)
#define archive_write_data (*img_libs.archive_write_data)
#define archive_write_free (*img_libs.archive_write_free)
#define archive_write_header (*img_libs.archive_write_header)
#define archive_write_new (*img_libs.archive_write_new)
#define archive_write_open (*img_libs.archive_write_open)
#define archive_write_set_bytes_in_last_block (*img_libs.archive_write_set_bytes_in_last_block)
#define archive_write_set_format_pax_restricted (*img_libs.archive_write_set_format_pax_restricted)
#define archive_entry_size (*img_libs.archive_entry_size)
#define archive_entry_size_is_set (*img_libs.archive_entry_size_is_set)
#define archive_entry_sparse_count (*img_libs.archive_entry_sparse_count)
#define archive_entry_symlink (*img_libs.archive_entry_symlink)
#define archive_entry_symlink_utf8 (*img_libs.archive_entry_symlink_utf8)
#define archive_entry_uid (*img_libs.archive_entry_uid)
#define archive_entry_xattr_next (*img_libs.archive_entry_xattr_next)
#define archive_entry_xattr_reset (*img_libs.archive_entry_xattr_reset)
#define archive_errno (*img_libs.archive_errno)
#define archive_filter_bytes (*img_libs.archive_filter_bytes)
#define archive_filter_code (*img_libs.archive_filter_code)
#define archive_error_string (*img_libs.archive_error_string)
#define archive_read_data (*img_libs.archive_read_data)
#define archive_read_data_block (*img_libs.archive_read_data_block)
#define archive_read_free (*img_libs.archive_read_free)
#define archive_read_new (*img_libs.archive_read_new)
#define archive_read_next_header (*img_libs.archive_read_next_header)
#define archive_read_open (*img_libs.archive_read_open)
#define archive_read_open_fd (*img_libs.archive_read_open_fd)
#define archive_read_support_filter_bzip2 (*img_libs.archive_read_support_filter_bzip2)
#define archive_read_support_filter_xz (*img_libs.archive_read_support_filter_xz)
#define archive_read_support_filter_zstd (*img_libs.archive_read_support_filter_zstd)
#define archive_read_support_format_raw (*img_libs.archive_read_support_format_raw)
#define archive_read_support_format_tar (*img_libs.archive_read_support_format_tar)
#define archive_set_error (*img_libs.archive_set_error)
#define EVP_Digest (*img_libs.EVP_Digest)
#define EVP_DigestFinal_ex (*img_libs.EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (*img_libs.EVP_DigestInit_ex)
#define EVP_DigestUpdate (*img_libs.EVP_DigestUpdate)
#define EVP_MD_CTX_free (*img_libs.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (*img_libs.EVP_MD_CTX_new)
#define EVP_sha256 (*img_libs.EVP_sha256)
#define deflate (*img_libs.deflate)
#define deflateEnd (*img_libs.deflateEnd)
#define deflateInit2_ (*img_libs.deflateInit2_)
#define inflate (*img_libs.inflate)
#define inflateEnd (*img_libs.inflateEnd)
#define inflateInit2_ (*img_libs.inflateInit2_)
#define inflateReset (*img_libs.inflateReset)
#define curl_easy_cleanup (*img_libs.curl_easy_cleanup)
#define curl_easy_escape (*img_libs.curl_easy_escape)
#define curl_easy_getinfo (*img_libs.curl_easy_getinfo)
#define curl_easy_init (*img_libs.curl_easy_init)
#define curl_easy_pause (*img_libs.curl_easy_pause)
#define curl_easy_perform (*img_libs.curl_easy_perform)
#define curl_easy_setopt (*img_libs.curl_easy_setopt)
#define curl_easy_strerror (*img_libs.curl_easy_strerror)
#define curl_free (*img_libs.curl_free)
#define curl_global_init (*img_libs.curl_global_init)
#define curl_multi_add_handle (*img_libs.curl_multi_add_handle)
#define curl_multi_cleanup (*img_libs.curl_multi_cleanup)
#define curl_multi_info_read (*img_libs.curl_multi_info_read)
#define curl_multi_init (*img_libs.curl_multi_init)
#define curl_multi_perform (*img_libs.curl_multi_perform)
#define curl_multi_poll (*img_libs.curl_multi_poll)
#define curl_multi_remove_handle (*img_libs.curl_multi_remove_handle)
#define curl_slist_append (*img_libs.curl_slist_append)
#define curl_slist_free_all (*img_libs.curl_slist_free_all)
#define curl_version_info (*img_libs.curl_version_info)
#endif

#endif
