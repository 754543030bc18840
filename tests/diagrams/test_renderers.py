"""Every diagram goes through the real renderers: Graphviz without a warning, Mermaid's parser and CLI."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from orion_dsl.backends.diagrams import VIEWS
from tests.diagrams.conftest import NASTY
from tests.support.renderers import mermaid_parse, render_dot


@pytest.mark.parametrize("view", VIEWS)
def test_seed_dot_renders_without_warnings(seed_files: dict[str, str], view: str) -> None:
    assert render_dot(seed_files[f"diagrams/{view}.dot"]).startswith(b"<?xml")


@pytest.mark.parametrize("view", VIEWS)
def test_hostile_dot_renders_without_warnings(nasty_files: dict[str, str], view: str) -> None:
    assert render_dot(nasty_files[f"diagrams/{view}.dot"]).startswith(b"<?xml")


def test_every_mermaid_file_parses(mmd_paths: dict[str, Path], example_mmd_paths: list[Path]) -> None:
    mermaid_parse([*mmd_paths.values(), *example_mmd_paths])


def test_seed_mermaid_renders_with_mermaid_cli(mermaid_svgs: dict[str, str]) -> None:
    seed = {stem: svg for stem, svg in mermaid_svgs.items() if stem.startswith("seed-")}
    assert sorted(seed) == sorted(f"seed-{v}" for v in VIEWS)
    assert "gateway" in seed["seed-topology"]


def test_hostile_mermaid_shows_the_text_as_written(mermaid_svgs: dict[str, str]) -> None:
    # Mermaid writes labels as HTML: the markup must arrive as text (&lt;b&gt;), not as a <b> element.
    assert html.escape(NASTY, quote=False) in mermaid_svgs["nasty-topology"]


def test_example_dot_renders_without_warnings(example_files: dict[str, str]) -> None:
    for path, text in example_files.items():
        if path.endswith(".dot"):
            assert render_dot(text).startswith(b"<?xml"), path
