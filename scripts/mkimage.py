#!/usr/bin/env python3
"""Make an OCI image layout for benchmarks: busybox-static plus N layers
of payload (half incompressible, half text), e.g. a 100 MB test image.

usage: mkimage.py OUT_DIR TAG TOTAL_MB LAYERS
"""
import gzip, hashlib, io, json, os, random, sys, tarfile

out, tag, total_mb, nlayers = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs, exist_ok=True)
EPOCH = 946684800


def put(data):
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobs, h), "wb") as f:
        f.write(data)
    return "sha256:" + h


def layer(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode, kind in files:
            ti = tarfile.TarInfo(name)
            ti.mtime = EPOCH
            ti.mode = mode
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "sym":
                ti.type = tarfile.SYMTYPE
                ti.linkname = data
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    raw = buf.getvalue()
    return raw, gzip.compress(raw, compresslevel=1, mtime=0)


bb = open("/bin/busybox", "rb").read()
files = [("bin", None, 0o755, "dir"), ("bin/busybox", bb, 0o755, "file"), ("etc", None, 0o755, "dir"),
         ("etc/passwd", b"root:x:0:0:root:/root:/bin/sh\n", 0o644, "file"), ("tmp", None, 0o1777, "dir")]
files += [("bin/" + a, "busybox", 0o777, "sym") for a in ("sh", "true", "ls", "cat", "echo", "sleep")]
layers = [layer(files)]
rng = random.Random(42)
per = total_mb * 1024 * 1024 // max(nlayers, 1)
for i in range(nlayers):
    noise = rng.randbytes(per // 2)
    text = ("line %d of a compressible payload for the skiff benchmark\n" % i).encode() * (per // 2 // 60)
    layers.append(layer([("data", None, 0o755, "dir"),
                         ("data/noise-%d.bin" % i, noise, 0o644, "file"),
                         ("data/text-%d.txt" % i, text, 0o644, "file")]))
config = {"created": "2000-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
          "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(r).hexdigest() for r, _ in layers]},
          "history": [{"created": "2000-01-01T00:00:00Z", "created_by": "mkimage.py layer %d" % i} for i in range(len(layers))]}
cb = json.dumps(config).encode()
manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": put(cb), "size": len(cb)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": put(gz), "size": len(gz)}
                       for _, gz in layers]}
mb = json.dumps(manifest).encode()
ipath = os.path.join(out, "index.json")
index = json.load(open(ipath)) if os.path.exists(ipath) else {"schemaVersion": 2, "manifests": []}
index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": put(mb),
                           "size": len(mb), "annotations": {"org.opencontainers.image.ref.name": tag}})
json.dump(index, open(os.path.join(out, "index.json"), "w"))
open(os.path.join(out, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
print(sum(len(r) for r, _ in layers), sum(len(g) for _, g in layers))
