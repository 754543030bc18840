"""Diagnostics are data: a code, a severity, a span, a summary and a remedy.

They are collected by every stage and rendered in one place (:func:`render_text`). Their
codes are registered in :mod:`orion_dsl.codes`: a diagnostic cannot be built with any other.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

from orion_dsl.codes import Severity as Severity
from orion_dsl.codes import registered
from orion_dsl.source import SourceFile, Span


@attrs.frozen
class Related:
    """A second place a diagnostic refers to ("first defined here")."""

    span: Span
    message: str


@attrs.frozen
class Diagnostic:
    """One finding about a spec, with a stable code (``E0201``) users can search for."""

    code: str
    severity: Severity
    span: Span | None
    summary: str
    help: str = ""
    related: tuple[Related, ...] = ()

    def __attrs_post_init__(self) -> None:
        registered(self.code, self.severity)

    @property
    def is_error(self) -> bool:
        """Whether this diagnostic stops a compile."""
        return self.severity is Severity.ERROR


def error(code: str, span: Span | None, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> Diagnostic:
    """Build an error diagnostic."""
    return Diagnostic(code, Severity.ERROR, span, summary, help, related)


def warning(code: str, span: Span | None, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> Diagnostic:
    """Build a warning diagnostic."""
    return Diagnostic(code, Severity.WARNING, span, summary, help, related)


def info(code: str, span: Span | None, summary: str, help: str = "") -> Diagnostic:
    """Build an informational diagnostic."""
    return Diagnostic(code, Severity.INFO, span, summary, help)


#: At most this many allowed words are listed when none is close (a block's keywords fit; thousands of names do not).
SHOWN_OPTIONS = 24

#: Up to this many candidates, a misspelt name is compared with each of them (difflib).
#: Above it, only with the candidates one edit away (see :class:`Suggestions`).
SCAN_LIMIT = 64


def did_you_mean(name: str, candidates: Iterable[str] | Suggestions) -> str:
    """A 'did you mean "x"?' hint for a misspelt name, or a list of what is allowed.

    Candidates given as a collection are prepared again for each call (a few recent
    collections are remembered): for many names against one large collection, prepare
    it once as :class:`Suggestions`, so that the work grows with the number of names
    and candidates, not with their product.
    """
    prepared = candidates if isinstance(candidates, Suggestions) else _suggestions(tuple(candidates))
    return prepared.hint(name)


@functools.lru_cache(maxsize=32)
def _suggestions(candidates: tuple[str, ...]) -> Suggestions:
    return Suggestions(candidates)


class Suggestions:
    """Did-you-mean hints for names misspelt against one collection of candidates, prepared once.

    A small collection is searched whole with difflib (closest by its ratio, at least 0.6; of
    equally close candidates the first in order).
    A large one is searched through an index of each candidate's one-character deletions:
    two spellings one edit apart (a letter added, dropped or changed, or two neighbours
    swapped) share an entry, so a name finds its near candidates without a scan, and
    difflib picks among those.
    """

    def __init__(self, candidates: Iterable[str]) -> None:
        self.options = sorted(set(candidates))
        self.hints: dict[str, str] = {}
        self.near: dict[str, list[str]] = {}
        if len(self.options) > SCAN_LIMIT:
            for option in self.options:
                for key in _deletions(option):
                    self.near.setdefault(key, []).append(option)

    def hint(self, name: str) -> str:
        """The hint for one name (remembered)."""
        found = self.hints.get(name)
        if found is None:
            found = self.hints[name] = self._hint(name)
        return found

    def _hint(self, name: str) -> str:
        if self.near:
            pool = sorted({option for key in _deletions(name) for option in self.near.get(key, ())})
        else:
            pool = self.options
        close = _closest(name, pool)
        if close is not None:
            return f'did you mean "{close}"?'
        if not self.options:
            return ""
        shown = ", ".join(f'"{o}"' for o in self.options[:SHOWN_OPTIONS])
        more = ", ..." if len(self.options) > SHOWN_OPTIONS else ""
        return f"expected one of {shown}{more}"


def _closest(name: str, pool: Sequence[str]) -> str | None:
    """The candidate closest to a name by difflib's ratio (at least 0.6), the first in order of equally close ones.

    For ``us-east`` that is "us-east-1", where ``difflib.get_close_matches`` would pick
    "us-east-2" (it breaks ties by the greater string).
    """
    matcher = difflib.SequenceMatcher(b=name)

    def ratio(option: str) -> float:
        matcher.set_seq1(option)
        return matcher.ratio()

    scored = [(ratio(option), option) for option in pool]
    best = max((score for score, _ in scored), default=0.0)
    return next(option for score, option in scored if score == best) if best >= 0.6 else None


#: Names longer than this are not misspellings anyone makes (Kubernetes names stop at 63):
#: they get no spellings with a character left out, which would cost the square of their length.
_MAX_NEAR_LENGTH = 64


def _deletions(word: str) -> set[str]:
    """The word and every spelling of it with one character left out (just the word if it is very long)."""
    if len(word) > _MAX_NEAR_LENGTH:
        return {word}
    return {word, *(word[:i] + word[i + 1 :] for i in range(len(word)))}


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Diagnostics are reported in source order."""
    span = diagnostic.span
    if span is None:
        return ("", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


#: The styles a diagnostic is painted in on a terminal; each severity has its own.
Paint = Literal["bold", "error", "warning", "info", "gutter"]

_SGR: dict[Paint, str] = {"bold": "1", "error": "1;31", "warning": "1;33", "info": "1;34", "gutter": "1;34"}

_PAINT: dict[Severity, Paint] = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}

_PLURAL: dict[Severity, str] = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}

#: Lines longer than this are shown as a window around the place a snippet points at.
SNIPPET_WIDTH = 120
#: Characters shown before that place in such a window.
SNIPPET_CONTEXT = 40


#: Control characters from a spec are shown as U+FFFD (a tab as a space), so that no text of a
#: spec can move the cursor or change colours on the terminal that shows a diagnostic.
_VISIBLE = {c: "\ufffd" for c in (*range(0x20), 0x7F) if c != 0x0A} | {0x09: " "}


def paint(text: str, style: Paint, color: bool) -> str:
    """``text`` in a terminal style (ANSI SGR codes) when ``color`` is on, else as it is."""
    return f"\x1b[{_SGR[style]}m{text}\x1b[0m" if color else text


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, SourceFile], *, max_errors: int = 0, color: bool = False) -> str:
    """Render diagnostics like a compiler: position, code, summary, snippet, caret, help.

    With ``max_errors`` above 0, rendering stops before the error after that many, and a
    last line counts what was left out (like a compiler's error limit); 0 renders all.
    ``color`` paints severities, summaries and gutters for a terminal.
    """
    ordered = sorted(diagnostics, key=sort_key)
    shown = _within(ordered, max_errors)
    out = [_render_one(d, sources, color) for d in ordered[:shown]]
    if shown < len(ordered):
        out.append(_left_out(ordered[shown:], color))
    return "".join(out)


def _within(ordered: Sequence[Diagnostic], max_errors: int) -> int:
    """How many of the diagnostics come before the error past ``max_errors`` (all with 0)."""
    if max_errors <= 0:
        return len(ordered)
    errors = 0
    for i, d in enumerate(ordered):
        if d.is_error:
            if errors == max_errors:
                return i
            errors += 1
    return len(ordered)


def _left_out(rest: Sequence[Diagnostic], color: bool) -> str:
    counts = {s: sum(d.severity is s for d in rest) for s in Severity}
    parts = [f"{n:,} more {_PLURAL[s] if n != 1 else s.value}" for s, n in counts.items() if n]
    return paint(f"... and {' and '.join(parts)} (use --max-errors 0 to see all)", "bold", color) + "\n"


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    """Diagnostics as a JSON array in source order, for editors and CI annotations."""

    def where(span: Span | None) -> dict[str, object]:
        """A span as JSON fields."""
        if span is None:
            return {"file": None}
        return {"file": span.file, "line": span.line, "column": span.column, "end_line": span.end_line, "end_column": span.end_column}

    items = [
        {
            **where(d.span),
            "severity": d.severity.value,
            "code": d.code,
            "summary": d.summary,
            "help": d.help,
            "related": [{**where(r.span), "message": r.message} for r in d.related],
        }
        for d in sorted(diagnostics, key=sort_key)
    ]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def _render_one(d: Diagnostic, sources: dict[str, SourceFile], color: bool) -> str:
    where = f"{d.span}: " if d.span else "orion: "
    label = paint(f"{d.severity.value}[{d.code}]", _PAINT[d.severity], color)
    out = [f"{paint(where, 'bold', color)}{label}{paint(': ' + d.summary.translate(_VISIBLE), 'bold', color)}\n"]
    if d.span is not None and d.span.file in sources:
        out.append(_snippet(d.span, sources[d.span.file], _PAINT[d.severity], color))
    for rel in d.related:
        out.append(f"   {paint('= note:', 'bold', color)} {rel.message.translate(_VISIBLE)} at {rel.span}\n")
    if d.help:
        out.append(f"   {paint('= help:', 'bold', color)} {d.help.translate(_VISIBLE)}\n")
    return "".join(out)


def _snippet(span: Span, source: SourceFile, caret_paint: Paint, color: bool) -> str:
    """The span's line with carets under the span; a long line is cut to a window around it."""
    text = source.line_text(span.line).translate(_VISIBLE)
    first = span.column - 1  # 0-based start of the span in the line
    last = span.end_column - 1 if span.end_line == span.line else len(text)
    low = max(0, first - SNIPPET_CONTEXT) if len(text) > SNIPPET_WIDTH else 0
    high = min(len(text), low + SNIPPET_WIDTH)
    lead = "..." if low else ""
    shown = lead + text[low:high] + ("..." if high < len(text) else "")
    width = max(1, min(last, high) - first)
    caret = " " * (first - low + len(lead)) + paint("^" * width, caret_paint, color)
    number = paint(str(span.line), "gutter", color)
    gutter = " " * len(str(span.line))
    bar = paint("|", "gutter", color)
    return f"{gutter} {bar}\n{number} {bar} {shown}\n{gutter} {bar} {caret}\n"
