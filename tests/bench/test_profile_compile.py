"""The compile profiler runs a real compile and prints where its time went, both ways."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_profile_lists_the_compile_by_cumulative_and_by_own_time(clock: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "profile_compile.py"), "20", "-t", "kubernetes", "--top", "5", "--clock", clock],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "## top 5 by cumulative time" in done.stdout and "## top 5 by own time" in done.stdout
    assert "cli.py:" in done.stdout  # the compile itself, not only the warm-up, was profiled
    assert "kubernetes: " in done.stderr  # and it wrote its files
