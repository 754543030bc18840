"""Time ``orion check`` on large, error-heavy specs and record the table.

``python bench/errors.py`` builds three kinds of input at 1, 2.5, 5 and 10 MB:

- *seed copies*: ``specs/orion.orion`` repeated; every copy after the first declares
  everything again, so the check finds tens of thousands of errors (duplicates, overlaps);
- *misspelt calls*: the benchmark's generated spec (bench/generate.py) with every call
  target misspelt, so each needs a did-you-mean among thousands of workloads;
- *long string*: one string literal as long as the file, which the lexer must read.

Each check runs as the user runs it (``python -m orion_dsl check FILE``, text output,
the default error limit) in a fresh process, whose wall and CPU time and peak resident
memory (``wait4``'s ``ru_maxrss``) are reported. Inputs are written by a process of their
own: Linux carries a parent's peak memory over into the child it starts, so the parent
stays small. The table goes into docs/PERFORMANCE.md between
``<!-- bench-errors:start -->`` and ``<!-- bench-errors:end -->``; ``--no-write`` only
prints it, ``--sizes 1,2.5`` picks other sizes (MB).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from run import write_doc  # noqa: E402

SEED = ROOT / "specs" / "orion.orion"
MARKERS = ("<!-- bench-errors:start -->", "<!-- bench-errors:end -->")
SIZES_MB = (1.0, 2.5, 5.0, 10.0)

#: Targets (docs/PERFORMANCE.md states them for readers).
TARGET_SEED_10MB_SECONDS = 15.0
#: Growth: the cost per MB at the largest size over the cost per MB at the smallest (1 is linear).
TARGET_GROWTH = 1.5
#: Peak memory above the baseline, per MB of input, for the long string (the lexer's own cost).
TARGET_STRING_RSS_PER_MB = 5.0


# ---------------------------------------------------------------- inputs
def seed_copies(size: int) -> str:
    """The seed spec repeated until the text has at least ``size`` bytes."""
    seed = SEED.read_text(encoding="utf-8")
    return seed * math.ceil(size / len(seed.encode()))


def misspelt_calls(size: int) -> str:
    """The generated spec of about ``size`` bytes with the first two letters of every call target swapped."""
    per_service = len(generate(200).encode()) / 200
    text = generate(max(1, math.ceil(size / per_service)))
    return re.sub(r"(?m)^    calls .*$", lambda line: re.sub(r"(calls |, )(\w)(\w)", r"\1\3\2", line[0]), text)


def long_string(size: int) -> str:
    """A spec whose description is one string literal of ``size`` characters."""
    return f'topology t {{ version "1"; description "{"x" * size}" }}\n'


INPUTS: dict[str, Callable[[int], str]] = {"seed copies": seed_copies, "misspelt calls": misspelt_calls, "long string": long_string}


# ---------------------------------------------------------------- measuring one check
def check(path: Path) -> dict[str, Any]:
    """Run ``orion check`` on one file in a fresh process: wall and CPU seconds, peak RSS (MB), errors found."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "orion_dsl", "check", str(path)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert child.stderr is not None
    err = child.stderr.read().decode("utf-8", errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        raise SystemExit(f"orion check {path} exited {child.returncode}:\n{err[-2000:]}")
    summary = err.rstrip().rsplit("\n", 1)[-1]
    found = re.search(r": (?:ok \()?([\d,]+) errors?", summary)
    cpu = usage.ru_utime + usage.ru_stime
    return {"seconds": seconds, "cpu": cpu, "peak_mb": usage.ru_maxrss / 1024, "errors": int(found.group(1).replace(",", "")) if found else 0}


def baseline() -> dict[str, Any]:
    """The command on a three-line spec: start-up time and the memory of the interpreter, libraries and grammar."""
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.orion"
        tiny.write_text(long_string(10), encoding="utf-8")
        return check(tiny)


def measure(sizes: list[float]) -> list[dict[str, Any]]:
    """Every kind of input at every size (one input file on disk at a time)."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in INPUTS:
            for mb in sizes:
                path = Path(folder) / "input.orion"
                subprocess.run([sys.executable, __file__, "--make", kind, str(int(mb * 1_000_000)), str(path)], check=True)
                size = path.stat().st_size
                print(f"{kind}, {mb:g} MB ...", file=sys.stderr, flush=True)
                results.append({"kind": kind, "mb": mb, "bytes": size, **check(path)})
    return results


# ---------------------------------------------------------------- the table
def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def _costs(r: dict[str, Any], base: dict[str, Any]) -> tuple[float, float]:
    """CPU seconds and MB of peak memory per MB of input, above what the command takes on a tiny spec.

    CPU time, not wall time: on a shared machine it is the steadier of the two.
    """
    mb = r["bytes"] / 1e6
    return (r["cpu"] - base["cpu"]) / mb, (r["peak_mb"] - base["peak_mb"]) / mb


def _growth(what: str, small: float, large: float) -> str:
    """How a cost per MB grew from the smallest size to the largest, or why it cannot be said."""
    if small <= 0.01:  # at or below the baseline: nothing to compare
        return f"{what} too small to measure at the smallest size ({large:.2f} per MB at the largest)"
    ratio = large / small
    return f"{what} {ratio:.2f} — {_verdict(ratio < TARGET_GROWTH)}"


def table(results: list[dict[str, Any]], base: dict[str, Any]) -> str:
    """The Markdown block that goes between the markers."""
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with Python {platform.python_version()} on {platform.machine()} ({platform.system()}),"
        f" one `orion check` process per row. Baseline, the command on a three-line spec: {base['cpu']:.2f} s of CPU, {base['peak_mb']:.0f} MB.",
        "",
        "| input | size (MB) | errors found | wall (s) | CPU (s) | peak RSS (MB) | CPU s per MB, above baseline | MB of memory per MB, above baseline |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        per_mb, rss_per_mb = _costs(r, base)
        sizes = f"| {r['kind']} | {r['bytes'] / 1e6:.2f} | {r['errors']:,} "
        lines.append(f"{sizes}| {r['seconds']:.2f} | {r['cpu']:.2f} | {r['peak_mb']:.0f} | {per_mb:.2f} | {rss_per_mb:.1f} |")
    lines += ["", "Against the targets:", ""]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_kind.setdefault(r["kind"], []).append(r)
    seed = {r["mb"]: r for r in by_kind.get("seed copies", [])}
    if 10.0 in seed:
        wall, cpu = seed[10.0]["seconds"], seed[10.0]["cpu"]
        lines.append(
            f"- seed copies, 10 MB, checked in < {TARGET_SEED_10MB_SECONDS:g} s: {wall:.1f} s wall — {_verdict(wall < TARGET_SEED_10MB_SECONDS)};"
            f" {cpu:.1f} s CPU — {_verdict(cpu < TARGET_SEED_10MB_SECONDS)}"
        )
    for kind, rows in by_kind.items():
        if len(rows) < 2:
            continue
        small, large = _costs(rows[0], base), _costs(rows[-1], base)
        sizes = f"{rows[-1]['bytes'] / 1e6:.1f} MB over {rows[0]['bytes'] / 1e6:.1f} MB"
        growth = [_growth(what, s, g) for what, s, g in zip(("time", "memory"), small, large, strict=True)]
        lines.append(f"- {kind}, growth of the cost per MB ({sizes}) < {TARGET_GROWTH:g} (1 is linear): {'; '.join(growth)}")
    strings = by_kind.get("long string", [])
    if strings:
        worst = max(_costs(r, base)[1] for r in strings)
        lines.append(
            f"- long string, memory above the baseline < {TARGET_STRING_RSS_PER_MB:g} MB per MB: at most {worst:.1f}"
            f" — {_verdict(worst < TARGET_STRING_RSS_PER_MB)}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) == 5 and argv[1] == "--make":  # the child that writes one input
        Path(argv[4]).write_text(INPUTS[argv[2]](int(argv[3])), encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated sizes in MB (default: 1,2.5,5,10)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/PERFORMANCE.md alone")
    args = parser.parse_args(argv[1:])
    sizes = [float(s) for s in args.sizes.split(",")] if args.sizes else list(SIZES_MB)
    base = baseline()
    results = measure(sizes)
    print(json.dumps(results), file=sys.stderr)  # the raw figures, should the table need redoing
    block = table(results, base)
    print(block)
    if not args.no_write:
        write_doc(block, markers=MARKERS)
        print("\nwritten to docs/PERFORMANCE.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
