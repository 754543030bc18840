"""Rendering diagnostics as text: an error limit with a count of the rest, long lines cut, colour on demand."""

from __future__ import annotations

import re

from orion_dsl.diagnostics import SNIPPET_WIDTH, Diagnostic, Severity, error, render_text, warning
from orion_dsl.source import SourceFile, Span

SOURCE = SourceFile("x.orion", "line\n" * 200)
SOURCES = {SOURCE.name: SOURCE}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _at(line: int, severity: Severity = Severity.ERROR) -> Diagnostic:
    if severity is Severity.ERROR:
        return error("E0110", Span("x.orion", line, 1, line, 5), f"problem on line {line}")
    return warning("W0302", Span("x.orion", line, 1, line, 5), f"problem on line {line}")


def test_max_errors_shows_the_first_errors_and_counts_the_rest() -> None:
    text = render_text([_at(n) for n in range(1, 101)], SOURCES, max_errors=5)
    assert text.count("error[E0110]") == 5 and "problem on line 5\n" in text and "line 6\n" not in text
    assert text.endswith("... and 95 more errors (use --max-errors 0 to see all)\n")


def test_max_errors_zero_shows_every_error() -> None:
    text = render_text([_at(n) for n in range(1, 101)], SOURCES, max_errors=0)
    assert text.count("error[E0110]") == 100 and "more errors" not in text


def test_warnings_left_out_are_counted_beside_the_errors() -> None:
    diagnostics = [_at(1), _at(2), _at(3, Severity.WARNING), _at(4), _at(5, Severity.WARNING)]
    text = render_text(diagnostics, SOURCES, max_errors=2)
    assert text.count("error[E0110]") == 2 and text.count("warning[W0302]") == 1
    assert text.endswith("... and 1 more error and 1 more warning (use --max-errors 0 to see all)\n")


def test_the_limit_applies_in_source_order() -> None:
    text = render_text([_at(9), _at(3), _at(7)], SOURCES, max_errors=1)
    assert "problem on line 3" in text and "line 7" not in text and "line 9" not in text


def test_a_long_line_is_shown_as_a_window_around_the_span() -> None:
    text = "x" * 5000 + " target " + "y" * 5000
    source = SourceFile("long.orion", text)
    d = error("E0110", Span("long.orion", 1, 5002, 1, 5008), "unknown keyword")
    snippet_line, caret_line = render_text([d], {"long.orion": source}).splitlines()[2:4]
    assert snippet_line.startswith("1 | ...x") and snippet_line.endswith("y...")
    assert len(snippet_line) <= SNIPPET_WIDTH + 20
    assert snippet_line.index("target") == caret_line.index("^") and caret_line.endswith("^^^^^^")


def test_colour_paints_the_severity_and_only_when_asked() -> None:
    plain = render_text([_at(1), _at(2, Severity.WARNING)], SOURCES)
    painted = render_text([_at(1), _at(2, Severity.WARNING)], SOURCES, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror[E0110]\x1b[0m" in painted and "\x1b[1;33mwarning[W0302]\x1b[0m" in painted
    assert ANSI.sub("", painted) == plain


def test_control_characters_of_a_spec_never_reach_the_terminal() -> None:
    source = SourceFile("x.orion", 'image "\x1b[2J\tx"\n')
    d = error("E0120", Span("x.orion", 1, 7, 1, 16), 'bad image "\x1b[2J"', help="not \x07 this")
    text = render_text([d], {"x.orion": source})
    assert "\x1b" not in text and "\x07" not in text
    assert '1 | image "\ufffd[2J x"' in text
