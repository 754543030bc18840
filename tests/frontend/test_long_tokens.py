"""Long strings and tokens: lexed in memory proportional to their length, refused past a limit with E0106."""

from __future__ import annotations

import tracemalloc

import pytest

from orion_dsl.parser import parse
from orion_dsl.pipeline import analyze_text
from orion_dsl.source import SourceFile
from orion_dsl.syntax_builder import MAX_STRING_CHARS, MAX_TOKEN_CHARS, unescape


def _peak_bytes_of_parsing(text: str) -> int:
    parse(SourceFile("warm.orion", 'k "x"\n'))  # the parser is built outside the measurement
    tracemalloc.start()
    try:
        parse(SourceFile("x.orion", text))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("body", ["a" * 300_000, "a\\n" * 100_000], ids=["plain", "escapes"])
def test_lexing_a_long_string_takes_memory_proportional_to_its_length(body: str) -> None:
    # The regex engine once kept backtracking state per character: ~150 bytes each.
    assert _peak_bytes_of_parsing(f'k "{body}"\n') < 10 * len(body)


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        ('"plain"', "plain"),
        ('"tab\\there"', "tab\there"),
        ('"\\"q\\" \\\\ \\n"', '"q" \\ \n'),
        ('"caf\\u00e9 \\u00E9"', "café é"),
        ('"\\d+ \\u12 \\uzzzz"', "\\d+ \\u12 \\uzzzz"),
    ],
)
def test_unescape_decodes_the_documented_escapes_and_keeps_others(literal: str, value: str) -> None:
    assert unescape(literal) == value


def test_a_string_at_the_limit_is_read() -> None:
    statements, diagnostics = parse(SourceFile("x.orion", f'k "{"a" * MAX_STRING_CHARS}"\n'))
    assert diagnostics == [] and len(statements[0].args[0].text) == MAX_STRING_CHARS


def test_a_string_past_the_limit_is_e0106_at_its_opening_quote() -> None:
    _, diagnostics = parse(SourceFile("x.orion", f'topology t\nk 1 "{"a" * (MAX_STRING_CHARS + 1)}"\n'))
    [d] = diagnostics
    assert (d.code, str(d.span)) == ("E0106", "x.orion:2:5")
    assert f"{MAX_STRING_CHARS + 1:,} characters" in d.summary and d.help


@pytest.mark.parametrize("token", ["9" * (MAX_TOKEN_CHARS + 1), "n" * (MAX_TOKEN_CHARS + 1)], ids=["number", "name"])
def test_a_name_or_number_past_the_limit_is_e0106(token: str) -> None:
    analysis = analyze_text(f'topology t {{ version "1" }}\nk {token}\n')
    assert [d.code for d in analysis.diagnostics] == ["E0106"]


def test_a_huge_number_is_a_diagnostic_not_a_crash() -> None:
    # int() refuses more than 4,300 digits; the token limit stops such a number first.
    analysis = analyze_text(f'topology t {{ version "1" }}\nnamespace a {{ service b {{ replicas {"9" * 5000} }} }}\n')
    assert [d.code for d in analysis.diagnostics] == ["E0106"]


def test_a_keyword_past_the_limit_is_e0106() -> None:
    _, diagnostics = parse(SourceFile("x.orion", "k" * (MAX_TOKEN_CHARS + 1) + " 1\n"))
    assert [d.code for d in diagnostics] == ["E0106"]


def test_after_a_syntax_error_the_rest_of_the_file_builds_no_tree() -> None:
    # An unterminated string turns the rest of its line into arguments: 100,000 here.
    text = 'topology t { description "' + "a b " * 50_000 + "}\n"
    peak = _peak_bytes_of_parsing(text)
    _, diagnostics = parse(SourceFile("x.orion", text))
    assert [d.code for d in diagnostics] == ["E0102"]
    assert peak < 4 * len(text)  # a syntax tree of it took about 150 bytes per character
