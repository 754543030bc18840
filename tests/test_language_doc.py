"""docs/LANGUAGE.md stays true: every ```orion block parses, and every keyword is documented."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from orion_dsl import declarations as decl
from orion_dsl import parser
from orion_dsl.decode import Decl, specs
from orion_dsl.source import SourceFile

DOC = Path(__file__).resolve().parent.parent / "docs" / "LANGUAGE.md"
TEXT = DOC.read_text(encoding="utf-8")
FENCE = re.compile(r"^```orion[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def _blocks() -> list[tuple[int, str]]:
    """Each ```orion block with the line its code starts on."""
    return [(TEXT.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in FENCE.finditer(TEXT)]


BLOCKS = _blocks()



def _declaration_classes() -> list[type]:
    return [c for _, c in inspect.getmembers(decl, inspect.isclass) if issubclass(c, Decl) and c is not Decl and c.__module__ == decl.__name__]


def _keywords() -> dict[str, set[str]]:
    """Every keyword (and positional argument name) of the vocabulary -> the classes that use it."""
    found: dict[str, set[str]] = {}
    for cls in _declaration_classes():
        for _, spec in specs(cls):
            found.setdefault(spec.keyword, set()).add(cls.__name__)
    return found


def test_the_document_has_examples() -> None:
    assert len(BLOCKS) >= 40


@pytest.mark.parametrize(("line", "code"), BLOCKS, ids=[f"block-{i}-line-{line}" for i, (line, _) in enumerate(BLOCKS, 1)])
def test_every_orion_block_parses(line: int, code: str) -> None:
    source = SourceFile(f"{DOC.name}:{line}", code)
    tree, diagnostics = parser.parse(source)
    assert not diagnostics, "\n".join(f"line {line + (d.span.line - 1 if d.span else 0)}: {d.code} {d.summary} ({d.help})" for d in diagnostics)
    assert tree is not None


def test_every_keyword_is_documented_in_backticks() -> None:
    inline = set(re.findall(r"`([^`\n]+)`", FENCE.sub("", TEXT)))
    missing = {kw: sorted(classes) for kw, classes in _keywords().items() if kw not in inline}
    assert not missing, f"keywords missing from {DOC.name} (write them as `keyword`): {missing}"


def test_the_vocabulary_is_found() -> None:
    keywords = _keywords()
    assert {"topology", "namespace", "service", "calls", "quota", "circuit_breaker"} <= set(keywords)
    assert len(_declaration_classes()) >= 50


def test_every_diagnostic_code_is_in_the_table() -> None:
    root = DOC.parent.parent
    codes = set()
    for path in (root / "orion_dsl").rglob("*.py"):
        codes |= set(re.findall(r"\"([EW]0\d{3})\"", path.read_text(encoding="utf-8")))
    rows = set(re.findall(r"^\| `([EW]0\d{3})` \|", TEXT, re.MULTILINE))
    assert codes, "no diagnostic codes found in the sources"
    assert codes <= rows, f"codes missing from the diagnostics table: {sorted(codes - rows)}"
