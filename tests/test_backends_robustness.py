"""Any spec that analyses clean compiles: no backend raises on a mutated seed or example, nor writes two artifacts to one file."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orion_dsl.backends import BACKENDS, lookup
from orion_dsl.pipeline import analyze_text

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "specs" / "orion.orion", *sorted((ROOT / "examples").glob("*.orion"))]
TEXTS = [p.read_text().splitlines(keepends=True) for p in SOURCES]

_edit = st.tuples(st.sampled_from(["delete", "duplicate"]), st.integers(0, 10_000), st.integers(0, 10_000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.integers(0, len(TEXTS) - 1), st.lists(_edit, min_size=1, max_size=4))
def test_every_backend_renders_every_sound_mutant(which: int, edits: list[tuple[str, int, int]]) -> None:
    lines = list(TEXTS[which])
    for kind, i, j in edits:
        if not lines:
            break
        i %= len(lines)
        if kind == "delete":
            del lines[i]
        else:
            lines.insert(j % len(lines), lines[i])
    analysis = analyze_text("".join(lines), "mutant.orion")
    if analysis.topology is None:
        return
    for name in BACKENDS:
        paths = [artifact.path for artifact in lookup(name)(analysis.plan).artifacts]
        assert len(set(paths)) == len(paths), f"{name}: two artifacts share a file"
