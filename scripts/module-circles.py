#!/usr/bin/env python3
"""Fails (exit 1) when the library's top-level modules reference each other in
a circle. A module's references are the `crate::X` paths in its files (its
own `#[cfg(test)] mod tests` left out, inline or in a `tests.rs`). Usage: python3 scripts/module-circles.py"""
import os, re, sys, itertools
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "dalgo", "src")
mods = {}
for root, _, files in os.walk(src):
    for f in files:
        if not f.endswith(".rs") or f == "tests.rs": continue
        path = os.path.join(root, f)
        rel = os.path.relpath(path, src)
        top = rel.split(os.sep)[0].removesuffix(".rs")
        if top in ("lib", "main"): continue
        text = open(path).read()
        # A file's tests, at its end, may reach anywhere.
        i = text.find("#[cfg(test)]\nmod tests")
        if i >= 0: text = text[:i]
        text = re.sub(r"//[^\n]*", "", text)
        refs = set(re.findall(r"crate::([a-z_]+)", text))
        for m in re.findall(r"use crate::\{([^}]*)\}", text):
            refs |= set(x.strip().split("::")[0] for x in m.split(","))
        mods.setdefault(top, set()).update(r for r in refs if r != top)
tops = set(mods)
edges = {m: {r for r in refs if r in tops} for m, refs in mods.items()}
# strongly connected components (Tarjan)
index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]
def strong(v):
    index[v] = low[v] = n[0]; n[0] += 1; stack.append(v); on.add(v)
    for w in edges.get(v, ()):
        if w not in index: strong(w); low[v] = min(low[v], low[w])
        elif w in on: low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v: break
        if len(c) > 1: sccs.append(sorted(c))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index: strong(v)
for c in sccs:
    print("circle:", ", ".join(c))
    for a, b in itertools.permutations(c, 2):
        if b in edges[a]: print(f"  {a} -> {b}")
sys.exit(1 if sccs else 0)
