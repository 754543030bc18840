"""Object names are made in one place: no module outside lowering/names.py builds one with an f-string."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAMING = ROOT / "orion_dsl" / "lowering" / "names.py"
_CORE = [p for p in (ROOT / "orion_dsl").rglob("*.py") if p.relative_to(ROOT / "orion_dsl").parts[0] != "backends"]  # backends/ is a symlink
SOURCES = sorted(p for p in (*_CORE, *(ROOT / "backends").rglob("*.py")) if p != NAMING)

#: Fields of Kubernetes and Istio objects that hold another object's name.
NAME_FIELDS = {"name", "secretName", "claimName", "serviceName", "configMap", "host", "hosts", "principals"}
#: The suffixes ORION's derived names end with (see lowering/names.py).
SUFFIXES = (
    *("-headless", "-primary", "-replica-", "-backup", "-egress", "-ingress", "-allow", "-jwt", "-archive", "-reader", "-tls"),
    *("-credentials", "-config", "-secrets", "-alerts", "-cluster", "-account-key", "-api-token", "-controller", "-blue", "-green"),
)


def _fstrings_naming_objects(tree: ast.AST) -> list[int]:
    """Lines of f-strings that are a name field's value, or end like one of ORION's derived names."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in NAME_FIELDS and isinstance(value, ast.JoinedStr):
                    found.append(value.lineno)
        if isinstance(node, ast.JoinedStr):
            literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
            if any(literal.endswith(s) or f"{s}{{" in literal for s in SUFFIXES) and not any(c in literal for c in " :;=,'\""):
                found.append(node.lineno)
    return found


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(ROOT)) for p in SOURCES])
def test_no_object_name_is_built_outside_the_naming_module(path: Path) -> None:
    lines = _fstrings_naming_objects(ast.parse(path.read_text(encoding="utf-8")))
    assert not lines, f"{path.relative_to(ROOT)} builds object names at lines {lines}: use orion_dsl/lowering/names.py"


def test_the_scan_finds_a_name_built_with_an_fstring() -> None:
    assert _fstrings_naming_objects(ast.parse('x = {"name": f"{w}-headless"}')) == [1, 1]
    assert _fstrings_naming_objects(ast.parse('y = f"{w.name}-backup"')) == [1]
