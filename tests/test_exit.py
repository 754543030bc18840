"""``python -m orion_dsl`` (and the ``orion`` script) end the process without tearing the interpreter down (cli.run).

What a command prints must all arrive, however long, and its exit status must be the command's:
the output is flushed before the process ends. Each test runs the real command in a fresh process,
its output piped (a pipe holds 64 KiB: longer output is written while the reader reads).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from orion_dsl.diagnostics import render_json
from orion_dsl.pipeline import analyze_text
from tests.conftest import ROOT, SEED_SPEC

sys.path.insert(0, str(ROOT / "bench"))
from errors import misspelt_calls  # noqa: E402


def _orion(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "orion_dsl", *args], capture_output=True, text=True, timeout=120, check=False, cwd=ROOT)


def test_every_diagnostic_of_a_long_report_arrives_and_the_command_fails(tmp_path: Path) -> None:
    text = misspelt_calls(100_000)
    spec = tmp_path / "misspelt.orion"
    spec.write_text(text, encoding="utf-8")
    done = _orion("check", "--format", "json", str(spec))
    expected = render_json(analyze_text(text, str(spec)).diagnostics)
    assert len(done.stdout) > 65_536
    assert done.stdout == expected
    assert json.loads(done.stdout)
    assert done.returncode == 1


def test_a_text_report_arrives_whole_on_stderr_with_its_summary_last(tmp_path: Path) -> None:
    spec = tmp_path / "misspelt.orion"
    spec.write_text(misspelt_calls(100_000), encoding="utf-8")
    done = _orion("check", "--max-errors", "0", "--color", "never", str(spec))
    assert len(done.stderr) > 65_536
    assert done.stderr.rstrip().splitlines()[-1].startswith(f"{spec}: ")
    assert done.returncode == 1


def test_a_sound_spec_exits_zero_and_a_usage_error_two() -> None:
    assert _orion("check", str(SEED_SPEC)).returncode == 0
    assert _orion("check", "--max-errors", "-1", str(SEED_SPEC)).returncode == 2
