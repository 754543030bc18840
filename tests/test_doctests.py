"""The examples in docstrings run and hold: one test per module of orion_dsl/ and backends/ that has any.

Modules are found with :mod:`pkgutil` (``orion_dsl.backends`` is the top-level ``backends/``
folder), so a new module's doctests run without being listed here. A module is parametrized
when its text holds a ``>>>`` prompt, and its test requires that doctest ran at least one
example: a prompt doctest cannot find (in a comment, a private helper of a class it does not
reach) fails instead of passing with nothing checked.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
from pathlib import Path

import pytest

import orion_dsl

PACKAGE_ROOT = Path(orion_dsl.__file__).resolve().parent


def module_files() -> dict[str, Path]:
    """Every module of the orion_dsl package (itself and backends included) and its source file, by dotted name."""
    found = {"orion_dsl": PACKAGE_ROOT / "__init__.py"}
    for info in pkgutil.walk_packages(orion_dsl.__path__, prefix="orion_dsl."):
        spec = info.module_finder.find_spec(info.name, None)
        assert spec is not None and spec.origin is not None, info.name
        found[info.name] = Path(spec.origin)
    return found


MODULES = module_files()
WITH_EXAMPLES = sorted(name for name, path in MODULES.items() if ">>>" in path.read_text(encoding="utf-8"))


def test_discovery_reaches_every_module_of_both_folders() -> None:
    files = (Path(folder, name) for folder, _, names in os.walk(PACKAGE_ROOT, followlinks=True) for name in names if name.endswith(".py"))
    on_disk = {".".join(("orion_dsl", *path.relative_to(PACKAGE_ROOT).with_suffix("").parts)).removesuffix(".__init__") for path in files}
    assert set(MODULES) == on_disk
    assert any(name.startswith("orion_dsl.backends.") for name in WITH_EXAMPLES)


@pytest.mark.parametrize("module", WITH_EXAMPLES)
def test_doctests_of_module_pass(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module), report=True)
    assert result.attempted >= 1, f"{module} has a >>> prompt but doctest ran no example"
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {module} failed (doctest printed them above)"
