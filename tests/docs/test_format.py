"""The number and text formats the document uses, one behaviour each."""

from __future__ import annotations

import pytest

from orion_dsl.backends.docs import anchors, cell, heading_anchor, headings
from orion_dsl.backends.docs.context import Table, code, count, pct, text
from orion_dsl.values import Duration, Quantity, TimeOfDay
from orion_dsl.views.common import schedule_text as schedule
from orion_dsl.views.numbers import value_range

from .markdown import Document, github_slug


def test_value_range_joins_different_ends_as_the_spec_does() -> None:
    assert value_range(Quantity(512 * 2**20, "512Mi"), Quantity(2**30, "1Gi")) == "512Mi..1Gi"


def test_value_range_of_equal_ends_is_one_value() -> None:
    assert value_range(Quantity(100, "100m"), Quantity(100, "100m")) == "100m"


def test_percentage_is_written_as_in_the_spec() -> None:
    assert pct(70) == "70%"


def test_count_is_singular_for_one() -> None:
    assert (count(1, "replica"), count(3, "replica")) == ("1 replica", "3 replicas")


@pytest.mark.parametrize(
    ("every", "at", "continuous", "expected"),
    [
        (Duration(3_600_000, "1h"), None, False, "hourly"),
        (Duration(86_400_000, "24h"), TimeOfDay(2, 0), False, "daily at 02:00"),
        (Duration(21_600_000, "6h"), None, False, "every 6h"),
        (None, None, True, "continuous"),
    ],
)
def test_backup_schedule_in_words(every: Duration | None, at: TimeOfDay | None, continuous: bool, expected: str) -> None:
    assert schedule(every, at, continuous) == expected


def test_cell_escapes_pipes_and_joins_lines() -> None:
    assert cell("a|b\nc") == "a\\|b c"


def test_escaped_pipe_in_a_code_cell_reads_as_a_pipe() -> None:
    table = Document(f"| x |\n|---|\n| {cell(code('a | b'))} |\n").tables[0]
    assert table.rows == [["a | b"]]


def _reads(markdown: str) -> str:
    """What a paragraph of Markdown reads as once rendered."""
    return Document(f"# T\n\n{markdown}\n").section("T").text


def test_code_span_keeps_backticks_inside() -> None:
    assert _reads(code("a `b` c")) == "a `b` c"


def test_text_escapes_markup() -> None:
    written = "a *b* _c_ [d] <e> `f`"
    assert _reads(text(written)) == written


def test_heading_anchor_matches_githubs_rules() -> None:
    titles = ["Layer 3: Identity", "Ingress and egress", "postgres replication", "Blue-green", "Source ↓ / destination →"]
    assert [heading_anchor(t) for t in titles] == [github_slug(t) for t in titles]


def test_repeated_headings_get_numbered_anchors() -> None:
    assert [a for _, _, a in anchors([(2, "Monitoring"), (3, "Monitoring"), (3, "Monitoring")])] == [
        "monitoring",
        "monitoring-1",
        "monitoring-2",
    ]


def test_headings_inside_fences_are_not_headings() -> None:
    assert headings("# A\n```\n# not\n```\n## B\n") == [(1, "A"), (2, "B")]


def test_table_rejects_a_short_row() -> None:
    with pytest.raises(ValueError, match="has 1 cells; the header has 2"):
        Table(("a", "b"), (("x",),))
