"""The compile profiler runs a real compile and prints where its time went, both ways."""

from __future__ import annotations

import pytest

from tests.bench import run_bench


@pytest.mark.parametrize("clock", ["wall", "cpu"])
def test_profile_lists_the_compile_by_cumulative_and_by_own_time(clock: str) -> None:
    done = run_bench("profile_compile.py", "20", "-t", "kubernetes", "--top", "5", "--clock", clock)
    assert "## top 5 by cumulative time" in done.stdout and "## top 5 by own time" in done.stdout
    assert "cli.py:" in done.stdout  # the compile itself, not only the warm-up, was profiled
    assert "kubernetes: " in done.stderr  # and it wrote its files
