#!/usr/bin/env bash
# Records what the real docker prints for the differential suite's cases
# (tests/compat/cases/*.txt) into tests/compat/expected/<case>.json:
# per compared command its line, exit code, stdout and stderr, raw (the
# test normalises both sides when it compares). Records only; re-runnable.
#
#   scripts/compat-record.sh [FILTER...]   # only cases whose name contains a FILTER
#
# docker is ../shared/peer/docker.sh (DOCKER_PEER=path to override): a real
# dockerd 20.10 with a 28.2 CLI, its registry at localhost:5000 holding
# library/busybox. Cases differing deliberately (`differs:`) are recorded
# too, for reference; the test compares those with <case>.skiff.json.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PEER=${DOCKER_PEER:-$ROOT/../shared/peer/docker.sh}
[ -x "$PEER" ] || PEER=/work/shared/peer/docker.sh
[ -x "$PEER" ] || { echo "compat-record: no peer docker.sh (set DOCKER_PEER)" >&2; exit 1; }
FILTERS=("$@")
OUT=$ROOT/tests/compat/expected
mkdir -p "$OUT"
command -v jq >/dev/null || { echo "compat-record: jq is needed" >&2; exit 1; }

# One shell line with `docker` bound to the peer; the same variables the
# test gives skiff's side.
sh_line() { # $1 line $2 stdout file $3 stderr file; prints the exit code
  local rc=0
  DOCKER_PEER_SH=$PEER BUSYBOX=localhost:5000/library/busybox REGISTRY=localhost:5000 \
  TINY=$ROOT/tests/compat/fixtures/tiny.tar \
    bash -c 'docker() { "$DOCKER_PEER_SH" docker "$@"; }'$'\n'"$1" >"$2" 2>"$3" </dev/null || rc=$?
  echo "$rc"
}

record_case() { # $1 name; SETUP CMDS TEARDOWN arrays
  local name=$1 work line rc json="[]" ok=1
  work=$(mktemp -d /tmp/compat-record.XXXXXX)
  pushd "$work" >/dev/null
  for line in "${SETUP[@]}"; do
    rc=$(sh_line "$line" "$work/.o" "$work/.e")
    if [ "$rc" != 0 ]; then echo "  $name: setup failed ($rc): $line: $(cat "$work/.e")" >&2; ok=0; break; fi
  done
  if [ "$ok" = 1 ]; then
    for line in "${CMDS[@]}"; do
      rc=$(sh_line "$line" "$work/.o" "$work/.e")
      json=$(jq --arg cmd "$line" --argjson exit "$rc" --rawfile out "$work/.o" --rawfile err "$work/.e" \
        '. + [{cmd: $cmd, exit: $exit, stdout: $out, stderr: $err}]' <<<"$json")
    done
  fi
  for line in "${TEARDOWN[@]}"; do sh_line "$line" /dev/null /dev/null >/dev/null; done
  popd >/dev/null
  rm -rf "$work"
  [ "$ok" = 1 ] && jq . <<<"$json" > "$OUT/$name.json" && echo "recorded $name"
  return 0
}

wanted() { # $1 name
  local f
  [ ${#FILTERS[@]} = 0 ] && return 0
  for f in "${FILTERS[@]}"; do [[ "$1" == *"$f"* ]] && return 0; done
  return 1
}

flush() {
  if [ -n "$NAME" ] && wanted "$NAME"; then record_case "$NAME"; fi
  NAME=""; SETUP=(); CMDS=(); TEARDOWN=()
}

trim() { local v=${1#"${1%%[![:space:]]*}"}; printf '%s' "${v%"${v##*[![:space:]]}"}"; }

NAME=""; SETUP=(); CMDS=(); TEARDOWN=()
for f in "$ROOT"/tests/compat/cases/*.txt; do
  while IFS= read -r raw || [ -n "$raw" ]; do
    line=${raw#"${raw%%[![:space:]]*}"}
    case "$line" in
      ''|'#'*) ;;
      '=== '*) flush; NAME=${line#=== }; NAME=${NAME%% *} ;;
      setup:*) SETUP+=("$(trim "${line#setup:}")") ;;
      cmd:*) CMDS+=("$(trim "${line#cmd:}")") ;;
      teardown:*) TEARDOWN+=("$(trim "${line#teardown:}")") ;;
      differs:*) ;;
      *) echo "compat-record: $f: bad line: $line" >&2; exit 1 ;;
    esac
  done < "$f"
  flush
done
