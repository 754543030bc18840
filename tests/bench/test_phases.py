"""The phase timer runs a real compile, phase by phase, and prints a line for each phase."""

from __future__ import annotations

from tests.bench import run_bench


def test_phases_prints_every_target_and_the_writing() -> None:
    done = run_bench("phases.py", "20", "--rounds", "2")
    phases = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert phases == ["front", "kubernetes", "istio", "diagrams", "docs", "writing", "total", "peak"]
