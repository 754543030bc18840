"""Every spec in examples/ is sound: no errors, no warnings, and `orion check --strict` agrees."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orion_dsl.diagnostics import render_text
from orion_dsl.pipeline import analyze_file, decode_spec, parse_statements
from orion_dsl.source import SourceFile

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.orion"))
ORION = Path(sys.executable).parent / "orion"


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 7


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_has_no_errors_and_no_warnings(path: Path) -> None:
    analysis = analyze_file(path)
    shown = [d for d in analysis.diagnostics if d.severity.value in ("error", "warning")]
    assert analysis.ok and not shown, render_text(shown, {analysis.source.name: analysis.source})


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_says_its_idea_first(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# "), f"{path.name} should start with a comment saying the one idea it shows"


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_closes_the_network(path: Path) -> None:
    """Each example writes out the posture orion would apply anyway, so a reader copying it sees it; open
    internet egress only as the explicit opt-out ``internet allow`` (examples/placement.orion shows it).

    The model cannot tell: it holds ``dns`` as True when the line is left out, and no
    ``default`` or ``internet`` at all. So the declarations, as written, are read.
    """
    source = SourceFile.read(path)
    statements, syntax_errors = parse_statements(source)
    assert not syntax_errors
    network = decode_spec(source, statements)[0].network
    assert network is not None, f"{path.name} should have a network block"
    stated = {keyword: getattr(getattr(network, keyword), "value", None) for keyword in ("default", "dns", "internet")}
    internet = stated.pop("internet")
    assert stated == {"default": "deny", "dns": "allow"} and internet in ("deny", "allow"), (
        f"{path.name} should say `default deny`, `dns allow` and `internet deny` (or, explicitly, `internet allow`)"
    )
    assert network.subnets, f"{path.name} should declare a subnet"


def test_orion_check_strict_accepts_every_example() -> None:
    result = subprocess.run(
        [str(ORION), "check", "--strict", *(str(p.relative_to(ROOT)) for p in EXAMPLES)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for path in EXAMPLES:
        assert f"{path.relative_to(ROOT)}: ok (0 errors, 0 warnings)" in result.stderr
