#!/usr/bin/env python3
"""Registry helpers for the pull tests (no internet, no third-party modules).

  registry.py push URL REPO:TAG --layer TAR[:gzip|zstd|none]... [options]
      builds an image from layer tarballs and pushes its blobs, config and
      manifest to a registry (OCI distribution API); prints the manifest
      digest.
  registry.py index URL REPO:TAG --manifest DIGEST=OS/ARCH[/VARIANT]...
      pushes an image index (manifest list) of manifests already there.
  registry.py oci DIR TAG --layer TAR[:gzip|zstd|none]...
      writes the image as an OCI layout (for skopeo copy oci:DIR:TAG ...).
  registry.py layer OUT.tar PYTHON
      writes a tar (like mktar in import.bats): f(name, data), d(name),
      l(name, target), h(name, target).
  registry.py fake --port-file F --log F --base TAR --mode MODE
      serves one image, broken as MODE says, as a registry on 127.0.0.1.
      Modes paged-tags and tags-elsewhere list the tags of every
      repository two a page, as registries that page by default do
      (Link: <...>; rel="next"); tags-elsewhere's second page is on
      another host; tags-loop's last page links back to the second (a
      loop of two pages); tags-links sends each page's rel="prev" and
      rel="next" in two Link headers (next second on the first page,
      first on the second); tags-endless lists no tag on each page and
      links to another page, its URL 30,000 bytes long, without end;
      links-full's first page sends three rel="prev" Link headers before
      the rel="next" one, 65,536 bytes in all (as burrow joins them:
      ", " between), links-over's one byte more.
      Each of huge-config, long-blob and huge-token goes one byte past
      one of burrow's caps: a configuration of 8 MiB + 1, a layer one
      byte longer than its manifest says, a token answer of 256 KiB + 1
      (the registry asks for a bearer token, served at /token);
      huge-challenge asks for one with a WWW-Authenticate of 1 MiB.
"""
import argparse
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import socketserver
import ssl
import subprocess
import sys
import tarfile
import threading
import time
import urllib.error
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER_TYPES = {
    ("oci", "none"): "application/vnd.oci.image.layer.v1.tar",
    ("oci", "gzip"): "application/vnd.oci.image.layer.v1.tar+gzip",
    ("oci", "zstd"): "application/vnd.oci.image.layer.v1.tar+zstd",
    ("docker", "gzip"): "application/vnd.docker.image.rootfs.diff.tar.gzip",
    ("docker", "none"): "application/vnd.docker.image.rootfs.diff.tar",
}


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def compress(data, kind):
    if kind == "none":
        return data
    if kind == "gzip":
        return gzip.compress(data, 6, mtime=0)
    if kind == "zstd":
        return subprocess.run(["zstd", "-q", "-c", "-3"], input=data, check=True, stdout=subprocess.PIPE).stdout
    raise SystemExit("unknown compression " + kind)


def build_image(layers, cmd=None, arch="amd64", os_="linux", variant=None, docker=False, created=None, labels=None):
    """layers: [(tar bytes, compression)] -> (blobs {digest: bytes}, config, manifest bytes, media type)."""
    flavour = "docker" if docker else "oci"
    blobs, descs, diff_ids = {}, [], []
    for tar, comp in layers:
        blob = compress(tar, comp)
        d = sha256(blob)
        blobs[d] = blob
        descs.append({"mediaType": LAYER_TYPES[(flavour, comp)], "digest": d, "size": len(blob)})
        diff_ids.append(sha256(tar))
    config = {
        "created": created or "2024-05-01T12:00:00Z",
        "architecture": arch,
        "os": os_,
        "config": {"Cmd": cmd or ["sh"], "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-05-01T12:00:00Z", "created_by": "registry.py"} for _ in layers],
    }
    if variant:
        config["variant"] = variant
    if labels:
        config["config"]["Labels"] = dict(l.split("=", 1) for l in labels)
    cfg = json.dumps(config, sort_keys=True).encode()
    cd = sha256(cfg)
    blobs[cd] = cfg
    mt = DOCKER_MANIFEST if docker else OCI_MANIFEST
    manifest = {
        "schemaVersion": 2,
        "mediaType": mt,
        "config": {"mediaType": DOCKER_CONFIG if docker else OCI_CONFIG, "digest": cd, "size": len(cfg)},
        "layers": descs,
    }
    return blobs, cfg, json.dumps(manifest, indent=3).encode(), mt


class Client:
    def __init__(self, url, auth=None, cacert=None):
        self.url = url.rstrip("/")
        self.headers = {}
        if auth:
            self.headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
        self.ctx = ssl.create_default_context(cafile=cacert) if cacert else None

    def req(self, method, path, data=None, headers=None):
        h = dict(self.headers)
        h.update(headers or {})
        url = path if path.startswith("http") else self.url + path
        r = urllib.request.Request(url, data=data, method=method, headers=h)
        return urllib.request.urlopen(r, context=self.ctx, timeout=60)

    def push_blob(self, repo, digest, data):
        try:
            self.req("HEAD", "/v2/%s/blobs/%s" % (repo, digest))
            return
        except urllib.error.HTTPError:
            pass
        r = self.req("POST", "/v2/%s/blobs/uploads/" % repo, data=b"")
        loc = r.headers["Location"]
        if not loc.startswith("http"):
            loc = self.url + loc
        loc += ("&" if "?" in loc else "?") + "digest=" + digest
        self.req("PUT", loc, data=data, headers={"Content-Type": "application/octet-stream"})

    def push_manifest(self, repo, ref, body, mt):
        self.req("PUT", "/v2/%s/manifests/%s" % (repo, ref), data=body, headers={"Content-Type": mt})


def split_ref(ref):
    repo, _, tag = ref.rpartition(":")
    return (repo, tag) if repo and "/" not in tag else (ref, "latest")


def cmd_push(a):
    layers = []
    for spec in a.layer:
        path, _, comp = spec.partition(":")
        with open(path, "rb") as f:
            layers.append((f.read(), comp or "gzip"))
    blobs, _, manifest, mt = build_image(layers, json.loads(a.cmd) if a.cmd else None, a.arch, a.os,
                                         a.variant, a.docker, a.created, a.label)
    c = Client(a.url, a.auth, a.cacert)
    repo, tag = split_ref(a.ref)
    for d, data in blobs.items():
        c.push_blob(repo, d, data)
    c.push_manifest(repo, tag, manifest, mt)
    print(sha256(manifest))


def cmd_oci(a):
    layers = []
    for spec in a.layer:
        path, _, comp = spec.partition(":")
        with open(path, "rb") as f:
            layers.append((f.read(), comp or "gzip"))
    blobs, _, manifest, mt = build_image(layers, json.loads(a.cmd) if a.cmd else None)
    blobs[sha256(manifest)] = manifest
    os.makedirs(os.path.join(a.dir, "blobs", "sha256"), exist_ok=True)
    for d, data in blobs.items():
        with open(os.path.join(a.dir, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(data)
    with open(os.path.join(a.dir, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    index = {"schemaVersion": 2, "manifests": [{"mediaType": mt, "digest": sha256(manifest), "size": len(manifest),
                                                "annotations": {"org.opencontainers.image.ref.name": a.tag}}]}
    with open(os.path.join(a.dir, "index.json"), "w") as f:
        json.dump(index, f)
    print(sha256(manifest))


def cmd_index(a):
    c = Client(a.url, a.auth, a.cacert)
    repo, tag = split_ref(a.ref)
    entries = []
    for spec in a.manifest:
        digest, _, plat = spec.partition("=")
        parts = plat.split("/")
        r = c.req("GET", "/v2/%s/manifests/%s" % (repo, digest),
                  headers={"Accept": OCI_MANIFEST + ", " + DOCKER_MANIFEST})
        body = r.read()
        p = {"os": parts[0], "architecture": parts[1]}
        if len(parts) > 2:
            p["variant"] = parts[2]
        entries.append({"mediaType": r.headers["Content-Type"], "digest": digest, "size": len(body),
                        "platform": p})
    mt = DOCKER_LIST if a.docker else OCI_INDEX
    body = json.dumps({"schemaVersion": 2, "mediaType": mt, "manifests": entries}, indent=3).encode()
    c.push_manifest(repo, tag, body, mt)
    print(sha256(body))


def cmd_layer(a):
    tf = tarfile.open(a.out, "w", format=tarfile.PAX_FORMAT)

    def add(name, type_, mode, data=b"", linkname=""):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.mtime, ti.linkname = type_, mode, 1600000000, linkname
        if isinstance(data, str):
            data = data.encode()
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data) if data else None)

    env = {
        "f": lambda name, data="", mode=0o644: add(name, tarfile.REGTYPE, mode, data),
        "d": lambda name, mode=0o755: add(name, tarfile.DIRTYPE, mode),
        "l": lambda name, target: add(name, tarfile.SYMTYPE, 0o777, linkname=target),
        "h": lambda name, target: add(name, tarfile.LNKTYPE, 0o644, linkname=target),
        "big": lambda name, size: add(name, tarfile.REGTYPE, 0o644, os.urandom(size)),
    }
    exec(a.code, env)
    tf.close()


# --- the fake registry -----------------------------------------------------------------

SCHEMA1 = json.dumps({"schemaVersion": 1, "name": "broken/img", "tag": "latest", "architecture": "amd64",
                      "fsLayers": [], "history": [], "signatures": []}).encode()


def fake_image(base, mode):
    """The image the fake registry serves: (blobs, manifest, manifest type)."""
    with open(base, "rb") as f:
        tar = f.read()
    layers = [(tar, "gzip")]
    if mode == "traversal":
        buf = io.BytesIO()
        tf = tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT)
        ti = tarfile.TarInfo("../../../escaped")
        ti.size = 6
        tf.addfile(ti, io.BytesIO(b"owned\n"))
        tf.close()
        layers.append((buf.getvalue(), "gzip"))
    if mode in ("big", "slow", "slow-once"):
        buf = io.BytesIO()
        tf = tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT)
        data = os.urandom(8 * 1024 * 1024)
        ti = tarfile.TarInfo("big")
        ti.size = len(data)
        tf.addfile(ti, io.BytesIO(data))
        tf.close()
        layers.append((buf.getvalue(), "none"))
    blobs, cfg, manifest, mt = build_image(layers)
    if mode == "diffid":
        config = json.loads(cfg)
        config["rootfs"]["diff_ids"][0] = "sha256:" + "0" * 64
        ncfg = json.dumps(config).encode()
        man = json.loads(manifest)
        del blobs[man["config"]["digest"]]
        blobs[sha256(ncfg)] = ncfg
        man["config"] = {"mediaType": OCI_CONFIG, "digest": sha256(ncfg), "size": len(ncfg)}
        manifest = json.dumps(man).encode()
    if mode == "bad-digest":
        # the last layer's bytes are another valid layer of the size the
        # manifest says: only the digest check can tell
        man = json.loads(manifest)
        other = compress(b"\0" * 1024, "gzip")
        blobs[man["layers"][-1]["digest"]] = other
        man["layers"][-1]["size"] = len(other)
        manifest = json.dumps(man).encode()
    if mode == "bad-config":
        # the configuration served under its digest is another one (an
        # altered command): only its digest check can tell
        man = json.loads(manifest)
        config = json.loads(blobs[man["config"]["digest"]])
        config.setdefault("config", {})["Cmd"] = ["echo", "altered"]
        blobs[man["config"]["digest"]] = json.dumps(config).encode()
    if mode == "unknown-layer-type":
        man = json.loads(manifest)
        man["layers"][0]["mediaType"] = "application/vnd.example.mystery"
        manifest = json.dumps(man).encode()
    if mode == "unknown-mediatype":
        man = json.loads(manifest)
        man["mediaType"] = "application/vnd.example.manifest+json"
        manifest = json.dumps(man).encode()
        mt = "application/vnd.example.manifest+json"
    if mode == "huge-manifest":
        # a sound manifest, one byte past burrow's 4 MiB cap for one
        man = json.loads(manifest)
        man["annotations"] = {"pad": ""}
        pad = 4 * 1024 * 1024 + 1 - len(json.dumps(man).encode())
        man["annotations"]["pad"] = "x" * pad
        manifest = json.dumps(man).encode()
        assert len(manifest) == 4 * 1024 * 1024 + 1
    if mode == "huge-config":
        # a sound configuration, one byte past burrow's 8 MiB cap for one
        man = json.loads(manifest)
        config = json.loads(blobs.pop(man["config"]["digest"]))
        config.setdefault("config", {})["Labels"] = {"pad": ""}
        config["config"]["Labels"]["pad"] = "x" * (8 * 1024 * 1024 + 1 - len(json.dumps(config).encode()))
        ncfg = json.dumps(config).encode()
        assert len(ncfg) == 8 * 1024 * 1024 + 1
        blobs[sha256(ncfg)] = ncfg
        man["config"] = {"mediaType": OCI_CONFIG, "digest": sha256(ncfg), "size": len(ncfg)}
        manifest = json.dumps(man).encode()
    if mode == "not-json":
        manifest, mt = b"<html>this is not a manifest</html>", OCI_MANIFEST
    if mode == "schema1":
        manifest, mt = SCHEMA1, "application/vnd.docker.distribution.manifest.v1+prettyjws"
    return blobs, manifest, mt


# the tags of the paged-tags modes: three pages
PAGED = ["latest", "p1", "p2", "p3", "p4"]
PAGED_MODES = ("paged-tags", "tags-elsewhere", "tags-loop", "tags-links", "tags-endless", "links-full",
               "links-over")


def cmd_fake(a):
    blobs, manifest, mt = fake_image(a.base, a.mode)
    layer = json.loads(manifest)["layers"][-1]["digest"] if a.mode not in ("not-json", "schema1") else None
    count = {"n": 0}
    lock = threading.Lock()
    log = open(a.log, "a", buffering=1)

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, code, body=b"", ctype="application/json", extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            for k, v in (extra or {}).items():
                for one in v if isinstance(v, list) else [v]:
                    self.send_header(k, one)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def tags_page(self):
            # the page after ?last=TAG (the first without), two tags long;
            # the next one's Link: a path on page 1, a URL on page 2 (on
            # another host with tags-elsewhere); the last links back to
            # the second with tags-loop; tags-links adds a rel="prev" in a
            # Link header of its own, before the next one's on the first
            # page, after it on the second (either header may hold it)
            path, _, query = self.path.partition("?")
            q = dict(kv.partition("=")[::2] for kv in query.split("&") if kv)
            if a.mode == "tags-endless":
                nxt = "%s?last=%d&pad=%s" % (path, int(q.get("last", "0")) + 1, "x" * 30000)
                self.send(200, b'{"tags":[]}', extra={"Link": '<%s>; rel="next"' % nxt})
                return
            at = PAGED.index(q["last"]) + 1 if "last" in q else 0
            page = PAGED[at:at + 2]
            name = path[len("/v2/"):-len("/tags/list")]
            extra = {}
            if at + 2 < len(PAGED):
                nxt = "%s?last=%s&n=2" % (path, page[-1])
                if at > 0:
                    host = "127.0.0.2" if a.mode == "tags-elsewhere" else "127.0.0.1"
                    nxt = "http://%s:%d%s" % (host, self.server.server_address[1], nxt)
                extra["Link"] = '<%s>; rel="next"' % nxt
            elif a.mode == "tags-loop":
                extra["Link"] = '<%s?last=%s&n=2>; rel="next"' % (path, PAGED[1])
            if a.mode == "tags-links" and "Link" in extra:
                links = ['<%s>; rel="prev"' % path, extra["Link"]]
                extra["Link"] = links if at == 0 else links[::-1]
            if a.mode in ("links-full", "links-over") and at == 0:
                fill = ['<%s?pad=%s>; rel="prev"' % (path, "x" * 30000)] * 2
                want = 64 * 1024 + (a.mode == "links-over")
                k = want - sum(len(f) + 2 for f in fill) - 2 - len(extra["Link"]) - len('<%s?pad=>; rel="prev"' % path)
                links = fill + ['<%s?pad=%s>; rel="prev"' % (path, "x" * k), extra["Link"]]
                assert len(", ".join(links)) == want
                extra["Link"] = links
            self.send(200, json.dumps({"name": name, "tags": page}).encode(), extra=extra)

        def do_GET(self):
            with lock:
                count["n"] += 1
                n = count["n"]
            log.write("%s %s\n" % (self.command, self.path))
            if a.mode == "hang":
                time.sleep(3600)
                return
            if a.mode == "huge-token" and self.path.startswith("/token"):
                # {"token":"xx...x"}: one byte past burrow's 256 KiB cap
                pad = 256 * 1024 + 1 - len(b'{"token":""}')
                self.send(200, b'{"token":"' + b"x" * pad + b'"}')
                return
            if a.mode in ("huge-token", "huge-challenge") and not self.headers.get("Authorization"):
                realm = "http://127.0.0.1:%d/token" % self.server.server_address[1]
                pad = ',pad="%s"' % ("x" * 1024 * 1024) if a.mode == "huge-challenge" else ""
                self.send(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                          extra={"WWW-Authenticate": 'Bearer realm="%s",service="fake"%s' % (realm, pad)})
                return
            if a.mode == "500" or (a.mode == "500-once" and n == 1):
                self.send(500, b'{"errors":[{"code":"UNKNOWN","message":"the fake registry is broken"}]}')
                return
            if self.path in ("/v2/", "/v2"):
                self.send(200, b"{}")
                return
            if a.mode in PAGED_MODES and self.path.split("?")[0].endswith("/tags/list"):
                self.tags_page()
                return
            parts = self.path.split("/")
            if len(parts) >= 5 and parts[-2] == "manifests":
                ref = parts[-1]
                if a.mode == "bad-manifest" and ref == sha256(manifest):
                    # asked by digest, it answers another manifest, and
                    # a Docker-Content-Digest that matches what it sends
                    other = manifest + b"\n"
                    self.send(200, other, mt, {"Docker-Content-Digest": sha256(other)})
                elif ref in ("latest",) or ref == sha256(manifest) or (a.mode in PAGED_MODES and ref in PAGED):
                    # bad-header: a Docker-Content-Digest that is not
                    # the content's (altered on the way, or a lie)
                    said = sha256(manifest + b"\n") if a.mode == "bad-header" else sha256(manifest)
                    self.send(200, manifest, mt, {"Docker-Content-Digest": said})
                else:
                    self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
                return
            if len(parts) >= 5 and parts[-2] == "blobs" and parts[-1] in blobs:
                data = blobs[parts[-1]]
                rng = self.headers.get("Range")
                if parts[-1] == layer and a.mode == "truncated":
                    data = data[: len(data) // 2]
                if parts[-1] == layer and a.mode == "long-blob":
                    data = data + b"\0"
                if rng and rng.startswith("bytes="):
                    start = int(rng[6:].split("-")[0])
                    body = data[start:]
                    self.send_response(206)
                    self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data)))
                else:
                    body = data
                    self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command == "HEAD":
                    return
                with lock:
                    count[parts[-1]] = count.get(parts[-1], 0) + 1
                    first = count[parts[-1]] == 1
                if parts[-1] == layer and (a.mode == "slow" or (a.mode == "slow-once" and first)):
                    for i in range(0, len(body), 16384):
                        self.wfile.write(body[i:i + 16384])
                        self.wfile.flush()
                        time.sleep(0.05)
                else:
                    self.wfile.write(body)
                return
            self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    srv = Server(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="verb", required=True)
    s = sub.add_parser("push")
    s.add_argument("url")
    s.add_argument("ref")
    s.add_argument("--layer", action="append", required=True)
    s.add_argument("--cmd")
    s.add_argument("--arch", default="amd64")
    s.add_argument("--os", default="linux")
    s.add_argument("--variant")
    s.add_argument("--created")
    s.add_argument("--label", action="append", help="KEY=VALUE in the configuration's Labels")
    s.add_argument("--docker", action="store_true")
    s.add_argument("--auth")
    s.add_argument("--cacert")
    s = sub.add_parser("index")
    s.add_argument("url")
    s.add_argument("ref")
    s.add_argument("--manifest", action="append", required=True)
    s.add_argument("--docker", action="store_true")
    s.add_argument("--auth")
    s.add_argument("--cacert")
    s = sub.add_parser("oci")
    s.add_argument("dir")
    s.add_argument("tag")
    s.add_argument("--layer", action="append", required=True)
    s.add_argument("--cmd")
    s = sub.add_parser("layer")
    s.add_argument("out")
    s.add_argument("code")
    s = sub.add_parser("fake")
    s.add_argument("--port-file", required=True)
    s.add_argument("--log", required=True)
    s.add_argument("--base", required=True)
    s.add_argument("--mode", default="ok")
    a = p.parse_args()
    {"push": cmd_push, "index": cmd_index, "oci": cmd_oci, "layer": cmd_layer, "fake": cmd_fake}[a.verb](a)


if __name__ == "__main__":
    main()
