#!/usr/bin/env bash
# bench-registry.sh DIR PORT [stop]: (re)start an empty docker-registry on
# 127.0.0.1:PORT with its data in DIR (the push benchmark's fresh target,
# so that every push uploads); "stop" only stops it.
set -euo pipefail
DIR=$1 PORT=$2
if [ -f "$DIR/pid" ]; then
  pid=$(cat "$DIR/pid")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.02; done
  rm -f "$DIR/pid"
fi
[ "${3:-}" = stop ] && exit 0
rm -rf "$DIR/data"; mkdir -p "$DIR"
cat > "$DIR/reg.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $DIR/data}, cache: {blobdescriptor: ""}}
http: {addr: 127.0.0.1:$PORT, secret: bench}
YML
setsid docker-registry serve "$DIR/reg.yml" >"$DIR/reg.log" 2>&1 < /dev/null &
echo $! > "$DIR/pid"
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/v2/" >/dev/null 2>&1 && exit 0; sleep 0.05; done
echo "bench-registry: no registry on $PORT" >&2; exit 1
