#!/usr/bin/env bash
# make bench: time skiff's hot paths with hyperfine against a local
# docker-registry (127.0.0.1 only). Not a test: it prints figures.
# Where podman is installed, ../shared/peer/bench-podman.sh runs the same
# cases inside the peer fixtures' safe namespace and ratios are printed.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { apt-get install -y -qq hyperfine >/dev/null 2>&1 || true; }
cargo build --release -q
SKIFF=$PWD/target/release/skiff
W=$(mktemp -d /tmp/skiff-bench.XXXXXX)
REG_PID=
# The default bridge outlives containers (as docker0 does), and a killed
# run could leave skiff's table: remove both afterwards unless they were
# there before.
HAD_BRIDGE=$([ -e /sys/class/net/skiff0 ] && echo 1 || true)
HAD_TABLE=$(nft list table ip skiff >/dev/null 2>&1 && echo 1 || true)
cleanup() {
  # The rootless store's pause process (engine/pause.rs), even after a
  # failed case.
  sh "$(dirname "$0")/test-cleanup.sh" "$W/rl/xdg/skiff/userns/pause.pid"
  [ -n "$REG_PID" ] && kill "$REG_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"
  [ -n "$HAD_BRIDGE" ] || ip link del skiff0 2>/dev/null || true
  [ -n "$HAD_TABLE" ] || nft delete table ip skiff 2>/dev/null || true
}
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$W/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $W/regdata}}
http: {addr: 127.0.0.1:$PORT, secret: bench}
YML
docker-registry serve "$W/reg.yml" >"$W/reg.log" 2>&1 &
REG_PID=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
REG=127.0.0.1:$PORT
python3 scripts/mkimage.py "$W/oci" busybox 0 0 >/dev/null
read -r RAW GZ < <(python3 scripts/mkimage.py "$W/oci" big 100 4)
skopeo copy -q --dest-tls-verify=false "oci:$W/oci:busybox" "docker://$REG/library/busybox:latest"
skopeo copy -q --dest-tls-verify=false "oci:$W/oci:big" "docker://$REG/big:latest"
echo "test image big: $((RAW / 1000000)) MB unpacked, $((GZ / 1000000)) MB compressed, 5 layers"
S="$SKIFF --root $W/root --runroot $W/run"
RUNS=${RUNS:-10}
# hf NAME RUNS [hyperfine options...] CMD
hf() { local name=$1 runs=$2; shift 2; hyperfine -N --style basic --runs "$runs" --warmup 1 --export-json "$W/$name.json" -n "$name" "$@" >"$W/$name.log" 2>&1 || { cat "$W/$name.log"; exit 1; }; }
hf pull_100mb_cold 5 --prepare "rm -rf $W/root" "$S pull -q $REG/big:latest"
hf pull_100mb_warm "$RUNS" "$S pull -q $REG/big:latest"
hf pull_cold "$RUNS" --prepare "rm -rf $W/root" "$S pull -q $REG/library/busybox:latest"
hf pull_warm "$RUNS" "$S pull -q $REG/library/busybox:latest"
hf images "$RUNS" "$S images"
hf inspect "$RUNS" "$S inspect $REG/library/busybox:latest"
hf version "$RUNS" "$S version"
IMG=$REG/library/busybox:latest
CASES="pull_100mb_cold pull_100mb_warm pull_cold pull_warm images inspect version"
if [ "$(id -u)" = 0 ]; then
  hf run_none "$RUNS" "$S run --rm --network none $IMG true"
  hf run_bridge "$RUNS" "$S run --rm $IMG true"
  FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  hf run_port "$RUNS" "$S run --rm -p $FREE:80 $IMG true"
  hf create "$RUNS" --cleanup "$S container prune -f" "$S create --network none $IMG true"
  $S create --name bench-start --network none "$IMG" true >/dev/null
  hf start_a "$RUNS" "$S start -a bench-start"
  $S rm -f bench-start >/dev/null
  $S run -d --name bench-sleeper --network none "$IMG" sleep 1000 >/dev/null
  hf exec "$RUNS" "$S exec bench-sleeper true"
  $S rm -f bench-sleeper >/dev/null
  hf ps0 "$RUNS" "$S ps -a"
  for i in $(seq 1000); do $S create --network none "$IMG" true >/dev/null; done
  hf ps1000 "$RUNS" "$S ps -a"
  $S container prune -f >/dev/null
  CASES="$CASES run_none run_bridge run_port create start_a exec ps0 ps1000"
  # Issue 12: a named volume on run, cp of a 100 MB directory in and out,
  # commit of 50 MB of changes, push of the 100 MB image to an empty
  # registry (restarted empty before each run, so every push uploads).
  $S volume create benchvol >/dev/null
  hf run_volume "$RUNS" "$S run --rm --network none -v benchvol:/data $IMG true"
  python3 -c 'import os,sys,random; r=random.Random(7); d=sys.argv[1]; os.makedirs(d+"/sub",exist_ok=True); [open(d+("/sub" if i%2 else "")+"/f%d"%i,"wb").write(r.randbytes(10<<20)) for i in range(10)]' "$W/cpdata"
  $S run -d --name bench-cp --network none "$IMG" sleep 1000 >/dev/null
  hf cp_in_100mb 5 --prepare "$S exec bench-cp busybox rm -rf /in" "$S cp $W/cpdata bench-cp:/in"
  hf cp_out_100mb 5 --prepare "rm -rf $W/cpout" "$S cp bench-cp:/in $W/cpout"
  $S rm -f bench-cp >/dev/null
  $S run -d --name bench-commit --network none "$IMG" sh -c 'busybox dd if=/dev/urandom of=/fifty bs=1M count=50 2>/dev/null; busybox touch /done; sleep 1000' >/dev/null
  for _ in $(seq 100); do $S exec bench-commit busybox test -e /done && break; sleep 0.1; done
  hf commit_50mb 5 "$S commit bench-commit bench-committed"
  $S rm -f bench-commit >/dev/null; $S rmi bench-committed >/dev/null; $S image prune -f >/dev/null
  PORT2=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  $S pull -q "$REG/big:latest" >/dev/null; $S tag "$REG/big:latest" "127.0.0.1:$PORT2/big:latest"
  hf push_100mb 5 --prepare "scripts/bench-registry.sh $W/reg2 $PORT2" "$S push -q 127.0.0.1:$PORT2/big:latest"
  scripts/bench-registry.sh "$W/reg2" "$PORT2" stop
  CASES="$CASES run_volume cp_in_100mb cp_out_100mb commit_50mb push_100mb"
  # Issue 13: a 5-step Dockerfile rebuilt from the cache and with
  # --no-cache, and a COPY of a 100 MB context (not cached).
  mkdir -p "$W/buildctx" "$W/bigctx"
  printf 'ARG BASE\nFROM $BASE\nENV A=1\nRUN echo one > /one\nRUN echo two > /two\nCOPY f /f\nCMD ["cat", "/one"]\n' > "$W/buildctx/Dockerfile"
  echo data > "$W/buildctx/f"
  cp -r "$W/cpdata" "$W/bigctx/data"
  printf 'ARG BASE\nFROM $BASE\nCOPY data /data\n' > "$W/bigctx/Dockerfile"
  B="$S build -q --network none --build-arg BASE=$IMG"
  hf build_cached "$RUNS" "$B $W/buildctx"
  hf build_nocache 5 "$B --no-cache $W/buildctx"
  hf build_copy_100mb 5 "$B --no-cache $W/bigctx"
  $S builder prune -f >/dev/null
  CASES="$CASES build_cached build_nocache build_copy_100mb"
fi
# Rootless, as the test user make test-deps creates (subordinate ids;
# pasta needs /dev/net/tun 0666, as Debian has it).
RL_CASES=
if [ "$(id -u)" = 0 ] && RL_UID=$(id -u skiff-rootless 2>/dev/null); then
  RL=$W/rl; mkdir -p "$RL/home" "$RL/xdg"; chmod 711 "$W" "$RL"
  chown "$RL_UID:$(id -g skiff-rootless)" "$RL/home" "$RL/xdg"; chmod 700 "$RL/home" "$RL/xdg"
  cp "$SKIFF" "$RL/skiff"; chmod 755 "$RL/skiff"
  U="setpriv --reuid=$RL_UID --regid=$(id -g skiff-rootless) --clear-groups env -i HOME=$RL/home XDG_RUNTIME_DIR=$RL/xdg PATH=/usr/bin:/bin $RL/skiff"
  $U pull -q "$IMG" >/dev/null
  hf rootless_none "$RUNS" "$U run --rm --network none $IMG true"
  hf rootless_pasta "$RUNS" "$U run --rm $IMG true"
  FREE=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  hf rootless_port "$RUNS" "$U run --rm -p 127.0.0.1:$FREE:80 $IMG true"
  # What setpriv and env cost by themselves (taken off in the side by side,
  # as the fixtures' wrapper is off podman's).
  hf rl_wrapper "$RUNS" "setpriv --reuid=$RL_UID --regid=$(id -g skiff-rootless) --clear-groups env -i HOME=$RL/home XDG_RUNTIME_DIR=$RL/xdg PATH=/usr/bin:/bin true"
  RL_CASES="rootless_none rootless_pasta rootless_port rl_wrapper"
  CASES="$CASES $RL_CASES"
fi
printf '%-18s %9s %9s %9s\n' case mean_ms min_ms max_ms
for n in $CASES; do
  jq -r --arg n "$n" '.results[0] | [$n, (.mean*1000*10|floor/10), (.min*1000*10|floor/10), (.max*1000*10|floor/10)] | @tsv' "$W/$n.json"
done | awk -F'\t' '{printf "%-18s %9s %9s %9s\n",$1,$2,$3,$4}' | tee "$W/summary.txt"
if command -v podman >/dev/null && [ -x ../shared/peer/fixtures.sh ]; then
  P=$W/podman
  # podman's bridge cases leave netavark's iptables-nft tables behind:
  # remove afterwards the tables that were not there before.
  TABLES_BEFORE=$(nft list tables 2>/dev/null || true)
  ../shared/peer/fixtures.sh up >/dev/null 2>&1 && \
  ../shared/peer/fixtures.sh exec ../shared/peer/bench-podman.sh "$P" pull_cold pull_warm images inspect version run_none run_bridge run_port create start_a exec ps0 crun_bundle >/dev/null 2>&1 && {
    echo; echo "side by side (podman / skiff):"
    for n in pull_cold pull_warm images inspect version run_none run_bridge run_port create start_a exec ps0; do
      s=$(jq '.results[0].mean' "$W/$n.json"); p=$(jq '.results[0].mean' "$P/$n.json" 2>/dev/null || echo null)
      [ "$p" = null ] || awk -v n="$n" -v s="$s" -v p="$p" 'BEGIN{printf "%-12s skiff %8.1f ms  podman %8.1f ms  ratio %5.1fx\n", n, s*1000, p*1000, p/s}'
    done
    if [ -n "$RL_CASES" ]; then
      # Rootless podman through the fixtures' wrapper, its own cost taken off.
      F=../shared/peer/fixtures.sh; PI=localhost:5000/library/busybox
      # (a case podman fails is reported and left out, in a subshell)
      (hf p_wrapper "$RUNS" "$F rootless true") || true
      (hf p_rootless_none "$RUNS" "$F rootless podman run --rm --network none $PI true") || true
      (hf p_rootless_net "$RUNS" "$F rootless podman run --rm $PI true") || true
      (hf p_rootless_port "$RUNS" "$F rootless podman run --rm -p 127.0.0.1:$FREE:80 $PI true") || true
      w=$(jq '.results[0].mean' "$W/p_wrapper.json" 2>/dev/null || echo 0)
      sw=$(jq '.results[0].mean' "$W/rl_wrapper.json" 2>/dev/null || echo 0)
      echo "(each side's wrapper taken off: podman's fixtures.sh $(awk -v w="$w" 'BEGIN{printf "%.1f", w*1000}') ms, skiff's setpriv+env $(awk -v w="$sw" 'BEGIN{printf "%.1f", w*1000}') ms)"
      for pair in rootless_none:p_rootless_none rootless_pasta:p_rootless_net rootless_port:p_rootless_port; do
        [ -f "$W/${pair#*:}.json" ] || continue
        n=${pair%%:*}; s=$(jq '.results[0].mean' "$W/$n.json"); p=$(jq '.results[0].mean' "$W/${pair#*:}.json")
        awk -v n="$n" -v s="$s" -v p="$p" -v w="$w" -v sw="$sw" 'BEGIN{printf "%-14s skiff %8.1f ms  podman %8.1f ms  ratio %5.1fx\n", n, (s-sw)*1000, (p-w)*1000, (p-w)/(s-sw)}'
      done
      r=$(jq '.results[0].mean' "$W/run_none.json" 2>/dev/null || echo null); s=$(jq '.results[0].mean' "$W/rootless_none.json")
      [ "$r" = null ] || awk -v r="$r" -v s="$s" -v sw="$sw" 'BEGIN{printf "rootless / rootful run --network none %.2fx (target <= 1.5x)\n", (s-sw)/r}'
    fi
    c=$(jq '.results[0].mean' "$P/crun_bundle.json" 2>/dev/null || echo null)
    s=$(jq '.results[0].mean' "$W/run_none.json" 2>/dev/null || echo null)
    [ "$c" = null ] || [ "$s" = null ] || awk -v s="$s" -v c="$c" 'BEGIN{printf "run --rm --network none vs bare crun run of the same rootfs: skiff %.1f ms, crun %.1f ms, skiff/crun %.2fx\n", s*1000, c*1000, s/c}'
  }
  if [ -f "$W/push_100mb.json" ]; then
    PX=$W/podman-extra
    ../shared/peer/fixtures.sh exec scripts/bench-podman-extra.sh "$PX" "$W/cpdata" "$REG/big:latest" "$W/reg3" "$PORT2" "$W/buildctx" "$W/bigctx" >/dev/null 2>"$W/podman-extra.err" || cat "$W/podman-extra.err"
    echo; echo "issues 12 and 13, side by side (podman / skiff):"
    for n in run_volume cp_in_100mb cp_out_100mb commit_50mb push_100mb build_cached build_nocache build_copy_100mb; do
      s=$(jq '.results[0].mean' "$W/$n.json"); p=$(jq '.results[0].mean' "$PX/$n.json" 2>/dev/null || echo null)
      [ "$p" = null ] || awk -v n="$n" -v s="$s" -v p="$p" 'BEGIN{printf "%-14s skiff %8.1f ms  podman %8.1f ms  ratio %5.1fx\n", n, s*1000, p*1000, p/s}'
    done
    n=$(jq '.results[0].mean' "$W/run_none.json"); v=$(jq '.results[0].mean' "$W/run_volume.json")
    awk -v n="$n" -v v="$v" 'BEGIN{printf "run -v named:/data adds %.2f ms to run (target < 2 ms)\n", (v-n)*1000}'
  fi
  nft list tables 2>/dev/null | while read -r _ fam name; do
    printf '%s\n' "$TABLES_BEFORE" | grep -qx "table $fam $name" || nft delete table "$fam" "$name" 2>/dev/null || true
  done
else
  echo "(podman not installed: no side-by-side figures)"
fi
if [ -f "$W/run_bridge.json" ]; then
  n=$(jq '.results[0].mean' "$W/run_none.json"); b=$(jq '.results[0].mean' "$W/run_bridge.json"); p=$(jq '.results[0].mean' "$W/run_port.json")
  awk -v n="$n" -v b="$b" -v p="$p" 'BEGIN{printf "bridge / none %.2fx, -p / none %.2fx (target <= 2x)\n", b/n, p/n}'
fi
