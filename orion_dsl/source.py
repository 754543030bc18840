"""Source text and positions: what every diagnostic points at."""

from __future__ import annotations

from pathlib import Path

import attrs


@attrs.frozen
class SourceFile:
    """A spec's text and the name it is reported under (a path, or ``<stdin>``)."""

    name: str
    text: str

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Read a spec from disk; a byte-order mark is dropped, undecodable bytes become U+FFFD to be reported."""
        data = path.read_bytes()
        return cls(name=str(path), text=data.decode("utf-8-sig", errors="replace"))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break ('' past the end)."""
        lines = self.text.split("\n")  # only \n ends a line, as for the parser
        return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""


@attrs.frozen(order=True)
class Span:
    """A range of a source file: 1-based line and column, end exclusive.

    Spans never take part in the equality of the nodes that carry them.
    """

    file: str
    line: int
    column: int
    end_line: int
    end_column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of ``other``."""
        return Span(self.file, self.line, self.column, other.end_line, other.end_column)


def span_field() -> Span:
    """An attrs field for a node's span, excluded from equality, hashing and repr."""
    return attrs.field(eq=False, repr=False, kw_only=True)  # type: ignore[no-any-return]
