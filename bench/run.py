"""Time the front end (parse + analyse) on generated specs and record the table.

``python bench/run.py`` measures N = 100, 1000 and 5000 services, each in a fresh
subprocess so that timings and peak memory of one size do not contaminate another.
It prints a Markdown table and writes it into docs/PERFORMANCE.md between the markers
``<!-- bench:start -->`` and ``<!-- bench:end -->``, leaving the prose around them alone.

``python bench/run.py --no-write`` only prints; ``--sizes 100,1000`` picks other sizes.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DOC = ROOT / "docs" / "PERFORMANCE.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"

#: Sizes measured by default and how many timed runs each gets (median reported).
RUNS = {100: 5, 1000: 5, 5000: 3}

#: Targets (docs/PERFORMANCE.md states them for readers).
TARGET_MB_PER_S = 1.0
TARGET_5000_SECONDS = 2.0
TARGET_RATIO = 6.0
TARGET_PEAK_MB = 300.0


# ---------------------------------------------------------------- child: one size, one process
def _child(n: int, runs: int) -> dict[str, Any]:
    """Generate the spec for ``n``, time ``analyze_text`` ``runs`` times, then split one run by stage."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT))
    from generate import generate

    from orion_dsl.pipeline import analyze_decls, analyze_text, decode_spec, parse_statements
    from orion_dsl.source import SourceFile

    analyze_text(generate(20), "warm-up")  # builds (or loads) the Lark parser once, outside the timings
    text = generate(n)
    size = len(text.encode())
    gc.collect()
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    times: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        analysis = analyze_text(text, f"bench-{n}.orion")
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
        if analysis.diagnostics or analysis.topology is None:
            first = analysis.diagnostics[0] if analysis.diagnostics else None
            raise SystemExit(f"generated spec for N={n} is not clean: {first}")
        workloads = len(analysis.topology.workloads)
        edges = len(analysis.topology.allow_graph.edges)
        del analysis
        gc.collect()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    # One more pass through the stages analyze_source chains, to show where the time goes
    # (with the collector paused, as analyze_source does).
    gc.disable()
    stages: dict[str, float] = {}
    source = SourceFile(f"bench-{n}.orion", text)
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        stages[name] = now - mark
        mark = now

    statements, _ = parse_statements(source)
    lap("parse")
    spec, _ = decode_spec(source, statements)
    lap("decode")
    analyze_decls(spec)
    lap("analyse")
    gc.enable()

    return {
        "n": n,
        "bytes": size,
        "runs": times,
        "cpu": cpu,
        "workloads": workloads,
        "edges": edges,
        "baseline_mb": baseline_kb / 1024,
        "peak_mb": peak_kb / 1024,
        "stages": stages,
        "lark_alone": _lark_alone(text, runs),
    }


class _BareNode:
    """The cheapest parse-tree node Lark can build: its children and nothing else."""

    __slots__ = ("children",)

    def __init__(self, _rule: str, children: list[Any]) -> None:
        self.children = children


def _lark_alone(text: str, runs: int) -> float:
    """Median time of Lark's lexer and LALR parser on ``text`` with ORION's grammar and the barest tree.

    This is the floor for any front end built on Lark: no syntax tree of ours, no
    decoding, no analysis. Measured with the collector paused, as analyze_source runs.
    """
    from lark import Lark

    from orion_dsl.parser import grammar_path

    lark = Lark(grammar_path().read_text(encoding="utf-8"), parser="lalr", lexer="contextual", tree_class=_BareNode, maybe_placeholders=False)
    times = []
    gc.disable()
    for _ in range(runs):
        start = time.perf_counter()
        lark.parse(text)
        times.append(time.perf_counter() - start)
    gc.enable()
    return statistics.median(times)


# ---------------------------------------------------------------- parent: run sizes, write the table
def measure(n: int, runs: int) -> dict[str, Any]:
    """Run one size in a fresh interpreter and return its measurements."""
    done = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(n), str(runs)], capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark child for N={n} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["median"] = statistics.median(result["runs"])
    result["cpu_median"] = statistics.median(result["cpu"])
    return result


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown block that goes between the markers."""
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with Python {platform.python_version()} on {platform.machine()} ({platform.system()}), one subprocess per size.",
        "",
        "| services | workloads | allow-graph edges | spec size (MB) | runs | median (s) | min (s) | CPU median (s) | MB/s | peak RSS (MB) | RSS before (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        mb = r["bytes"] / 1e6
        sizes = f"| {r['n']:,} | {r['workloads']:,} | {r['edges']:,} | {mb:.2f} | {len(r['runs'])} "
        times = f"| {r['median']:.3f} | {min(r['runs']):.3f} | {r['cpu_median']:.3f} | {mb / r['median']:.2f} "
        lines.append(f"{sizes}{times}| {r['peak_mb']:.0f} | {r['baseline_mb']:.0f} |")
    lines += [
        "",
        "Where one extra run spent its time (seconds):",
        "",
        "| services | parse (text → statements) | decode | resolve + allow-graph + checks | Lark alone (median) | Lark alone, MB/s |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r["stages"]
        floor = f"{r['lark_alone']:.3f} | {r['bytes'] / 1e6 / r['lark_alone']:.2f}"
        lines.append(f"| {r['n']:,} | {s['parse']:.3f} | {s['decode']:.3f} | {s['analyse']:.3f} | {floor} |")
    lines += [
        "",
        "*Lark alone* is Lark's contextual lexer and LALR parser on the same text with ORION's grammar,",
        "building the barest tree Lark allows (`tree_class` with children only): the floor for any",
        "front end built on Lark.",
    ]
    by_n = {r["n"]: r for r in results}
    lines += ["", "Against the targets:", ""]
    rates = [r["bytes"] / 1e6 / r["median"] for r in results]
    lines.append(f"- throughput ≥ {TARGET_MB_PER_S:g} MB/s: slowest {min(rates):.2f} MB/s — {_verdict(min(rates) >= TARGET_MB_PER_S)}")
    if 5000 in by_n:
        t5 = by_n[5000]["median"]
        floor = by_n[5000]["lark_alone"]
        lines.append(
            f"- 5,000 services < {TARGET_5000_SECONDS:g} s: {t5:.2f} s — {_verdict(t5 < TARGET_5000_SECONDS)}"
            f" (Lark alone takes {floor:.2f} s, {floor / TARGET_5000_SECONDS:.0%} of the budget)"
        )
    if 5000 in by_n and 1000 in by_n:
        ratio = by_n[5000]["median"] / by_n[1000]["median"]
        cpu_ratio = by_n[5000]["cpu_median"] / by_n[1000]["cpu_median"]
        lines.append(f"- time(5000) / time(1000) < {TARGET_RATIO:g} (5 is linear): {ratio:.2f} (CPU time: {cpu_ratio:.2f}) — {_verdict(ratio < TARGET_RATIO)}")
    peak = max(r["peak_mb"] for r in results)
    lines.append(f"- peak memory < {TARGET_PEAK_MB:g} MB: {peak:.0f} MB (whole process, max RSS) — {_verdict(peak < TARGET_PEAK_MB)}")
    return "\n".join(lines)


def write_doc(block: str, doc: Path = DOC, markers: tuple[str, str] = (START, END)) -> None:
    """Replace what lies between a pair of markers (this benchmark's by default) in the performance document."""
    first, last = markers
    text = doc.read_text(encoding="utf-8")
    head, start, rest = text.partition(first)
    _, end, tail = rest.partition(last)
    if not start or not end:
        raise SystemExit(f"{doc} lacks the {first} / {last} markers")
    doc.write_text(f"{head}{first}\n{block}\n{last}{tail}", encoding="utf-8")


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) == 4 and argv[1] == "--child":
        print(json.dumps(_child(int(argv[2]), int(argv[3]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", help="comma-separated service counts (default: 100,1000,5000)")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {DOC.relative_to(ROOT)} alone")
    args = parser.parse_args(argv[1:])
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else list(RUNS)
    results = []
    for n in sizes:
        runs = RUNS.get(n, 3 if n >= 5000 else 5)
        print(f"N={n}: {runs} runs ...", file=sys.stderr, flush=True)
        results.append(measure(n, runs))
    block = table(results)
    print(block)
    if not args.no_write:
        write_doc(block)
        print(f"\nwritten to {DOC.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
