"""Profile ``orion compile`` on a generated spec: ``python bench/profile_compile.py N``.

Generates the spec of N services (bench/generate.py), runs ``orion compile SPEC -o OUT``
in this process under cProfile (into a fresh temporary folder, so every file is written),
and prints the top functions by cumulative time and by own time. Options:

- ``-t/--target kubernetes,istio``: the targets (default: all, as ``orion compile``);
- ``--stdout``: compile with ``-o -`` instead (one target, printed to /dev/null);
- ``--top 40``: how many functions each table lists;
- ``--save FILE``: also keep the raw profile (open it with ``python -m pstats FILE``);
- ``--clock cpu``: time functions by the process's CPU time instead of the wall clock, so
  that waiting for a busy disk or for other processes on a shared machine does not show
  as time spent in the function that waited.

The Lark parser is built (or loaded) once before profiling, so the profile shows a compile
with a warm parser cache, as every compile after the first has. cProfile slows Python code
about twofold, unevenly: take the tables as where time goes, not as timings.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from generate import generate  # noqa: E402

from orion_dsl.cli import main  # noqa: E402
from orion_dsl.pipeline import analyze_text  # noqa: E402


def _compile(argv: list[str]) -> None:
    """Run the CLI as ``orion`` would, keeping its exit from ending the profile."""
    try:
        main(argv)
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise


def main_(args: list[str] | None = None) -> None:
    """Parse the options, profile one compile, print both tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("n", type=int, help="services in the generated spec")
    parser.add_argument("-t", "--target", default=None, help="targets, comma-separated (default: all)")
    parser.add_argument("--stdout", action="store_true", help="compile with -o - (needs one --target)")
    parser.add_argument("--top", type=int, default=40, help="functions per table")
    parser.add_argument("--save", type=Path, default=None, help="also write the raw profile here")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="time by the wall clock (default) or by CPU time")
    options = parser.parse_args(args)

    analyze_text(generate(20), "warm-up")  # the Lark parser, built or loaded once, outside the profile
    with tempfile.TemporaryDirectory(prefix="orion-profile-") as scratch:
        spec = Path(scratch) / f"bench-{options.n}.orion"
        spec.write_text(generate(options.n), encoding="utf-8")
        argv = ["compile", str(spec), "-o", "-" if options.stdout else str(Path(scratch) / "out")]
        if options.target:
            argv += ["-t", options.target]
        profile = cProfile.Profile(time.process_time) if options.clock == "cpu" else cProfile.Profile()
        with open(os.devnull, "w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
            profile.runcall(_compile, argv)
    if options.save:
        profile.dump_stats(options.save)
    stats = pstats.Stats(profile, stream=sys.stdout).strip_dirs()
    shown = ["compile", f"<bench-{options.n}.orion>", "-o", "-" if options.stdout else "<fresh folder>", *argv[4:]]
    print(f"# orion {' '.join(shown)}")
    for order, title in (("cumulative", "cumulative time"), ("tottime", "own time")):
        print(f"\n## top {options.top} by {title}\n")
        stats.sort_stats(order).print_stats(options.top)


if __name__ == "__main__":
    main_()
