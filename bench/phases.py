"""Where a build's time goes: a cProfile of it, its functions' time divided among phases."""

from __future__ import annotations

import pstats
import statistics
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from run import Case

Function = tuple[str, int, str]  # pstats' key: file, line, name

IMPORTS = "imports"
OTHER = "other: command line, cache keys, checks, writing files"
# (phase, entries: (end of the file's path, function name))
PHASES: list[tuple[str, list[tuple[str, str]]]] = [
    ("conversion: reading the essays, Markdown to XHTML",
     [("qlabbook/build.py", "load_collection"), ("qlabbook/build.py", "inspect_collection")]),
    ("layout: print HTML, WeasyPrint's parsing, styling and pages, settling figures and "
     "notes, reading pages off the layout",
     [("qlabbook/typeset/layout.py", "settled"), ("qlabbook/typeset/document.py",
                                                  "lay_out_html"),
      ("weasyprint/__init__.py", "render"), ("qlabbook/typeset/pagemap.py",
                                             "part_page_starts")]),
    ("PDF writing: WeasyPrint's write_pdf (drawing, fonts, images, tags)",
     [("weasyprint/document.py", "write_pdf")]),
    ("joining parts with pikepdf", [("qlabbook/typeset/join.py", "join_parts")]),
    (OTHER, [("<string>", "<module>"), ("<frozen runpy>", "*"),
             ("qlabbook/__main__.py", "<module>"), ("qlabbook/cli/__init__.py", "main")]),
    # Every module's body, wherever the import is (checked after the program's own).
    (IMPORTS, [("<frozen importlib._bootstrap>", "*"),
               ("<frozen importlib._bootstrap_external>", "*"), ("", "<module>")]),
]
METHOD = ("A phase starts at its entry functions (what they call belongs to it unless it "
          "is the entry of another phase); any other function's time is divided among "
          "phases in proportion to the time its callers spent calling it. Time in threads "
          "other than the main one (figures fitted while WeasyPrint lays out) is not "
          "profiled. A function's cumulative time includes the imports done inside it.")
TOP = 8


def entry_phase(function: Function) -> str | None:
    path, _, name = function
    path = path.replace("\\", "/")
    for phase, entries in PHASES:
        if any(entry in (name, "*") and path.endswith(end) for end, entry in entries):
            return phase
    return None


def attribute(stats: dict[Function, Any]) -> dict[Function, dict[str, float]]:
    """Each function's share of each phase: its own phase for an entry, OTHER for a root,
    else the average of its callers' shares weighted by the time each spent calling it,
    worked out again until nothing changes (recursion makes it a fixed point)."""
    shares: dict[Function, dict[str, float]] = {}
    for function, (_, _, _, _, callers) in stats.items():
        phase = entry_phase(function)
        if phase is not None or not any(c != function for c in callers):
            shares[function] = {OTHER if phase is None else phase: 1.0}
    fixed = set(shares)
    callees: dict[Function, list[Function]] = {}
    for function, (_, _, _, _, callers) in stats.items():
        for caller in callers:
            callees.setdefault(caller, []).append(function)
    # Callers before callees (breadth first from the fixed ones): one pass settles all but
    # the recursive parts of the graph.
    order: list[Function] = []
    seen = set(fixed)
    queue = deque(fixed)
    while queue:
        for callee in callees.get(queue.popleft(), []):
            if callee not in seen:
                seen.add(callee)
                order.append(callee)
                queue.append(callee)
    for _ in range(100):
        changed = 0.0
        for function in order:
            weights: dict[str, float] = {}
            total = 0.0
            for caller, (calls, _, own, cumulative) in stats[function][4].items():
                known = shares.get(caller)
                if caller == function or not known:
                    continue
                weight = cumulative or own or calls * 1e-9
                total += weight
                for phase, part in known.items():
                    weights[phase] = weights.get(phase, 0.0) + weight * part
            if not total:
                continue
            new = {phase: weight / total for phase, weight in weights.items()}
            old = shares.get(function, {})
            changed = max(changed, *(abs(new.get(p, 0) - old.get(p, 0)) for p in new | old))
            shares[function] = new
        if changed < 1e-4:
            break
    return shares


def ancestors(stats: dict[Function, Any], phase: str) -> set[Function]:
    """The functions whose cumulative time includes an entry of `phase`."""
    found: set[Function] = set()
    todo = [f for f in stats if entry_phase(f) == phase]
    while todo:
        function = todo.pop()
        if function[0].startswith("<frozen importlib"):
            continue  # the way up from an import leads anywhere
        for caller in stats[function][4]:
            if caller not in found and caller in stats:
                found.add(caller)
                todo.append(caller)
    return found


def label(function: Function) -> str:
    path, line, name = function
    if path == "~":
        return f"`{name}`"
    path = path.replace("\\", "/")
    for marker in ("site-packages/", "/src/", "/lib/python"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"`{path}:{line} {name}`"


def profile_section(stats_path: Path, collection: str, measured: Case | None) -> list[str]:
    """The Markdown of "Where the time goes"."""
    loaded = pstats.Stats(str(stats_path))
    stats: dict[Function, Any] = loaded.stats  # type: ignore[attr-defined]
    total: float = loaded.total_tt  # type: ignore[attr-defined]
    shares = attribute(stats)
    phases = [phase for phase, _ in PHASES]
    # A cumulative time that holds another phase's entry (the command line's, say) is not
    # this phase's: such functions are left out of its cumulative list.
    holding = {p: ancestors(stats, p) for p in phases if p != IMPORTS}
    own: dict[str, list[tuple[float, Function]]] = {p: [] for p in phases}
    cumulative: dict[str, list[tuple[float, Function]]] = {p: [] for p in phases}
    for function, (_, _, tt, ct, _) in stats.items():
        for phase, part in shares.get(function, {OTHER: 1.0}).items():
            own[phase].append((tt * part, function))
            machinery = function[0] == "~" or function[0].startswith("<frozen")
            if not machinery and (phase == IMPORTS or not any(
                    function in found for p, found in holding.items() if p != phase)):
                cumulative[phase].append((ct * part, function))
    sums = {p: sum(t for t, _ in own[p]) for p in phases}
    unprofiled = ""
    if measured is not None and measured.seconds:
        seconds = statistics.median(measured.seconds)
        unprofiled = f" ({seconds:.2f} s without the profiler: that row's median)"
    lines = ["## Where the time goes", "",
             f"One cold collected PDF of {collection} at -j 1 (its row in Every run) under "
             f"cProfile: {total:.2f} s profiled{unprofiled}. The profiler slows small Python "
             "functions most: read the shares more than the seconds. " + METHOD,
             "", "| phase | own time s | share |", "| --- | ---: | ---: |"]
    lines += [f"| {p} | {sums[p]:.2f} | {sums[p] / total:.0%} |" for p in phases if total]
    for phase in phases:
        if sums[phase] < 0.005 * total:
            continue
        by_cumulative = sorted(cumulative[phase], reverse=True)[:TOP]
        by_own = sorted(own[phase], reverse=True)[:TOP]
        lines += ["", f"### {phase}: {sums[phase]:.2f} s", "",
                  "| by cumulative time | s | by own time | s |", "| --- | ---: | --- | ---: |"]
        for (ct, f_ct), (tt, f_tt) in zip(by_cumulative, by_own, strict=False):
            lines.append(f"| {label(f_ct)} | {ct:.2f} | {label(f_tt)} | {tt:.2f} |")
    return lines
