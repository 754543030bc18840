"""Every view of every sound topology lays out through the real Graphviz with no error and no warning.

Graphviz's old ranker stops with "trouble in init_rank" or "lost ... edge" on ordinary
graphs with clusters (a third of mutated seeds did); the emitter uses ``newrank=true``.
These tests draw generated topologies (bench/generate.py at several sizes, whose calls
are seeded by the size) and mutants of them, of the seed and of the examples.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orion_dsl.backends.diagrams import VIEWS, dot
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.views import build_view
from tests.support.renderers import render_dot

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402  (bench/ is not a package)

#: Generated sizes: below and above the grouping threshold (40 workloads), up to 1,000 services.
SIZES = (1, 3, 12, 19, 33, 60, 140, 1000)
BASES = [
    (ROOT / "specs" / "orion.orion").read_text(),
    *(p.read_text() for p in sorted((ROOT / "examples").glob("*.orion"))),
    *(generate(n) for n in (4, 15, 36, 50)),
]


def _sound(text: str) -> Topology | None:
    return analyze_text(text, "generated.orion").topology


def _assert_every_view_lays_out(topology: Topology) -> None:
    for view in VIEWS:
        text = dot.emit(build_view(topology, view))
        try:
            render_dot(text)
        except AssertionError as exc:
            raise AssertionError(f"view {view}: {exc}") from None


@pytest.mark.parametrize("size", SIZES)
def test_every_view_of_a_generated_topology_lays_out_without_warnings(size: int) -> None:
    topology = _sound(generate(size))
    assert topology is not None
    _assert_every_view_lays_out(topology)


_edit = st.tuples(st.sampled_from(["delete", "duplicate"]), st.integers(0, 10_000), st.integers(0, 10_000))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.integers(0, len(BASES) - 1), st.lists(_edit, min_size=1, max_size=3))
def test_every_view_of_a_sound_mutant_lays_out_without_warnings(which: int, edits: list[tuple[str, int, int]]) -> None:
    lines = BASES[which].splitlines(keepends=True)
    for kind, i, j in edits:
        i %= len(lines)
        if kind == "delete":
            del lines[i]
        else:
            lines.insert(j % len(lines), lines[i])
    topology = _sound("".join(lines))
    if topology is not None:
        _assert_every_view_lays_out(topology)


def test_the_seed_without_analytics_calling_postgres_lays_out() -> None:
    """The mutant that made Graphviz's old ranker stop ("trouble in init_rank") in the policies view."""
    seed = (ROOT / "specs" / "orion.orion").read_text()
    analytics = seed.index("service analytics {")
    call = seed.index("    calls postgres:sql\n", analytics)
    topology = _sound(seed[:call] + seed[call + len("    calls postgres:sql\n") :])
    assert topology is not None
    _assert_every_view_lays_out(topology)
