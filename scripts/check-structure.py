#!/usr/bin/env python3
"""Structure rules of docs/architecture.md, checked by `make lint`:

1. no function over 80 lines, 2. no source file over 800 lines, 3. no import
circle between source files. Exceptions are listed below with their reason
(tables, ports of Go's code, test modules).

Import circles are found on the graph of `crate::`/`super::` paths each
file names outside its test module; an edge between a module and one of its
own ancestors (mod.rs and its children) is not counted, since a parent
declares its children. Cycles are reported as strongly connected components.
"""
import os
import re
import subprocess
import sys

MAX_FN = 80
MAX_FILE = 800

# path -> reason. A test module counts as a table of cases.
FILE_EXCEPTIONS = {
    "src/template/parse.rs": "port of Go's text/template/parse",
    "src/template/gofmt.rs": "port of Go's fmt verbs",
    "src/template/tests.rs": "tables of test cases",
    "src/runtime/container_tests.rs": "tests",
}
# (path, fn) -> reason
FN_EXCEPTIONS = {
    ("src/template/gofmt.rs", "sprintf"): "port of Go's fmt.Sprintf",
    ("src/template/tests.rs", "*"): "tables of test cases",
}

FN_RE = re.compile(
    r'^(\s*)(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?(extern "C"\s+)?fn\s+(\w+)'
)


def source_files():
    out = subprocess.check_output(["git", "ls-files", "src/*.rs"], text=True)
    return [f for f in out.split() if os.path.exists(f)]


def is_test_file(path):
    base = os.path.basename(path)
    return base == "tests.rs" or base.endswith("_tests.rs")


def long_functions(path, lines):
    found = []
    for i, line in enumerate(lines):
        m = FN_RE.match(line)
        if not m or line.rstrip().endswith(";"):
            continue
        indent = m.group(1)
        for j in range(i + 1, len(lines)):
            if lines[j] == indent + "}":
                n = j - i + 1
                name = m.group(8)
                if n > MAX_FN and (path, name) not in FN_EXCEPTIONS and (path, "*") not in FN_EXCEPTIONS:
                    found.append(f"{path}:{i + 1}: fn {name} is {n} lines (max {MAX_FN})")
                break
    return found


def module_of(path):
    p = path[len("src/"):-len(".rs")]
    parts = p.split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_tests(lines):
    """Lines before the first `#[cfg(test)]` inline module (`mod x {`)."""
    for i, line in enumerate(lines):
        if line.strip() == "#[cfg(test)]" and i + 1 < len(lines) and re.match(r"\s*(pub\s+)?mod\s+\w+\s*\{", lines[i + 1]):
            return lines[:i]
    return lines


PATH_RE = re.compile(r"\b((?:crate|super)(?:::\w+)+)")
USE_GROUP_RE = re.compile(r"\buse\s+((?:crate|super)(?:::\w+)*)::\{([^;]*)\}", re.S)


def referenced_paths(text):
    paths = set(PATH_RE.findall(text))
    for prefix, body in USE_GROUP_RE.findall(text):
        for item in re.findall(r"\b(\w+)(?:::\w+)*", body):
            paths.add(prefix + "::" + item)
        for sub in re.findall(r"(\w+(?:::\w+)+)", body):
            paths.add(prefix + "::" + sub)
    return paths


def resolve(path, here, modules):
    parts = path.split("::")
    if parts[0] == "crate":
        base = ()
        rest = parts[1:]
    else:
        base = here
        rest = parts
        while rest and rest[0] == "super":
            base = base[:-1]
            rest = rest[1:]
    full = base + tuple(rest)
    for n in range(len(full), -1, -1):
        if full[:n] in modules:
            return full[:n]
    return None


def cycles(files):
    modules = {module_of(f): f for f in files}
    edges = {m: set() for m in modules}
    for f in files:
        here = module_of(f)
        text = "\n".join(strip_tests(open(f).read().split("\n")))
        text = re.sub(r"//[^\n]*", "", text)
        for p in referenced_paths(text):
            target = resolve(p, here, modules)
            if target is None or target == here:
                continue
            if target[: len(here)] == here or here[: len(target)] == target:
                continue  # ancestor/descendant
            edges[here].add(target)
    # Tarjan
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    msgs = []
    for comp in out:
        names = sorted(modules[m] for m in comp)
        detail = []
        for m in sorted(comp):
            for w in sorted(edges[m]):
                if w in comp:
                    detail.append(f"{modules[m]} -> {modules[w]}")
        msgs.append("import circle: " + ", ".join(names) + "\n    " + "\n    ".join(detail))
    return msgs


def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    files = source_files()
    problems = []
    for f in files:
        lines = open(f).read().split("\n")
        if len(lines) - 1 > MAX_FILE and f not in FILE_EXCEPTIONS and not is_test_file(f):
            problems.append(f"{f}: {len(lines) - 1} lines (max {MAX_FILE})")
        problems += long_functions(f, lines)
    problems += cycles(files)
    for p in problems:
        print(p)
    if problems:
        print(f"check-structure: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
