"""What the README shows is what orion does: the seed diagram, the example spec and its output."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from orion_dsl.backends.diagrams import render_view
from orion_dsl.cli import cli
from orion_dsl.model import Topology

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_topology_svg_is_what_orion_draws_today(seed: Topology) -> None:
    assert (ROOT / "docs" / "images" / "orion-topology.svg").read_text() == render_view(seed, "topology", "svg")


def test_readme_spec_is_the_minimal_example() -> None:
    example = (ROOT / "examples" / "minimal.orion").read_text()
    body = "\n".join(line for line in example.splitlines() if not line.startswith("#")).strip()
    assert f"```orion\n{body}\n```" in README


def test_readme_compile_output_is_what_orion_prints(tmp_path: Path) -> None:
    shown = re.search(r"\$ orion compile examples/minimal.orion -o out\n(.*?)```", README, re.S)
    assert shown is not None
    result = CliRunner().invoke(cli, ["compile", str(ROOT / "examples" / "minimal.orion"), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0
    assert result.stderr.replace(str(tmp_path) + "/", "") == shown.group(1)


def test_readme_quick_start_names_the_two_make_targets() -> None:
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make compile" in quick and "make test" in quick
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^compile:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
