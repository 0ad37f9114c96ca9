#!/usr/bin/env python3
"""Checks the server crate's shape: layers import only downward, and no module imports itself
back through others.

Reads every `crate::…` and `super::…` path in server/src (code and `use` lines alike), resolves
each to the file that defines it, and fails when

- a file imports from a layer above its own (LAYERS lists them top to bottom), or
- files form an import loop (a strongly connected component of more than one file), or
- a layer names a crate it must not (FORBIDDEN: the UI crate below services, axum in them).

A module declaring its children (`mod x;`) is not an import; `pub use` re-exports are.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "server" / "src"

# Top to bottom: a layer may import from any layer below it, never from one above.
LAYERS = [
    "cli",
    "demo",
    "web",
    "api",
    "http",
    "config",
    "services",
    "integrations",
    "store",
    "crypto",
    "metrics",
    "logging",
]

# Crates a layer must not name: storage, secrets and outbound calls know nothing of the UI
# crate or of HTTP serving, and services promise what the app's traits say without axum.
FORBIDDEN = {
    "services": ["axum"],
    "integrations": ["axum", "portcullis_app"],
    "store": ["portcullis_app"],
    "crypto": ["axum", "portcullis_app"],
}

PATH = re.compile(r"\b(crate|super|self)((?:::[a-z_][a-z0-9_]*)+)")
GROUP = re.compile(r"\buse\s+(crate|super|self)((?:::[a-z_][a-z0-9_]*)*)::\{([^}]*)\}", re.S)


def module_of(path: Path) -> tuple:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return tuple(parts)


def strip_comments_and_strings(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def test_modules(text: str) -> str:
    """Drops `#[cfg(test)] mod tests { … }`: tests may reach anywhere."""
    at = text.find("#[cfg(test)]")
    return text if at < 0 else text[:at]


def resolve(base: tuple, kind: str, rest: list, modules: set) -> tuple | None:
    if kind == "crate":
        path = rest
    elif kind == "self":
        path = list(base) + rest
    else:
        up = list(base)
        while rest and rest[0] == "super":
            rest = rest[1:]
            up = up[:-1]
        path = up[:-1] + rest
    # The longest prefix that names a file is the module imported from.
    for n in range(len(path), 0, -1):
        if tuple(path[:n]) in modules:
            return tuple(path[:n])
    return None


def main() -> int:
    files = {module_of(p): p for p in ROOT.rglob("*.rs") if "bin" not in p.parts}
    modules = set(files)
    edges: dict[tuple, set] = {m: set() for m in modules}
    for module, path in files.items():
        text = test_modules(strip_comments_and_strings(path.read_text()))
        refs = []
        for kind, head, inner in GROUP.findall(text):
            for item in inner.split(","):
                item = item.strip().split(" as ")[0].strip()
                if item and item != "self":
                    refs.append((kind, [p for p in head.split("::") if p] + item.split("::")))
                elif item == "self":
                    refs.append((kind, [p for p in head.split("::") if p]))
        for kind, tail in PATH.findall(GROUP.sub("", text)):
            refs.append((kind, [p for p in tail.split("::") if p]))
        for kind, rest in refs:
            # `super::x` in a file module means a sibling; resolve needs the file's own path.
            target = resolve(module, kind, list(rest), modules)
            if target is not None and target != module:
                edges[module].add(target)

    failures = []

    def layer(m: tuple) -> int:
        name = m[0] if m else ""
        return LAYERS.index(name) if name in LAYERS else -1

    for m, outs in sorted(edges.items()):
        if not m or layer(m) < 0:
            failures.append(f"{'/'.join(m) or 'lib'}: not in a layer (add it to LAYERS)")
            continue
        for t in sorted(outs):
            if t and layer(t) >= 0 and layer(t) < layer(m):
                failures.append(f"{'/'.join(m)} imports upward from {'/'.join(t)}")

    for m, path in sorted(files.items()):
        text = test_modules(strip_comments_and_strings(path.read_text()))
        for crate in FORBIDDEN.get(m[0] if m else "", []):
            if re.search(rf"\b{crate}::", text):
                failures.append(f"{'/'.join(m)} names {crate}, which its layer must not")

    # Tarjan's strongly connected components over file modules.
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

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
                sccs.append(sorted("/".join(c) for c in comp))

    sys.setrecursionlimit(10000)
    for v in sorted(modules):
        if v not in index:
            visit(v)
    for comp in sccs:
        failures.append("import loop: " + " <-> ".join(comp))

    # The crate root only declares modules.
    failures = [f for f in failures if not f.startswith("lib:")]
    for f in failures:
        print(f"layers: {f}")
    count = sum(len(v) for v in edges.values())
    print(f"layers: {len(modules)} modules, {count} imports, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
