"""Backends never import each other: what two of them share lives in backends/formats, which is no target."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from orion_dsl.backends import BACKENDS

ROOT = Path(__file__).resolve().parent.parent
TARGETS = sorted(BACKENDS)


def _imported(path: Path) -> set[str]:
    """Every module a Python file imports, by its full name (relative imports are inside the file's own backend)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


@pytest.mark.parametrize("target", TARGETS)
def test_a_backend_imports_no_other_backend(target: str) -> None:
    others = [BACKENDS[t] for t in TARGETS if t != target]
    found = {
        (str(path.relative_to(ROOT)), name)
        for path in sorted((ROOT / "backends" / target).rglob("*.py"))
        for name in _imported(path)
        if any(name == other or name.startswith(other + ".") for other in others)
    }
    assert not found


def test_the_shared_formats_are_no_target() -> None:
    assert "orion_dsl.backends.formats" not in BACKENDS.values()
