#!/bin/sh
# After make test: the pause processes (engine/pause.rs) the rootless tests
# left in the shared fallback runroots (/tmp/skiff-run-UID), by their pid
# files, each only if its command line names that file.
for f in /tmp/skiff-run-*/userns/pause.pid; do
  [ -f "$f" ] || continue
  pid=$(cat "$f" 2>/dev/null) || continue
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF "$f"; then
    kill -9 "$pid" 2>/dev/null
  fi
done
exit 0
