"""The grammar itself: LALR without conflicts, terminals that never collide, the lexing the docs promise."""

from __future__ import annotations

import pytest
from lark import Lark

from orion_dsl.parser import grammar_path, parse
from orion_dsl.source import SourceFile
from orion_dsl.syntax import ArgKind


def test_grammar_builds_in_strict_mode_with_no_conflicts_or_collisions() -> None:
    Lark.open(str(grammar_path()), parser="lalr", lexer="contextual", strict=True)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("10.0.1.0/24", ArgKind.CIDR),
        ("10.0.1.10", ArgKind.ADDRESS),
        ("02:00", ArgKind.TIME),
        ("70%", ArgKind.PERCENT),
        ("53/udp", ArgKind.PORT_PROTOCOL),
        ("500m", ArgKind.QUANTITY),
        ("3", ArgKind.NUMBER),
        ("orion-gateway", ArgKind.WORD),
        ('"a \\"b\\""', ArgKind.STRING),
        ("auth:http", ArgKind.PORT_REF),
        ("3..10", ArgKind.RANGE),
        ("->", ArgKind.ARROW),
    ],
)
def test_each_argument_shape_lexes_as_documented(text: str, kind: ArgKind) -> None:
    statements, diagnostics = parse(SourceFile("x.orion", f"key {text}\n"))
    assert diagnostics == []
    assert [a.kind for a in statements[0].args] == [kind]


def test_a_name_followed_by_an_arrow_is_two_tokens() -> None:
    statements, _ = parse(SourceFile("x.orion", "deny gateway->auth\n"))
    assert [a.text for a in statements[0].args] == ["gateway", "->", "auth"]


def test_string_escapes_are_decoded() -> None:
    statements, _ = parse(SourceFile("x.orion", 'k "tab\\there \\u00e9 \\"q\\""\n'))
    assert statements[0].args[0].text == 'tab\there é "q"'
