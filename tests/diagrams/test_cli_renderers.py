"""What ``orion compile`` and ``orion diagram`` do when Graphviz is missing, and what ``--check`` compares."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from orion_dsl.backends.diagrams import VIEWS
from orion_dsl.cli import cli

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "specs" / "orion.orion"
sys.path.insert(0, str(ROOT / "bench"))
from generate import generate  # noqa: E402  (bench/ is not a package)


def _orion(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _no_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("orion_dsl.backends.diagrams.dot.shutil.which", lambda name: None)


def test_compile_without_graphviz_writes_mermaid_and_dot_and_warns_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    result = _orion("compile", str(SEED), "-o", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "diagrams").iterdir())
    assert written == sorted(f"{v}.{ext}" for v in VIEWS for ext in ("mmd", "dot"))
    warnings = [line for line in result.stderr.splitlines() if "warning[" in line]
    assert len(warnings) == 1 and "R0601" in warnings[0] and "diagrams/topology.svg" in warnings[0]
    assert "apt-get install graphviz" in result.stderr and "bug" not in result.stderr


def test_diagram_svg_without_graphviz_is_a_usage_error_saying_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    result = _orion("diagram", str(SEED), "--view", "mesh", "--format", "svg")
    assert result.exit_code == 2
    assert "apt-get install graphviz" in result.stderr and "bug" not in result.stderr


def test_diagram_mermaid_needs_no_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_graphviz(monkeypatch)
    result = _orion("diagram", str(SEED), "--view", "mesh", "--format", "mermaid")
    assert result.exit_code == 0 and result.stdout.startswith("%% ORION mesh view")


def test_check_does_not_compare_images_and_says_so(tmp_path: Path) -> None:
    assert _orion("compile", str(SEED), "-o", str(tmp_path)).exit_code == 0
    (tmp_path / "diagrams" / "mesh.svg").write_text("<svg>laid out by another Graphviz</svg>")
    result = _orion("compile", str(SEED), "-o", str(tmp_path), "--check")
    assert result.exit_code == 0, result.stderr
    assert f"{len(VIEWS)} rendered images not compared: they depend on the local Graphviz" in result.stderr


def test_check_still_compares_the_dot_files(tmp_path: Path) -> None:
    assert _orion("compile", str(SEED), "-o", str(tmp_path)).exit_code == 0
    (tmp_path / "diagrams" / "mesh.dot").write_text("digraph {}\n")
    result = _orion("compile", str(SEED), "-o", str(tmp_path), "--check")
    assert result.exit_code == 1 and "differs:" in result.stderr and "mesh.dot" in result.stderr


def test_check_on_a_machine_without_graphviz_accepts_the_images_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _orion("compile", str(SEED), "-o", str(tmp_path)).exit_code == 0
    _no_graphviz(monkeypatch)
    result = _orion("compile", str(SEED), "-o", str(tmp_path), "--check")
    assert result.exit_code == 0, result.stderr


def test_compile_of_the_generated_100_services_writes_every_diagram(tmp_path: Path) -> None:
    spec = tmp_path / "s100.orion"
    spec.write_text(generate(100))
    result = _orion("compile", str(spec), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    assert len(list((tmp_path / "out" / "diagrams").glob("*.svg"))) == len(VIEWS)
    assert "warning" not in result.stderr
