#!/usr/bin/env python3
"""First failure of each failed test in podman-bats TAP files.

Usage: scripts/bats-failures.py /var/tmp/peer-podman-bats/results/<run>/*.tap

For each `not ok` test it prints the failed line of the .bats file, the
last podman command before the failure with its output, and the
expected/actual lines of the harness's FAIL box (teardown is left out).
docs/podman-bats.md is catalogued from this.
"""
import os
import re
import signal
import sys


def blocks(lines):
    out = []
    for line in lines:
        if re.match(r"^(not )?ok \d+", line):
            out.append([line])
        elif out and line.startswith("#"):
            out[-1].append(line)
    return out


def report(name, block):
    print("=" * 8, name, block[0])
    body = block[1:]
    for i, line in enumerate(body):
        if line.startswith("# # [teardown]"):
            body = body[:i]
            break
    failed = [line for line in body if "' failed" in line]
    print("  where:", failed[0][3:][:200] if failed else "?")
    cmds = [i for i, line in enumerate(body) if re.match(r"^# # /\S*/podman ", line)]
    if cmds:
        for line in body[cmds[-1]:cmds[-1] + 14]:
            if not re.match(r"^# #(/v|\\\^)", line):
                print("  |", line[2:][:220])


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    for path in sys.argv[1:]:
        with open(path) as f:
            lines = f.read().split("\n")
        for b in blocks(lines):
            if b[0].startswith("not ok"):
                report(os.path.basename(path), b)


if __name__ == "__main__":
    main()
