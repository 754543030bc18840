"""A re-compile with nothing changed against the first compile: ``python bench/recompile.py``.

Issue 15's goal: the whole default compile (all targets) of N services (bench/generate.py's
spec, 1,000 by default) into a fresh OUT, then again with nothing changed, at least 5×
faster. Each round times four whole processes on one OUT, in this order:

- **first**: into an empty OUT (every file written);
- **unchanged**: the same command again (OUT's stamp holds, nothing is rendered);
- **rebuild**: the same command with ``--rebuild`` (everything rendered, no file rewritten:
  what every re-compile cost before the stamp);
- **one line edited**: one service's image version changed in the spec (a full compile that
  rewrites that service's files).

Children run from compiled bytecode (as bench/peers.py explains), after one untimed warm-up
compile. Medians over ``--rounds`` rounds (3 by default) are written into
docs/PERFORMANCE.md between the bench-recompile markers (``--no-write`` prints only).
"""

from __future__ import annotations

import argparse
import platform
import re
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate, service_name  # noqa: E402
from peers import timed  # noqa: E402
from run import write_doc  # noqa: E402

DOC = ROOT / "docs" / "PERFORMANCE.md"
MARKERS = ("<!-- bench-recompile:start -->", "<!-- bench-recompile:end -->")
STEPS = ("first", "unchanged", "rebuild", "one line edited")
#: The goal: the first compile over the unchanged re-compile, in CPU time.
GOAL = 5.0


def _compile(spec: Path, out: Path, scratch: Path, *extra: str) -> dict[str, float]:
    return timed([sys.executable, "-m", "orion_dsl", "compile", str(spec), "-o", str(out), *extra], scratch)


def measure(n: int, rounds: int) -> dict[str, list[dict[str, float]]]:
    """Each step's timings over ``rounds`` rounds, every round on a fresh OUT and a fresh copy of the spec."""
    results: dict[str, list[dict[str, float]]] = {step: [] for step in STEPS}
    text = generate(n)
    edited = re.sub(rf'(service {service_name(0)} {{\n\s+image "[^":]+):[^"]+"', r'\1:9.9.9"', text, count=1)
    if edited == text:
        raise SystemExit(f"bench/generate.py's spec has no image line in `service {service_name(0)}` to edit")
    with tempfile.TemporaryDirectory(prefix="orion-recompile-") as tmp:
        scratch = Path(tmp)
        warm = scratch / "warm.orion"
        warm.write_text(generate(20), encoding="utf-8")
        _compile(warm, scratch / "warm-out", scratch)
        for number in range(rounds):
            spec, out = scratch / f"spec-{number}.orion", scratch / f"out-{number}"
            spec.write_text(text, encoding="utf-8")
            results["first"].append(_compile(spec, out, scratch))
            results["unchanged"].append(_compile(spec, out, scratch))
            results["rebuild"].append(_compile(spec, out, scratch, "--rebuild"))
            spec.write_text(edited, encoding="utf-8")
            results["one line edited"].append(_compile(spec, out, scratch))
            shutil.rmtree(out)
    return results


def _median(runs: list[dict[str, float]], field: str) -> float:
    return statistics.median(r[field] for r in runs)


def table(n: int, results: dict[str, list[dict[str, float]]]) -> str:
    """The Markdown block between the markers: each step's medians, its ratio to the first compile, the verdict."""
    first = _median(results["first"], "cpu")
    rounds = len(results["first"])
    lines = [
        f"Measured {date.today().isoformat()} with Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
        f"`python bench/recompile.py --services {n} --rounds {rounds}`: the default compile (all targets) of {n:,} services, medians of {rounds} rounds.",
        "",
        "| step | wall (s) | CPU (s) | peak RSS (MB) | first / this (CPU) |",
        "|---|---:|---:|---:|---:|",
    ]
    for step in STEPS:
        seconds, cpu, peak = (_median(results[step], field) for field in ("seconds", "cpu", "peak_mb"))
        lines.append(f"| {step} | {seconds:.2f} | {cpu:.2f} | {peak:.0f} | {first / cpu:.1f}× |")
    ratio = first / _median(results["unchanged"], "cpu")
    lines += ["", f"An unchanged re-compile is {ratio:.1f}× faster than the first (goal ≥ {GOAL:g}×): {'met' if ratio >= GOAL else '**missed**'}."]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000, help="services in the generated spec (default: 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (default: 3)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {DOC.relative_to(ROOT)} alone")
    args = parser.parse_args(argv[1:])
    block = table(args.services, measure(args.services, args.rounds))
    print(block)
    if not args.no_write:
        write_doc(block, DOC, MARKERS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
