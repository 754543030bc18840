"""The benchmark's spec generator: its output is a clean, deterministic spec of N services."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from orion_dsl.pipeline import analyze_text

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "bench" / "generate.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load()


@pytest.mark.parametrize("n", [25, 200])
def test_spec_analyses_without_any_diagnostic(n: int) -> None:
    analysis = analyze_text(generate.generate(n), f"bench-{n}.orion")
    assert analysis.diagnostics == ()
    assert analysis.topology is not None


@pytest.mark.parametrize("n", [1, 25, 200])
def test_spec_has_n_services_each_calling_three_others(n: int) -> None:
    topology = analyze_text(generate.generate(n)).topology
    assert topology is not None
    names = {generate.service_name(i) for i in range(n)}
    services = [w for w in topology.workloads if w.name in names]
    assert len(services) == n
    for w in services:
        targets = [c.target for c in w.calls]
        assert len(targets) == min(3, n - 1), w.name
        assert len(set(targets)) == len(targets) and w.name not in targets
        assert set(targets) <= names
        assert {p.name for p in w.ports} >= {"http", "metrics"}
        assert w.autoscale is not None and w.addresses is not None


def test_every_service_has_its_own_address_range_sized_for_its_maximum() -> None:
    topology = analyze_text(generate.generate(60)).topology
    assert topology is not None
    for w in topology.workloads:
        assert w.addresses is not None
        assert int(w.addresses[1]) - int(w.addresses[0]) + 1 >= w.max_replicas


def test_output_is_identical_across_runs() -> None:
    assert generate.generate(200) == generate.generate(200)
    run = [sys.executable, str(GENERATOR), "37"]
    first = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    second = subprocess.run(run, capture_output=True, text=True, check=True).stdout
    assert first == second == generate.generate(37)


def test_different_sizes_differ() -> None:
    assert generate.generate(25) != generate.generate(26)


def test_rejects_bad_sizes() -> None:
    with pytest.raises(ValueError):
        generate.generate(0)
    done = subprocess.run([sys.executable, str(GENERATOR), "many"], capture_output=True, text=True, check=False)
    assert done.returncode == 2
