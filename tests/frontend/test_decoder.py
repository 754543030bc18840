"""The decoder: statements -> declarations, each rule on a small vocabulary of its own.

The vocabulary below is the tests', not ORION's, so that each test shows one rule of
:mod:`orion_dsl.decode` whatever keywords the language has; the text is parsed by the
real parser. ORION's own vocabulary is exercised by the goldens and the examples.
"""

from __future__ import annotations

import attrs

from orion_dsl import values as v
from orion_dsl.decode import Decl, L, child, decode_file, mapping, option, positional
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.parser import parse
from orion_dsl.source import SourceFile, Span


@attrs.frozen
class Lid(Decl):
    """``lid { depth 2 }``: a block written at most once."""

    depth: L[int] | None = option("depth", v.INT)


@attrs.frozen
class Item(Decl):
    """``item NAME``: a repeatable statement that takes no block."""

    name: L[str] | None = positional("name", v.NAME)


@attrs.frozen
class Box(Decl):
    """``box NAME [size N] { ... }``: one of every kind of field."""

    name: L[str] | None = positional("name", v.NAME)
    size: L[int] | None = option("size", v.INT)
    label: L[str] | None = option("label", v.TEXT)
    colour: L[str] | None = option("colour", v.enum("red", "green", "blue"))
    sealed: L[bool] | None = option("sealed", v.SWITCH, flag=True)
    tags: tuple[L[str], ...] = option("tags", v.TEXT, listed=True)
    lid: Lid | None = child("lid", Lid)
    items: tuple[Item, ...] = child("item", Item, many=True)
    labels: tuple[L[tuple[str, str]], ...] = mapping("labels")


@attrs.frozen
class Shelf(Decl):
    """A file of boxes; ``owner`` must be written."""

    owner: L[str] | None = option("owner", v.TEXT, required=True)
    boxes: tuple[Box, ...] = child("box", Box, many=True)


def decoded(text: str) -> tuple[Shelf, list[Diagnostic]]:
    """Parse ``text`` (it must be free of syntax errors) and decode it as a :class:`Shelf`."""
    statements, syntax_errors = parse(SourceFile("shelf.orion", text))
    assert not syntax_errors, syntax_errors
    diags: list[Diagnostic] = []
    shelf = decode_file(Shelf, statements, Span("shelf.orion", 1, 1, 1, 1), diags)
    assert isinstance(shelf, Shelf)
    return shelf, diags


def only_box(text: str) -> tuple[Box, list[Diagnostic]]:
    """Decode ``owner "me"`` followed by ``text``, which holds one box."""
    shelf, diags = decoded('owner "me"\n' + text)
    assert len(shelf.boxes) == 1
    return shelf.boxes[0], diags


def codes(diags: list[Diagnostic]) -> list[str]:
    """The codes of the diagnostics, in the order they were reported."""
    return [d.code for d in diags]


def test_values_are_read_with_the_position_they_were_written_at() -> None:
    box, diags = only_box('box a {\n  size 3\n  label "small"\n}\n')
    assert diags == []
    assert box.name is not None and box.size is not None and box.label is not None
    assert (box.name.value, box.size.value, box.label.value) == ("a", 3, "small")
    assert (box.size.span.line, box.size.span.column) == (3, 8)


def test_an_option_may_be_written_inline_after_the_positionals() -> None:
    box, diags = only_box("box a size 3\n")
    assert diags == [] and box.size is not None and box.size.value == 3


def test_a_flag_written_alone_means_on() -> None:
    box, diags = only_box("box a { sealed }\n")
    assert diags == [] and box.sealed is not None and box.sealed.value is True


def test_a_listed_option_takes_comma_separated_values_in_order() -> None:
    box, diags = only_box('box a { tags "x", "y", "z" }\n')
    assert diags == [] and [t.value for t in box.tags] == ["x", "y", "z"]


def test_a_repeatable_block_keeps_every_occurrence_in_order() -> None:
    box, diags = only_box("box a {\n  item one\n  item two\n}\n")
    assert diags == [] and [i.name.value for i in box.items if i.name is not None] == ["one", "two"]


def test_a_nested_block_is_decoded_as_its_own_declaration() -> None:
    box, diags = only_box("box a { lid { depth 2 } }\n")
    assert diags == [] and box.lid is not None and box.lid.depth is not None and box.lid.depth.value == 2


def test_mapping_entries_are_read_as_key_value_pairs() -> None:
    box, diags = only_box('box a { labels { team "core"; tier "gold" } }\n')
    assert diags == [] and [p.value for p in box.labels] == [("team", "core"), ("tier", "gold")]


def test_an_unknown_keyword_is_E0110_with_a_did_you_mean() -> None:
    _, diags = only_box("box a { sise 3 }\n")
    assert codes(diags) == ["E0110"]
    span = diags[0].span
    assert span is not None and (span.line, span.column) == (2, 9)
    assert 'did you mean "size"' in diags[0].help


def test_an_unknown_keyword_at_the_top_level_names_the_top_level() -> None:
    _, diags = decoded('owner "me"\nbax a\n')
    assert codes(diags) == ["E0110"] and "at the top level" in diags[0].summary and 'did you mean "box"' in diags[0].help


def test_an_unknown_keyword_does_not_lose_the_rest_of_the_block() -> None:
    box, diags = only_box('box a {\n  sise 3\n  label "kept"\n}\n')
    assert codes(diags) == ["E0110"] and box.label is not None and box.label.value == "kept"


def test_a_value_of_the_wrong_kind_is_E0111_saying_what_is_expected() -> None:
    box, diags = only_box('box a { size "three" }\n')
    assert codes(diags) == ["E0111"] and "a whole number" in diags[0].summary and box.size is None


def test_a_value_of_the_right_kind_but_not_allowed_is_E0120() -> None:
    box, diags = only_box("box a { size 99999999999 }\n")
    assert codes(diags) == ["E0120"] and box.size is None


def test_a_misspelt_choice_is_E0120_with_a_did_you_mean() -> None:
    _, diags = only_box("box a { colour bleu }\n")
    assert codes(diags) == ["E0120"] and 'did you mean "blue"' in diags[0].summary


def test_an_option_written_twice_is_E0114_pointing_at_the_first_and_keeping_it() -> None:
    box, diags = only_box("box a {\n  size 1\n  size 2\n}\n")
    assert codes(diags) == ["E0114"]
    span = diags[0].span
    assert span is not None and span.line == 4 and [r.span.line for r in diags[0].related] == [3]
    assert box.size is not None and box.size.value == 1


def test_a_block_written_twice_where_once_is_allowed_is_E0114() -> None:
    box, diags = only_box("box a {\n  lid { depth 1 }\n  lid { depth 2 }\n}\n")
    assert codes(diags) == ["E0114"] and box.lid is not None and box.lid.depth is not None and box.lid.depth.value == 1


def test_a_mapping_key_written_twice_is_E0114() -> None:
    box, diags = only_box('box a { labels { team "a"; team "b" } }\n')
    assert codes(diags) == ["E0114"] and [p.value for p in box.labels] == [("team", "a")]


def test_a_missing_positional_is_E0112() -> None:
    box, diags = only_box("box { size 1 }\n")
    assert codes(diags) == ["E0112"] and box.name is None


def test_a_second_value_for_a_one_value_option_is_E0113() -> None:
    _, diags = only_box("box a { size 1 2 }\n")
    assert codes(diags) == ["E0113"]


def test_a_block_on_a_statement_that_takes_none_is_E0116() -> None:
    _, diags = only_box("box a { item one { } }\n")
    assert codes(diags) == ["E0116"]


def test_a_required_option_left_out_is_E0115() -> None:
    _, diags = decoded("box a\n")
    assert codes(diags) == ["E0115"] and '"owner"' in diags[0].summary


def test_every_problem_of_a_file_is_reported_in_one_pass() -> None:
    _, diags = decoded('box a { sise 1; size "x" }\nbox b { colour bleu }\n')
    assert codes(diags) == ["E0110", "E0111", "E0120", "E0115"]
