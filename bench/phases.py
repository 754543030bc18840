"""Where a whole compile's CPU time goes, phase by phase: ``python bench/phases.py N``.

Generates the spec of N services (bench/generate.py) and, in this process, with the cyclic
collector paused as ``orion compile`` pauses it, times by CPU time (``time.process_time``,
steady on a shared machine) the front end (``analyze_text``), each target's rendering
(``lookup(name)(plan)``, every target by default, in ``orion compile``'s order on one
plan per round, so that a target reuses what an earlier one left in the plan, as in a
compile: the docs target the diagrams' views) and writing every file into a fresh
folder (``write_targets``, which flushes them to disk: mostly the kernel's time), with the CPU
of the subprocesses a phase waits for (Graphviz, for the diagrams' SVG) in a column of its own. Each phase runs ``--rounds`` times (default 3) and the median
is printed, with the peak resident memory of the process at the end. No profiler: these
are the phases' own costs, for before/after figures; ``bench/profile_compile.py`` says where
inside a phase the time goes.

Options: ``-t kubernetes,docs`` (the targets), ``--rounds 1``.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from orion_dsl.backends import BACKENDS, lookup  # noqa: E402
from orion_dsl.collector import collector_paused  # noqa: E402
from orion_dsl.lowering import Plan  # noqa: E402
from orion_dsl.output import write_targets  # noqa: E402
from orion_dsl.pipeline import analyze_text  # noqa: E402

T = TypeVar("T")


def _timed(rounds: int, run: Callable[[], T]) -> tuple[float, float, float, T]:
    """Median CPU seconds of ``rounds`` runs: this process's, the kernel's part of it, and that of
    the subprocesses it waited for (Graphviz); and the last run's result."""
    seconds, kernel, children = [], [], []
    for _ in range(rounds):
        start, before = time.process_time(), os.times()
        result = run()
        after = os.times()
        seconds.append(time.process_time() - start)
        kernel.append(after.system - before.system)
        children.append(after.children_user + after.children_system - before.children_user - before.children_system)
    return statistics.median(seconds), statistics.median(kernel), statistics.median(children), result


@collector_paused()
def main(args: list[str] | None = None) -> None:
    """Parse the options, time each phase, print one line per phase."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, help="services in the generated spec")
    parser.add_argument("-t", "--target", default=",".join(BACKENDS), help="targets, comma-separated (default: all)")
    parser.add_argument("--rounds", type=int, default=3, help="runs per phase (median)")
    options = parser.parse_args(args)

    analyze_text(generate(20), "warm-up")  # the Lark parser, built or loaded once, outside the timing
    text = generate(options.n)
    seconds, kernel, _, analysis = _timed(options.rounds, lambda: analyze_text(text, f"bench-{options.n}.orion"))
    assert analysis.plan is not None, "the generated spec must analyse cleanly"
    plan = analysis.plan
    print(f"# {options.n} services, median of {options.rounds}: CPU seconds (user + system), the system part, subprocesses' CPU")
    print(f"front end      {seconds:8.3f} {kernel:8.3f}")
    total = seconds
    names = options.target.split(",")
    times: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    files: dict[str, dict[str, str]] = {}
    for _ in range(options.rounds):
        fresh_plan = Plan(plan.topology, plan.entries)  # nothing remembered from the round before (Plan.index)
        for name in names:
            seconds, kernel, children, rendered = _timed(1, functools.partial(lookup(name), fresh_plan))
            times[name].append((seconds, kernel, children))
            files[name] = {a.path.removeprefix(f"{name}/"): a.text for a in rendered.artifacts}
    for name in names:
        seconds, kernel, children = (statistics.median(t[i] for t in times[name]) for i in range(3))
        total += seconds + children
        print(f"{name:<14} {seconds:8.3f} {kernel:8.3f} {children:8.3f}")

    with tempfile.TemporaryDirectory(prefix="orion-phases-") as scratch:  # removed after the timing, not in it
        fresh = (Path(scratch) / f"out-{i}" for i in range(options.rounds))
        seconds, kernel, _, _ = _timed(options.rounds, lambda: write_targets(next(fresh), files))
    total += seconds
    print(f"writing        {seconds:8.3f} {kernel:8.3f}   ({sum(len(f) for f in files.values()):,} files, flushed to disk)")
    print(f"total          {total:8.3f}")
    print(f"peak RSS       {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MB")


if __name__ == "__main__":
    main()
