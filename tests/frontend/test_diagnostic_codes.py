"""The registry of diagnostic codes (orion_dsl/codes.py) is the one list: the sources use exactly its
codes, each of its family's severity, the language reference lists them, and no diagnostic can be
built with another code or severity."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from orion_dsl import codes
from orion_dsl.codes import CODE_PATTERN, CODES, FAMILIES, REGISTRY
from orion_dsl.diagnostics import Diagnostic, error, info, warning
from orion_dsl.source import Span

ROOT = Path(__file__).resolve().parents[2]
#: The code trees: the package and the backends (orion_dsl/backends is a link to backends/).
SOURCES = (ROOT / "orion_dsl", ROOT / "backends")
LANGUAGE = ROOT / "docs" / "LANGUAGE.md"
SPAN = Span("x.orion", 1, 1, 1, 2)


def _codes_in_the_sources() -> dict[str, list[str]]:
    """Every quoted code (``"E0201"``) in the code trees, but the registry's own, with the files that use it."""
    found: dict[str, list[str]] = {}
    for tree in SOURCES:
        for path in sorted(tree.rglob("*.py")):
            if path.resolve() == Path(codes.__file__).resolve():
                continue
            for name in re.findall(r"\"([A-Z][0-9]{4})\"", path.read_text(encoding="utf-8")):
                found.setdefault(name, []).append(path.relative_to(ROOT).as_posix())
    return found


def _diagnostics_section() -> str:
    """Section 6 of the language reference, where the codes are listed."""
    text = LANGUAGE.read_text(encoding="utf-8")
    start = text.index("\n## 6. Diagnostics")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _documented() -> dict[str, str]:
    """The codes the rows of section 6's tables name, with the severity the row gives."""
    return dict(re.findall(r"^\| `([A-Z][0-9]{4})` \| (\w+) \|", _diagnostics_section(), re.MULTILINE))


def test_the_sources_use_codes() -> None:
    assert len(_codes_in_the_sources()) >= 50


def test_every_code_in_the_sources_is_registered() -> None:
    unregistered = {name: files for name, files in _codes_in_the_sources().items() if name not in REGISTRY}
    assert not unregistered, f"codes used but not registered in orion_dsl/codes.py: {unregistered}"


def test_every_registered_code_is_used_in_the_sources() -> None:
    unused = sorted(set(REGISTRY) - set(_codes_in_the_sources()))
    assert not unused, f"codes registered in orion_dsl/codes.py that nothing reports: {unused}"


def test_every_code_is_registered_once() -> None:
    assert len(REGISTRY) == len(CODES)


@pytest.mark.parametrize("code", CODES, ids=[c.name for c in CODES])
def test_a_code_has_the_shape_and_severity_of_its_family(code: codes.Code) -> None:
    assert CODE_PATTERN.fullmatch(code.name)
    assert code.severity is code.family.severity
    assert code.meaning and "\n" not in code.meaning


def test_every_family_has_codes() -> None:
    assert all(any(c.family is family for c in CODES) for family in FAMILIES)


@pytest.mark.parametrize("code", CODES, ids=[c.name for c in CODES])
def test_every_registered_code_is_in_the_language_reference_with_its_severity(code: codes.Code) -> None:
    assert _documented().get(code.name) == code.severity.value


def test_the_language_reference_lists_no_code_that_is_not_registered() -> None:
    assert set(_documented()) <= set(REGISTRY)


def test_a_diagnostic_with_an_unregistered_code_is_a_bug() -> None:
    with pytest.raises(AssertionError, match="E0999.* is not registered"):
        error("E0999", SPAN, "no such problem")


@pytest.mark.parametrize(
    ("make", "name"),
    [(warning, "E0201"), (error, "W0301"), (info, "R0601"), (error, "I1060")],
    ids=["error-as-warning", "warning-as-error", "warning-as-info", "info-as-error"],
)
def test_a_diagnostic_of_another_severity_than_its_code_is_a_bug(make: Callable[..., Diagnostic], name: str) -> None:
    with pytest.raises(AssertionError, match=f"{name} is registered as"):
        make(name, SPAN, "a problem")
