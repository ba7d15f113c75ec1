#!/usr/bin/env python3
"""Reads the call graph from the built static libraries (nm) and fails on
any call that goes up a layer or closes a circle between files.

The layers, lowest first; a file may call its own layer and those below:
  config  the configuration (no libuv)
  base    lists, formatting, log, blocks, counters
  io      the loop state, deferred work, timer queues, bodies and spill
  http    request and response framing, backend request writer, PROXY
  core    mapping, pool, queue, exchange, upstream, dispatch
  conn    the client connection, its reading and writing, health probes
  svc     listeners, server, reload, admin, metrics, statsd, access log
Within a layer calls may go either way, but never in a circle.

Usage: callgraph.py LIB.a [LIB.a ...]   or   callgraph.py --self-test
"""
import os
import subprocess
import sys

LAYERS = ["config", "base", "io", "http", "core", "conn", "svc"]


def layer_of(obj):
    """'core_pool.c.o' -> 'core'; a config/ object has no folder prefix."""
    prefix = obj.split("_", 1)[0]
    return prefix if prefix in LAYERS[1:] else "config"


def read_archive(path):
    """Returns {object: (defined symbols, undefined symbols)}."""
    out = subprocess.run(["nm", path], check=True, capture_output=True,
                         text=True).stdout
    objs, cur = {}, None
    for line in out.splitlines():
        if line.endswith(":") and " " not in line:
            cur = os.path.basename(line[:-1])
            objs[cur] = (set(), set())
            continue
        parts = line.split()
        if cur is None or not parts:
            continue
        if len(parts) == 3 and parts[1] in "TDBRC":
            objs[cur][0].add(parts[2])
        elif len(parts) == 2 and parts[0] == "U":
            objs[cur][1].add(parts[1])
    return objs


def edges_of(objs):
    owner = {}
    for obj, (defs, _) in objs.items():
        for sym in defs:
            owner[sym] = obj
    edges = {}
    for obj, (_, undefs) in objs.items():
        for sym in undefs:
            to = owner.get(sym)
            if to is not None and to != obj:
                edges.setdefault((obj, to), set()).add(sym)
    return edges


def circles(nodes, edges):
    """Strongly connected groups of more than one file (Tarjan)."""
    succ = {n: [] for n in nodes}
    for a, b in edges:
        succ[a].append(b)
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in succ[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(10000)
    for n in sorted(nodes):
        if n not in index:
            visit(n)
    return groups


def problems(objs):
    edges = edges_of(objs)
    found = []
    for (a, b), syms in sorted(edges.items()):
        la, lb = LAYERS.index(layer_of(a)), LAYERS.index(layer_of(b))
        if lb > la:
            found.append("up a layer: %s (%s) calls %s (%s): %s" % (
                a, layer_of(a), b, layer_of(b), ", ".join(sorted(syms))))
    for group in circles(objs.keys(), edges):
        found.append("circle: " + " <-> ".join(group))
    return found, edges


def self_test():
    """The checker must catch what it is for."""
    ok = {
        "base_a.c.o": ({"a"}, set()),
        "core_b.c.o": ({"b"}, {"a"}),
        "svc_c.c.o": ({"c"}, {"b"}),
    }
    assert problems(ok)[0] == [], problems(ok)[0]
    up = dict(ok)
    up["base_a.c.o"] = ({"a"}, {"c"})
    found = problems(up)[0]
    assert any(f.startswith("up a layer: base_a.c.o") for f in found), found
    assert any(f.startswith("circle:") for f in found), found
    ring = dict(ok)
    ring["core_d.c.o"] = ({"d"}, {"e"})
    ring["core_e.c.o"] = ({"e"}, {"d"})
    found = problems(ring)[0]
    assert found == ["circle: core_d.c.o <-> core_e.c.o"], found
    print("self-test passed")


def main(args):
    if args == ["--self-test"]:
        self_test()
        return 0
    objs = {}
    for path in args:
        objs.update(read_archive(path))
    missing = set(LAYERS) - {layer_of(o) for o in objs}
    if missing:
        print("no objects of layer %s read: wrong arguments?" %
              ", ".join(sorted(missing)))
        return 1
    found, edges = problems(objs)
    for f in found:
        print(f)
    print("%d files, %d file-to-file calls, %d problems" % (
        len(objs), len(edges), len(found)))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
