"""The re-compile benchmark runs every step on a real spec and prints its table and verdict."""

from __future__ import annotations

from tests.bench import run_bench


def test_recompile_bench_prints_every_step_and_the_verdict() -> None:
    done = run_bench("recompile.py", "--services", "20", "--rounds", "1", "--no-write")
    steps = [line.split(" | ")[0].removeprefix("| ") for line in done.stdout.splitlines() if line.startswith("| ") and not line.startswith("| step")]
    assert steps == ["first", "unchanged", "rebuild", "one line edited"]
    assert "An unchanged re-compile is" in done.stdout
