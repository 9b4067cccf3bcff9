#!/usr/bin/env bash
# The issue-12 cases for podman, side by side with scripts/bench.sh's:
# run -v, cp of a 100 MB directory in and out, commit of 50 MB of
# changes, push of the 100 MB test image to an empty registry. Run only
# through the peer's safe namespace:
#   ../shared/peer/fixtures.sh exec scripts/bench-podman-extra.sh OUT CPDATA BIGREF REGDIR PORT [BUILDCTX BIGCTX]
# (issue 13: the build contexts, whose Dockerfiles take ARG BASE)
set -euo pipefail
OUT=$1 CPDATA=$2 BIG=$3 REGDIR=$4 PORT=$5 BUILDCTX=${6:-} BIGCTX=${7:-}
RUNS=${RUNS:-5}
HERE=$(cd "$(dirname "$0")" && pwd)
IMG=localhost:5000/library/busybox
mkdir -p "$OUT"
t() { local n=$1; shift; hyperfine -N --style basic --runs "$RUNS" --warmup 1 --export-json "$OUT/$n.json" -n "$n" "$@" >"$OUT/$n.log" 2>&1 || cat "$OUT/$n.log" >&2; }
podman image exists "$IMG" || podman pull -q --tls-verify=false "$IMG" >/dev/null
podman volume create benchvol >/dev/null 2>&1 || true
t run_volume "podman run --rm --network none -v benchvol:/data $IMG true"
t run_none "podman run --rm --network none $IMG true"
podman volume rm -f benchvol >/dev/null
podman run -d --name bench-cp --network none "$IMG" sleep 1000 >/dev/null
t cp_in_100mb --prepare "podman exec bench-cp rm -rf /in" "podman cp $CPDATA bench-cp:/in"
t cp_out_100mb --prepare "rm -rf $OUT/cpout" "podman cp bench-cp:/in $OUT/cpout"
podman rm -f -t 0 bench-cp >/dev/null
podman run -d --name bench-commit --network none "$IMG" sh -c 'dd if=/dev/urandom of=/fifty bs=1M count=50 2>/dev/null; touch /done; sleep 1000' >/dev/null
for _ in $(seq 100); do podman exec bench-commit test -e /done && break; sleep 0.1; done
t commit_50mb "podman commit bench-commit bench-committed"
podman rm -f -t 0 bench-commit >/dev/null; podman rmi -f bench-committed >/dev/null 2>&1 || true
podman image prune -f >/dev/null 2>&1 || true
podman pull -q --tls-verify=false "$BIG" >/dev/null
podman tag "$BIG" "127.0.0.1:$PORT/big:latest"
t push_100mb --prepare "$HERE/bench-registry.sh $REGDIR $PORT" "podman push -q --tls-verify=false 127.0.0.1:$PORT/big:latest"
"$HERE/bench-registry.sh" "$REGDIR" "$PORT" stop
podman rmi -f "$BIG" "127.0.0.1:$PORT/big:latest" >/dev/null 2>&1 || true
if [ -n "$BUILDCTX" ]; then
  B="podman build -q --network none --build-arg BASE=$IMG"
  t build_cached "$B $BUILDCTX"
  t build_nocache "$B --no-cache $BUILDCTX"
  t build_copy_100mb "$B --no-cache $BIGCTX"
  podman image prune -f >/dev/null 2>&1 || true
fi
