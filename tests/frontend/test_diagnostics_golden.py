"""Every diagnostic code a spec can get has a spec in tests/diagnostics/ and the exact text orion prints for it.

``<CODE>.orion`` is the code's first golden; a code whose messages differ in shape has one more
golden per message, ``<CODE>-<what>.orion`` (``E0216-rollout.orion``). Each golden's ``.expected``
is what orion prints for it. Regenerate after a deliberate wording change with
``ORION_UPDATE_GOLDENS=1 pytest tests/frontend/test_diagnostics_golden.py`` (``-k`` for the goldens
concerned) and review the diff like code.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from orion_dsl.codes import CODES
from orion_dsl.diagnostics import render_text
from orion_dsl.pipeline import analyze_source
from orion_dsl.source import SourceFile

GOLDENS = Path(__file__).resolve().parent.parent / "diagnostics"
SPECS = sorted(GOLDENS.glob("*.orion"))


def _code(spec: Path) -> str:
    """The code a golden spec is about: its name up to the first '-' (E0100-several-lines)."""
    return spec.stem.split("-")[0]


def _render(path: Path) -> str:
    """What orion prints for a golden spec, read from its bytes as orion reads a file (E0105 for bytes that are not UTF-8)."""
    source = SourceFile.decode(path.read_bytes(), path.name)
    analysis = analyze_source(source)
    return render_text(analysis.diagnostics, {source.name: source})


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_diagnostic_text_matches_golden(spec: Path) -> None:
    expected_path = spec.with_suffix(".expected")
    actual = _render(spec)
    if os.environ.get("ORION_UPDATE_GOLDENS"):
        expected_path.write_text(actual)
    assert actual == expected_path.read_text()


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_golden_spec_reports_its_own_code(spec: Path) -> None:
    assert f"[{_code(spec)}]" in _render(spec)


def test_every_code_a_spec_can_get_has_a_golden() -> None:
    """The E and W codes of the registry (the R and I codes come from compiling targets, not from analysing a spec)."""
    spec_codes = {c.name for c in CODES if c.name.startswith(("E", "W"))}
    assert spec_codes == {_code(p) for p in SPECS}
