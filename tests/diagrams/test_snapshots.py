"""Snapshots of every view of the seed, Mermaid and DOT, stored with their real extensions."""

from __future__ import annotations

import pytest

from orion_dsl.backends.diagrams import VIEWS
from tests.support.snapshots import DotSnapshot, MermaidSnapshot


@pytest.mark.parametrize("view", VIEWS)
def test_seed_mermaid_snapshot(seed_files: dict[str, str], view: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert seed_files[f"diagrams/{view}.mmd"] == snapshot.use_extension(MermaidSnapshot)


@pytest.mark.parametrize("view", VIEWS)
def test_seed_dot_snapshot(seed_files: dict[str, str], view: str, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert seed_files[f"diagrams/{view}.dot"] == snapshot.use_extension(DotSnapshot)
