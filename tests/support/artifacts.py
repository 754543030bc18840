"""Rendered files as tests read them."""

from __future__ import annotations

from collections.abc import Sequence

from orion_dsl.artifacts import Artifact


def by_path(artifacts: Sequence[Artifact]) -> dict[str, str]:
    """Artifacts as a path -> text mapping, to look files up by name."""
    return {a.path: a.text for a in artifacts}
