/* Images: references, the image and layer records in burrow.tdb, importing
 * rootfs tarballs and pulling from registries into the layer store
 * (overlay/'s ROOT/layers/<chain id>/diff).
 *
 * Records (burrow.tdb, through state/):
 *   img/<id>    {"id","names":[tag...],"digests":[REPO@sha256:...],
 *                "digest":"sha256:..." (the manifest it was pulled by),
 *                "manifest_type","architecture","os","variant",
 *                "created":unix seconds,"size":bytes,
 *                "layers":[chain id, lowest first],
 *                "config":{"Env","Cmd","Entrypoint","WorkingDir","User"}}
 *   img-config/<id>    the OCI image configuration, byte for byte (its
 *                      sha256 is the image ID; history, labels... are there)
 *   img-manifest/<id>  the image manifest it was pulled with, byte for byte
 *   tag/<ref>   "<image id>" (a JSON string; ref is normalised, e.g.
 *                localhost/busybox:latest)
 *   layer/<chain id>  {"id","parent":chain id below (none at the bottom),
 *                "diff_id":"sha256:..." (of the uncompressed tar),
 *                "compressed_digest","media_type","compressed_size" (the
 *                blob it came from, when pulled), "size":bytes,
 *                "squashed":N (entries unpacked as root because the user
 *                namespace did not map their owner), "created"}
 * Beside each layer's diff/ lies layers/<chain id>/tar-split (written by
 * the unpacking in store.c, read by tarsplit.c): the tar the layer came
 * from, less its file data, so that save and push write the same tar
 * (whose sha256 is the diff ID) again. A layer without it (stored by an
 * older burrow) runs as before but cannot be saved or pushed.
 * A layer is keyed by its chain ID, so one stack of layers is stored once
 * whatever images share it; an image's ID is the sha256 of its OCI image
 * configuration. A layer directory appears (by rename) only once all of it
 * is verified; its record is written with the image that names it, in one
 * transaction: a crash leaves at worst a complete layer no record names
 * (the next pull of it uses it; prune may remove it), never an image
 * without its layers nor a half layer that counts.
 *
 * Layer locks (layers/.locks/<chain id>.lock, open file description locks on two
 * bytes): byte 0 is held exclusively by whoever fetches, places or removes
 * the layer; byte 1 is held shared by every pull or import that will name
 * the layer in its image, from the moment it sees the layer in place
 * (holding byte 0) until that image is stored. Whoever removes a layer (a
 * failed pull, rmi, prune) takes byte 0, then byte 1 exclusively without
 * waiting, and removes it only when it got both. */
#ifndef BURROW_IMAGE_H
#define BURROW_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_gen.h>

#include "lib/err.h"

struct state_store;

/* What the image says to run. Every field may be NULL (not set). */
struct img_config {
	char **env; /* "KEY=value" */
	char **cmd;
	char **entrypoint;
	char *workdir;
	char *user;
	char *stop_signal;    /* StopSignal, as the image wrote it */
	char **volumes;       /* the keys of Volumes: mount points of anonymous volumes */
	char **exposed_ports; /* ExposedPorts' keys ("80/tcp"), NULL when none */
	char **labels;        /* Labels as "KEY=VALUE", NULL when none */
	/* Healthcheck: Test (NULL: none), durations in ns (0: not set) */
	char **hc_test;
	long long hc_interval, hc_timeout, hc_start_period;
	int hc_retries;
};

struct img_info {
	char *id;
	char **names;              /* normalised references; empty (not NULL) when untagged */
	char **digests;            /* repo digests REPO@sha256:...; empty (not NULL) when none */
	char *digest;              /* the manifest digest it was pulled by; NULL when imported */
	char **layers;             /* layer directories ROOT/layers/<id>/diff, lowest first */
	char **layer_ids;          /* their chain IDs (hex), lowest first */
	char **names_history;      /* every name it had, the latest first (never NULL) */
	char *manifest_type;       /* media type of its manifest; NULL when imported */
	char *arch, *os, *variant; /* its platform (NULL: not known) */
	struct img_config config;
	long long created; /* unix seconds */
	long long size;    /* bytes of the unpacked layers */
};

/* --- references ------------------------------------------------------ */

/* A reference as docker/podman parse it: [DOMAIN/]PATH[:TAG][@DIGEST].
 * DOMAIN is the first component when it has a '.' or ':', is "localhost"
 * or has an uppercase letter. */
struct img_ref {
	char *domain; /* NULL when the user gave none */
	char *path;   /* "busybox", "library/alpine" */
	char *tag;    /* NULL when the user gave none */
	char *digest; /* "sha256:<hex>", NULL when the user gave none */
};
/* Parses and validates; EINVAL with a message saying what is wrong. */
int img_ref_parse(const char *s, struct img_ref *out, struct burrow_err **err);
void img_ref_clear(struct img_ref *r);
/* The stored form: a missing domain becomes "localhost" (as podman does
 * for local images), docker.io/NAME becomes docker.io/library/NAME, a
 * missing tag "latest"; with a digest, REPO@DIGEST (a tag beside a digest
 * is dropped, as docker does). */
char *img_ref_normalize(const struct img_ref *r);
/* The repository alone, normalised the same way: "docker.io/library/x". */
char *img_ref_repo(const struct img_ref *r);
/* Parse + normalise in one go (NULL and *err on a bad reference). */
char *img_ref_normalize_str(const char *s, struct burrow_err **err);

/* --- configuration (--change) ---------------------------------------- */

/* Applies one Dockerfile-style instruction as `podman import --change`:
 * CMD, ENTRYPOINT (JSON array or shell form), ENV k=v (or "ENV k v"),
 * WORKDIR, USER. The keyword may be followed by a space or '='. EINVAL
 * with a message naming the instruction when it is bad. */
int img_config_apply_change(struct img_config *c, const char *change, struct burrow_err **err);
void img_config_clear(struct img_config *c);
/* Emits c as a JSON object in docker's names (Env, Cmd, Entrypoint,
 * WorkingDir, User); fields that are not set are left out. */
void img_config_gen(yajl_gen g, const struct img_config *c);

/* --- store ------------------------------------------------------------- */

struct img_import_opts {
	const char *source;              /* tarball path, or "-" for standard input */
	const char *reference;           /* normalised reference to tag, or NULL (untagged) */
	const struct img_config *config; /* NULL: empty */
	const char *message;             /* the history entry's comment (and the image's), or NULL */
	const char *arch, *os, *variant; /* the platform it is for; NULL: this machine's, linux, none */
};

/* Imports a rootfs tarball (plain, gzip, zstd, ... detected from content)
 * as a one-layer image; *id is the new image's full ID. Must run inside
 * burrow's user namespace. A layer already in the store is reused, unless
 * it was unpacked with owners squashed and this namespace maps more of
 * them: then the new unpacking replaces it. A hostile tarball (absolute or ".." names,
 * writes through symlinks, hard links out of the layer) is refused and
 * nothing is left behind. */
int img_import(struct state_store *s, const struct img_import_opts *opts, char **id, struct burrow_err **err);

/* --- pull ------------------------------------------------------------------- */

enum img_layer_state {
	IMG_LAYER_QUEUED,   /* to be fetched */
	IMG_LAYER_WAITING,  /* another burrow is fetching it: waiting for its lock */
	IMG_LAYER_FETCHING, /* downloading and unpacking */
	IMG_LAYER_DONE,     /* fetched and in place */
	IMG_LAYER_EXISTS,   /* was in the store already (not fetched) */
};
struct img_progress_layer {
	const char *digest;    /* sha256:... of the blob */
	long long done, total; /* bytes of the blob */
	enum img_layer_state state;
};
enum img_progress_kind {
	IMG_PROGRESS_NOTE,       /* a line of text: note */
	IMG_PROGRESS_LAYERS,     /* where the layers are (about 10 times a second) */
	IMG_PROGRESS_LAYERS_END, /* the last LAYERS report: all in place */
};
struct img_progress {
	enum img_progress_kind kind;
	const char *note;
	const struct img_progress_layer *layers; /* lowest first */
	size_t nlayers;
};
/* Called in the pulling thread, never from the download threads. */
typedef void (*img_progress_fn)(const struct img_progress *p, void *data);

struct img_pull_opts {
	const char *reference; /* as the user typed it: short names are resolved */
	/* --platform OS/ARCH[/VARIANT], or --os/--arch/--variant (NULL: this machine's) */
	const char *platform, *os, *arch, *variant;
	int tls_verify;           /* -1: as registries.conf and burrow.conf say, 0: off, 1: on */
	const char *user, *pass;  /* --creds, or NULL */
	const char *authfile;     /* --authfile, NULL: the usual files */
	const char *cert_dir;     /* --cert-dir, NULL: certs.d */
	char *const *insecure;    /* HOST[:PORT] burrow.conf calls insecure (may be NULL) */
	long timeout_s;           /* connect and stall timeout; 0: 30 */
	int retries;              /* -1: 3 */
	unsigned retry_delay_ms;  /* 0: 2 s, doubling */
	unsigned parallel;        /* layers fetched at once; 0: 6 */
	img_progress_fn progress; /* NULL: quiet */
	void *progress_data;
};

/* Checks the options (reference, platform) without touching anything. */
int img_pull_check(const struct img_pull_opts *o, struct burrow_err **err);

/* Pulls an image from a registry (OCI distribution / Docker registry v2):
 * resolves a short name (registries.conf aliases, search registries;
 * docker.io when none), honours registries.conf's locations, mirrors,
 * insecure and blocked registries, picks this machine's platform from an
 * index, authenticates (auth.json, --creds; bearer tokens, basic auth),
 * fetches the layers that are not in the store (several at once), verifying
 * each blob's digest and size while it arrives and each layer's diff ID,
 * unpacks them as they arrive, and stores the image (tagged when pulled by
 * tag). *id is the image ID; *name (when name is not NULL) the full name
 * it was pulled as. Must run inside burrow's user namespace.
 * Nothing is stored unless every check passed; an interrupted pull leaves
 * no half layer that a later one would trust. */
int img_pull(struct state_store *s, const struct img_pull_opts *o, char **id, char **name, struct burrow_err **err);
/* pull --all-tags: every tag the registry lists (GET /v2/REPO/tags/list)
 * of o->reference's repository (its tag or digest, if any, left aside, as
 * podman does; a short name: the first candidate registry that lists
 * them), each pulled as img_pull pulls one, in the registry's order; the
 * IDs and names in *ids and *names (set, maybe empty, even on failure:
 * those pulled before). */
int img_pull_all_tags(struct state_store *s, const struct img_pull_opts *o, char ***ids, char ***names,
                      struct burrow_err **err);

/* --- load and save ------------------------------------------------------------ */

struct img_load_opts {
	const char *input; /* a file, a directory, or "-" for standard input */
	/* only the image that this names (a tag, an OCI ref.name annotation as
	 * it is, or "@N", the Nth of a docker-archive, from 0); NULL: all */
	const char *select;
	/* set by a pull without a reference (select NULL), which it names
	 * ("docker-archive:FILE"): an archive of several images is refused,
	 * naming them, rather than loaded whole. An OCI index of several is
	 * refused so anyway, as podman load does. */
	const char *pulled_as;
	img_progress_fn progress; /* NULL: quiet */
	void *progress_data;
};
/* Loads every image of a docker-archive (docker save, podman save), an
 * oci-archive, or an OCI layout or "dir" copy in a directory; archives
 * may be gzip, zstd, xz or bzip2 compressed. Tags come from manifest.json's
 * RepoTags ("busybox:latest" is docker.io/library/busybox:latest) or the
 * index's org.opencontainers.image.ref.name. *loaded: what podman prints
 * after "Loaded image: ", one per tag (sha256:ID when untagged; an OCI
 * layout directory's name, after its path, without its tag); *ids (when
 * ids is not NULL) the image IDs, one per image. Layers
 * are stored as a pull stores them (digests and diff IDs checked); a
 * hostile or broken archive (absolute or ".." member names, a manifest that
 * names a symlink or a missing member, a digest that does not match) is
 * refused and nothing of it is stored. Must run inside burrow's user
 * namespace. */
int img_load(struct state_store *s, const struct img_load_opts *o, char ***loaded, char ***ids,
             struct burrow_err **err);

enum img_save_format {
	IMG_SAVE_DOCKER_ARCHIVE,
	IMG_SAVE_OCI_ARCHIVE,
	IMG_SAVE_OCI_DIR,
	IMG_SAVE_DOCKER_DIR, /* the "dir:" transport's layout */
};
/* The manifest type of a "dir:" layout: save's docker-dir writes Docker
 * v2s2's; push to dir: keeps the image's (as podman 4.3), or --format's. */
enum img_dir_manifest {
	IMG_DIR_MANIFEST_DOCKER,
	IMG_DIR_MANIFEST_OCI,
	IMG_DIR_MANIFEST_IMAGE,
};
struct img_save_opts {
	enum img_save_format format;
	char *const *images; /* names or IDs */
	bool multi;          /* every name an image (docker-archive); else the rest are tags of the first */
	bool compress;       /* gzip the layers (the directory formats) */
	const char *output;  /* the file or directory to create; NULL: fd */
	int fd;              /* a tar stream, when output is NULL (archives only) */
	enum img_dir_manifest dir_manifest; /* IMG_SAVE_DOCKER_DIR's manifest */
};
/* Writes the images in one of the formats img_load reads (and podman load
 * and docker load): each layer the tar it was unpacked from, byte for
 * byte, so image IDs stay; a stored manifest that fits stays too. Nothing
 * is written before every image is found; a file or directory it created
 * is removed again on failure. Layers stored by a burrow without tar
 * records cannot be saved (ENOENT, with a hint). */
int img_save(struct state_store *s, const struct img_save_opts *o, struct burrow_err **err);

/* --- push ------------------------------------------------------------------------- */

struct img_push_opts {
	const char *image;  /* a local name or ID */
	const char *dest;   /* where to (a transport: docker://REF, REF, oci:DIR[:REF], oci-archive:,
	                       docker-archive:, dir:); NULL: the registry the image's name names */
	const char *format; /* manifest: "oci", "v2s2" or "docker" (v2s2); NULL: the image's */
	bool compress;      /* dir:: gzip the layers (as save --compress) */
	/* the registry settings, as for pull */
	int tls_verify;
	const char *user, *pass;
	const char *authfile;
	const char *cert_dir;
	char *const *insecure;
	long timeout_s;
	int retries;
	unsigned retry_delay_ms;
	img_progress_fn progress; /* notes only; NULL: quiet */
	void *progress_data;
};
/* Pushes an image: to a registry, its layers as the tars they were
 * unpacked from, gzip-compressed the same way every time, blobs the
 * registry has (HEAD) not sent again, the configuration byte for byte,
 * then the manifest; *digest is the manifest's (what a pull of the
 * destination gets). To an archive or layout: as img_save writes it
 * (*digest NULL). */
int img_push(struct state_store *s, const struct img_push_opts *o, char **digest, struct burrow_err **err);

/* --- commit ------------------------------------------------------------------------ */

struct img_commit_opts {
	const char *base;      /* the ID of the image the container was made from */
	int upperfd;           /* the container's upper (changes) directory, opened */
	const char *container; /* its name, for the history entry */
	const char *reference; /* normalised tag for the new image, or NULL */
	char *const *changes;  /* --change instructions (as import takes them), or NULL */
	const char *message;   /* the history entry's comment, or NULL */
	const char *author;    /* NULL: the image's */
	const char *format;    /* "docker": Docker v2 schema 2 media types; NULL or "oci": OCI's */
	char *const *volumes;  /* paths added to the configuration's Volumes (--include-volumes), or NULL */
	/* --squash: instead of upperfd's, the tar this writes to fd (a new
	 * file in the layer store) is the image's one layer, the whole root
	 * filesystem; the history is the commit's entry only. NULL: none */
	int (*squash)(void *data, int fd, struct burrow_err **err);
	void *squash_data;
};
/* Whether path (relative, "etc/hosts") is one of the files a container's
 * bind mounts are made on when its image has none: when empty, burrow's,
 * not the container's, left out of a commit's layer. */
bool img_commit_stub(const char *path);
/* A new image: the base image's layers and, on top, the upper directory
 * (or o->squashfd's tar alone) as a layer (walked without following symlinks; overlay whiteouts, a
 * character device 0/0 or an opaque xattr, become OCI .wh. entries), with
 * the base configuration plus the new diff ID, a history entry and the
 * changes. Stored as a pull stores an image. Must run inside burrow's
 * user namespace. */
int img_commit_container(struct state_store *s, const struct img_commit_opts *o, char **id, struct burrow_err **err);

/* --- transports ------------------------------------------------------------------- */

enum img_transport_kind {
	IMG_TRANSPORT_REGISTRY,       /* docker://REF, or a plain reference */
	IMG_TRANSPORT_OCI,            /* oci:DIR[:REF] */
	IMG_TRANSPORT_OCI_ARCHIVE,    /* oci-archive:FILE[:REF] */
	IMG_TRANSPORT_DOCKER_ARCHIVE, /* docker-archive:FILE[:REF] */
	IMG_TRANSPORT_DIR,            /* dir:DIR */
};
struct img_transport {
	enum img_transport_kind kind;
	char *path; /* the file or directory (NULL for a registry) */
	char *ref;  /* the reference (registry), or the image in the archive (NULL: none given) */
};
/* Splits what the user typed into a transport and its parts, as podman
 * does; a string with no known transport prefix is a registry reference.
 * containers-storage:, docker-daemon: and the other transports burrow does
 * not have are refused (ENOTSUP, with a hint). */
int img_transport_parse(const char *s, struct img_transport *t, struct burrow_err **err);
void img_transport_clear(struct img_transport *t);

/* --- login / logout ------------------------------------------------------------ */

struct img_login_opts {
	const char *registry; /* HOST[:PORT][/NAMESPACE...] */
	const char *user, *pass;
	const char *authfile; /* NULL: $REGISTRY_AUTH_FILE, else $XDG_RUNTIME_DIR/containers/auth.json */
	const char *cert_dir;
	int tls_verify; /* as for pull */
	char *const *insecure;
	long timeout_s;
};
/* Checks the credentials with the registry, then stores them in the auth
 * file (mode 0600), keeping its other entries. *path: the file written.
 * Refused credentials: status EACCES. */
int img_login(const struct img_login_opts *o, char **path, struct burrow_err **err);
/* Removes registry's credentials (registry NULL: all) from the auth file
 * the way login writes it; *path: that file. None there: status ENOENT. */
int img_logout(const char *authfile, const char *registry, char **path, struct burrow_err **err);
/* The user name stored for registry (login --get-login). None: ENOENT. */
int img_login_user(const char *authfile, const char *registry, char **user, struct burrow_err **err);
/* A registry argument as auth.json keys it: no scheme or trailing '/'.
 * EINVAL when it is not HOST[:PORT][/NAMESPACE...]. */
char *img_registry_key(const char *registry, struct burrow_err **err);

/* Whether name is an xattr with which overlay filesystems record their
 * own state (opaque directories, redirects, the owner and mode
 * fuse-overlayfs shows): an image must not smuggle one into the store
 * (layer unpacking) or a volume (copy-up). */
bool img_overlay_private_xattr(const char *name);

/* Extracts a tar (plain or compressed, detected from content) from source
 * (a path, or "-" for standard input) into the directory dirfd, over what
 * it already holds (an entry replaces what is at its path, as tar does; a
 * directory stays and takes the entry's owner and mode), by the rules of
 * layer unpacking: no symlink is ever followed, and names that are absolute
 * or have a ".." component, and hard links to anything not inside dirfd,
 * are refused; nothing is written outside dirfd. An entry "./" sets
 * dirfd's own owner and mode. On a refused or damaged archive the entries
 * before the bad one stay. Must run inside burrow's user namespace (owners
 * are set there). For volume import. */
int img_extract(const char *source, int dirfd, struct burrow_err **err);
/* img_extract from the open fd srcfd (display names it in messages): for
 * cp, whose archives come through a pipe. */
int img_extract_fd(int srcfd, const char *display, int dirfd, struct burrow_err **err);

/* By name (NAME, NAME:TAG, localhost/NAME:TAG; default tag latest), full ID
 * (optionally "sha256:"-prefixed) or unique ID prefix. Not found: status
 * ENOENT, message "image 'x' not known". Ambiguous: EINVAL. */
int img_lookup(struct state_store *s, const char *ref, struct img_info **out, struct burrow_err **err);

/* img_lookup, and the name that found it: the normalised tag, or the
 * REPO@DIGEST of a lookup by digest; NULL when found by ID or ID prefix. */
int img_lookup_name(struct state_store *s, const char *ref, struct img_info **out, char **name,
                    struct burrow_err **err);

/* registries.conf's unqualified-search-registries, as the files podman
 * reads set them (empty: none set; a bad file: its error). Caller frees. */
int img_search_registries(char ***out, struct burrow_err **err);

/* Every image, newest first. */
int img_list(struct state_store *s, struct img_info ***out, size_t *n, struct burrow_err **err);

void img_info_free(struct img_info *i);
void img_info_list_free(struct img_info **list, size_t n);

/* --- managing images (manage.c) ---------------------------------------------------
 *
 * Reference counts: a layer is used by every image whose chain names it
 * (img/<id> "layers"), and, through that image, by every container made
 * from it (a container keeps its image: removing it is refused while a
 * container names it, and ctr_create stores a container only while its
 * image record is there, in the same transaction). No count is stored: it
 * is read from the records in the transaction that removes an image, so
 * it cannot go stale after a crash. */

/* Adds names (normalised; a digest is refused) to the image ref names,
 * each moved from any image it named; *id: the image's ID. Every name is
 * checked before anything is written. */
int img_tag(struct state_store *s, const char *ref, char *const *names, char **id, struct burrow_err **err);
/* Removes names from the image (all of them when names is empty); a name
 * the image does not have: ENOENT "tag not known". */
int img_untag(struct state_store *s, const char *ref, char *const *names, char **id, struct burrow_err **err);

/* Who uses an image besides other images: the containers made from it.
 * image/ cannot see containers; the caller (cmd/) asks container/ through
 * these. users is called inside the transaction that removes the image, so
 * that a container stored meanwhile keeps it (names: "ID (NAME)" each);
 * remove_users (rmi -f) removes them before that transaction. */
struct img_users {
	int (*users)(struct state_store *s, const char *image_id, char ***names, void *data, struct burrow_err **err);
	int (*remove_users)(struct state_store *s, const char *image_id, void *data, struct burrow_err **err);
	void *data;
};

/* What a removal did, as podman's rmi prints it: names taken away
 * ("Untagged: NAME") and images gone ("Deleted: ID"). */
struct img_removal {
	char *id; /* the image the name found (an untag's event carries it when the image stays) */
	char **untagged;
	char **deleted;
	char **warnings; /* what went wrong after the image went (a layer's files kept): for the user */
	/* deleted[0] was another's parent (img_parents): podman 4.3's rmi
	 * says only "Untagged" of it, its layers stay with the child; the
	 * parents that went with it (deleted[1..]) say "Deleted" */
	bool had_child;
};
void img_removal_clear(struct img_removal *r);
/* The events of a removal by ref: untag for each name taken away, remove
 * for each image (ref named only in the first: its parents' carry no name,
 * as podman's). */
void img_removal_events(struct state_store *s, const char *ref, const struct img_removal *r);

/* rmi of one image as podman does it: by one of several names, that name
 * is untagged and the image stays; else the image goes, refused with EBUSY
 * (the message names the containers that use it) unless IMG_RM_FORCE,
 * which removes those containers first; by ID when it has several names,
 * refused with EINVAL unless IMG_RM_FORCE or IMG_RM_NAMES. Then the layers
 * no image names any more are freed (img_layers_free), and, unless
 * IMG_RM_NO_PRUNE, its parent (img_parents) goes the same way when it is
 * dangling now (no name, no other child, no container: decided in the
 * transaction that removes it), then that one's parent, and so on (never
 * a parent's containers, even with IMG_RM_FORCE). Not found: ENOENT. */
enum img_remove_flags {
	IMG_RM_FORCE = 1 << 0,    /* rmi -f */
	IMG_RM_NAMES = 1 << 1,    /* rmi -a: by ID, whatever names it has */
	IMG_RM_NO_PRUNE = 1 << 2, /* rmi --no-prune: the dangling parents stay */
};
int img_remove(struct state_store *s, const char *ref, unsigned flags, const struct img_users *users,
               struct img_removal *rep, struct burrow_err **err);

/* image prune: removes the dangling images (without names, and no other
 * image's parent (img_parents), in rounds until none is left; all: every
 * image) that no container uses and that keep (NULL: all) accepts, then
 * collects the layers no image names (those a crash or a kill left behind
 * too) and the extraction directories of imports and pulls that died.
 * *removed: the IDs of the images removed. */
int img_prune(struct state_store *s, bool all, bool (*keep)(const struct img_info *i, void *data), void *keep_data,
              const struct img_users *users, char ***removed, struct burrow_err **err);

/* --- inspect and history (inspect.c) ------------------------------------------------ */

/* The image as podman's `image inspect` shows it (a JSON object: Id, Digest,
 * RepoTags, RepoDigests, Parent, Comment, Created, Config, Version, Author,
 * Architecture, Os, Size, VirtualSize, GraphDriver, RootFS, Labels,
 * Annotations, ManifestType, User, History, NamesHistory), from its record,
 * stored configuration and manifest. */
int img_inspect(struct state_store *s, const struct img_info *i, char **json, struct burrow_err **err);
/* The first n of layers (lowest first) as overlay's lowerdir lists them:
 * the highest first, joined by ':' (podman's GraphDriver.Data.LowerDir). */
char *img_lowerdir_text(char *const *layers, size_t n);

/* The parents of list[0..n) as podman finds them (its layer tree): another
 * image of the list with the child's layers (looked at first) or the
 * child's less its top one, whose configuration's history is the child's
 * less the newest entry (created, created_by, comment, author,
 * empty_layer alike). (*out)[k]: list[k]'s parent's ID, "" when none.
 * Reads each image's stored configuration once. */
int img_parents(struct state_store *s, struct img_info *const *list, size_t n, char ***out, struct burrow_err **err);
/* What `images` shows of list[0..n) beside their records, from one read
 * of each image's stored configuration: parents[k], list[k]'s parent's
 * ID as img_parents finds it ("" when none; NULL-terminated), labels[k]
 * its labels as img_labels gives them. */
struct img_extras {
	char **parents;
	char ***labels;
	size_t n;
};
int img_extras_load(struct state_store *s, struct img_info *const *list, size_t n, struct img_extras *out,
                    struct burrow_err **err);
void img_extras_clear(struct img_extras *x);

/* One line of `history`, newest first: the configuration's history
 * entries, the layers matched to those that made one from the top. */
struct img_history_entry {
	char *id;      /* the image for the newest entry, NULL ("<missing>") below */
	char *created; /* RFC 3339 as the configuration says it ("" when it does not) */
	char *created_by, *comment;
	long long size; /* bytes of the layer it made (0: none) */
};
int img_history(struct state_store *s, const struct img_info *i, struct img_history_entry **out, size_t *n,
                struct burrow_err **err);
void img_history_free(struct img_history_entry *e, size_t n);

/* --- filters and orders (filter.c) ---------------------------------------------------- */

/* podman's image filters, --filter KEY=VALUE (KEY!=VALUE: must not match):
 * reference (a glob over an image's names, their repositories, each without
 * the registry, and the last component), dangling (true/false: no names
 * and, when the filters' parents are given, no image made from it),
 * label (KEY or KEY=VALUE; a glob in KEY), before and since/after (an
 * image: created before or after it), until (a time, a date or a duration
 * before now), id (a prefix), containers (true/false: used by a container,
 * as the filters' users say), intermediate (true/false: no names and
 * another image's parent, as the filters' parents say), readonly and
 * manifest (true/false: burrow's images are never read-only nor manifest
 * lists). The values of one key are
 * or'ed (label's and'ed), the keys and'ed. */
enum img_filter_key {
	IMG_FILTER_REFERENCE,
	IMG_FILTER_DANGLING,
	IMG_FILTER_LABEL,
	IMG_FILTER_BEFORE,
	IMG_FILTER_SINCE,
	IMG_FILTER_ID,
	IMG_FILTER_UNTIL,
	IMG_FILTER_CONTAINERS,
	IMG_FILTER_READONLY,
	IMG_FILTER_MANIFEST,
	IMG_FILTER_INTERMEDIATE,
};
struct img_filter {
	enum img_filter_key key;
	bool negate;
	char *value;
	bool flag;      /* dangling, containers, readonly, manifest, intermediate */
	long long time; /* until; before/since once resolved (unix seconds) */
};
struct img_filters {
	struct img_filter *f;
	size_t n;
	const struct img_users *users; /* for containers=: who uses an image (set after parsing) */
	char *const *parents;          /* for intermediate=: every stored image's parent ID (img_parents) */
};
/* Parses and checks every spec against now (unix seconds, for until=10m);
 * EINVAL with a message naming the filter. */
int img_filters_parse(char *const *specs, long long now, struct img_filters *out, struct burrow_err **err);
/* Looks up the images before= and since= name. */
int img_filters_resolve(struct img_filters *f, struct state_store *s, struct burrow_err **err);
/* What a filter looks at in an image. */
struct img_filter_subject {
	const char *id;
	char *const *names;
	char *const *labels; /* "KEY=VALUE" */
	long long created;
	bool dangling;
	bool intermediate;    /* no names, and another image's parent */
	long long containers; /* how many use it */
};
bool img_filters_match(const struct img_filters *f, const struct img_filter_subject *s);
/* The same for a stored image (its labels, when not given (NULL), and its
 * users read when a filter asks; containers= without f->users is an
 * error). */
int img_filters_match_image(struct state_store *s, const struct img_filters *f, const struct img_info *i,
                            char *const *labels, bool *pass, struct burrow_err **err);
void img_filters_clear(struct img_filters *f);
bool img_name_matches_reference(const char *name, const char *pattern);
bool img_labels_match(char *const *labels, const char *value);

/* images --sort: created (newest first), id, repository, size (smallest
 * first), tag; ties go by repository, tag, ID. */
enum img_sort {
	IMG_SORT_CREATED,
	IMG_SORT_ID,
	IMG_SORT_REPOSITORY,
	IMG_SORT_SIZE,
	IMG_SORT_TAG,
};
int img_sort_parse(const char *s, enum img_sort *out, struct burrow_err **err);
/* One row of the listing. */
struct img_row {
	const char *id, *repository, *tag;
	long long created, size;
	void *data; /* the caller's */
};
int img_row_cmp(const struct img_row *a, const struct img_row *b, enum img_sort key);
void img_rows_sort(struct img_row *rows, size_t n, enum img_sort key);

/* The labels of the image's configuration, "KEY=VALUE" sorted (never
 * NULL). */
int img_labels(struct state_store *s, const char *id, char ***out, struct burrow_err **err);

/* Frees layers (chain IDs) that no image names: each that nobody fetches or
 * uses (the layer locks, taken without waiting: one in use is kept) is
 * renamed to a tmp-* name first, so that no half-removed layer ever looks
 * whole, then its record and its files go. ids NULL: every layer of the
 * store (directories and records) is looked at. *freed (may be NULL): how
 * many went. A freed layer whose files cannot all go (renamed away, left
 * for image prune) is a warning: added to *warnings, or (warnings NULL)
 * burrow_warn'd. */
int img_layers_free(struct state_store *s, char *const *ids, size_t *freed, char ***warnings, struct burrow_err **err);

#endif
