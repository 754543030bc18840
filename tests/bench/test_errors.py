"""The error benchmark's inputs are what docs/PERFORMANCE.md says they are."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from orion_dsl import diagnostics
from orion_dsl.pipeline import analyze_text

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_errors", ROOT / "bench" / "errors.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


errors = _load()


def test_each_input_has_at_least_the_size_asked_for() -> None:
    for make in errors.INPUTS.values():
        assert len(make(50_000).encode()) >= 50_000


def test_every_seed_copy_after_the_first_adds_the_same_errors() -> None:
    seed = len(errors.SEED.read_bytes())
    two, three = (analyze_text(errors.seed_copies(n * seed)).diagnostics for n in (2, 3))
    assert two and all(d.is_error for d in three)
    assert len(three) == 2 * len(two)


def test_misspelt_calls_need_a_did_you_mean_for_every_call_target() -> None:
    text = errors.misspelt_calls(30_000)
    calls = sum(line.count(":http") for line in text.splitlines() if line.startswith("    calls "))
    diagnostics = analyze_text(text).diagnostics
    assert len(diagnostics) == calls
    assert all(d.code == "E0201" and d.help.startswith("did you mean") for d in diagnostics)


def test_the_long_string_is_one_e0106() -> None:
    assert [d.code for d in analyze_text(errors.long_string(100_000)).diagnostics] == ["E0106"]


@pytest.mark.parametrize("port", [":http", ""], ids=["target-and-port", "target-alone"])
def test_misspelt_call_targets_never_prepare_the_workloads_again_per_name(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    # Preparing all workloads as candidates for each misspelt name made 50,000 of them take minutes.
    prepared: list[int] = []
    real = diagnostics._suggestions
    monkeypatch.setattr(diagnostics, "_suggestions", lambda candidates: prepared.append(len(candidates)) or real(candidates))
    text = errors.misspelt_calls(100_000).replace(":http", port)
    assert text.count("\n  service ") > diagnostics.SCAN_LIMIT  # enough workloads to need the index
    assert len(analyze_text(text).diagnostics) > diagnostics.SCAN_LIMIT
    assert all(size <= diagnostics.SCAN_LIMIT for size in prepared)
