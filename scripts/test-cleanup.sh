#!/bin/sh
# The pause processes (engine/pause.rs) that tests or the bench left: by
# their pid files (those given, or those of the shared fallback runroots
# /tmp/skiff-run-UID after make test), each only if its command line names
# that file.
[ $# -gt 0 ] || set -- /tmp/skiff-run-*/userns/pause.pid
for f in "$@"; do
  [ -f "$f" ] || continue
  pid=$(cat "$f" 2>/dev/null) || continue
  if { tr '\0' '\n' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qxF "$f"; then
    kill -9 "$pid" 2>/dev/null
  fi
done
exit 0
