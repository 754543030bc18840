"""The phase timer runs a real compile, phase by phase, and prints a line for each phase."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_phases_prints_every_target_and_the_writing() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "phases.py"), "20", "--rounds", "2"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    phases = [line.split()[0] for line in done.stdout.splitlines()[1:]]
    assert phases == ["front", "kubernetes", "istio", "diagrams", "docs", "writing", "total", "peak"]
