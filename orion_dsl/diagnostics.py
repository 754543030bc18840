"""Diagnostics are data: a code, a severity, a span, a summary and a remedy.

They are collected by every stage and rendered in one place (:func:`render_text`).
"""

from __future__ import annotations

import difflib
import enum
import json
from collections.abc import Iterable, Sequence

import attrs

from orion_dsl.source import SourceFile, Span


class Severity(enum.Enum):
    """How bad a diagnostic is; errors stop a compile, warnings do so only with --strict."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


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


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A 'did you mean "x"?' hint for a misspelt name, or a list of what is allowed."""
    options = sorted(set(candidates))
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    if not options:
        return ""
    shown = ", ".join(f'"{o}"' for o in options[:12])
    more = ", ..." if len(options) > 12 else ""
    return f"expected one of {shown}{more}"


def sort_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    """Diagnostics are reported in source order."""
    span = diagnostic.span
    if span is None:
        return ("", 0, 0, diagnostic.code)
    return (span.file, span.line, span.column, diagnostic.code)


def render_text(diagnostics: Sequence[Diagnostic], sources: dict[str, SourceFile]) -> str:
    """Render diagnostics like a compiler: position, code, summary, snippet, caret, help."""
    return "".join(_render_one(d, sources) for d in sorted(diagnostics, key=sort_key))


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


def _render_one(d: Diagnostic, sources: dict[str, SourceFile]) -> str:
    where = f"{d.span}: " if d.span else "orion: "
    out = [f"{where}{d.severity.value}[{d.code}]: {d.summary}\n"]
    if d.span is not None and d.span.file in sources:
        out.append(_snippet(d.span, sources[d.span.file]))
    for rel in d.related:
        out.append(f"   = note: {rel.message} at {rel.span}\n")
    if d.help:
        out.append(f"   = help: {d.help}\n")
    return "".join(out)


def _snippet(span: Span, source: SourceFile) -> str:
    text = source.line_text(span.line).replace("\t", " ")
    gutter = " " * len(str(span.line))
    end = span.end_column if span.end_line == span.line else len(text) + 1
    width = max(1, min(end, len(text) + 1) - span.column)
    caret = " " * (span.column - 1) + "^" * width
    return f"{gutter} |\n{span.line} | {text}\n{gutter} | {caret}\n"
