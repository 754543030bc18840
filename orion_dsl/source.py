"""Source text and positions: what every diagnostic points at."""

from __future__ import annotations

import bisect
import codecs
import functools
import os
import stat
from array import array
from pathlib import Path
from typing import BinaryIO

import attrs

#: The largest spec orion reads (64 MiB): far above any real system, small enough to keep
#: a mistaken path (a disk image, /dev/zero) from being read forever.
MAX_SPEC_BYTES = 64 * 1024 * 1024

#: What a spec read from standard input is reported as.
STDIN_NAME = "<stdin>"


class UnreadableSpec(Exception):
    """A spec that cannot be read as text: missing, a directory, a device, too large, no permission."""


@attrs.frozen
class SourceFile:
    """A spec's text and the name it is reported under (a path, or ``<stdin>``)."""

    name: str
    text: str
    #: Where the first bytes that are not UTF-8 were (a character offset into ``text``,
    #: which holds U+FFFD in their place); ``None`` for a file that is all UTF-8.
    undecodable: int | None = None

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        """Read a spec from disk, at most :data:`MAX_SPEC_BYTES`; raise :class:`UnreadableSpec` with the reason.

        Only regular files and pipes are read (``<(cat a.orion)`` works): a directory or a
        device such as /dev/zero is refused before reading, and a named pipe that nobody
        writes to reads as empty instead of blocking.
        """
        try:
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        except FileNotFoundError:
            raise UnreadableSpec(f"no such file: {path}") from None
        except OSError as exc:
            raise UnreadableSpec(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            status = os.fstat(fd)
            _refuse_unless_spec(path, status)
            if stat.S_ISFIFO(status.st_mode):
                os.set_blocking(fd, True)  # the pipe is open: now wait for what its writer sends
            stream = os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise
        with stream:
            return cls.from_stream(stream, str(path))

    @classmethod
    def from_stream(cls, stream: BinaryIO, name: str = STDIN_NAME) -> SourceFile:
        """Read a spec from a binary stream (standard input), at most :data:`MAX_SPEC_BYTES`."""
        try:
            data = stream.read(MAX_SPEC_BYTES + 1)
        except OSError as exc:
            raise UnreadableSpec(f"cannot read {name}: {exc.strerror or exc}") from None
        if len(data) > MAX_SPEC_BYTES:
            raise _too_large(name)
        return cls.decode(data, name)

    @classmethod
    def decode(cls, data: bytes, name: str) -> SourceFile:
        """A spec from its bytes: a byte-order mark is dropped, undecodable bytes become U+FFFD and are remembered to be reported."""
        data = data.removeprefix(codecs.BOM_UTF8)
        try:
            return cls(name=name, text=data.decode("utf-8"))
        except UnicodeDecodeError as exc:
            offset = len(data[: exc.start].decode("utf-8"))
            return cls(name=name, text=data.decode("utf-8", errors="replace"), undecodable=offset)

    @functools.cached_property
    def _line_starts(self) -> array[int]:
        return line_starts(self.text)

    @property
    def line_count(self) -> int:
        """How many lines the text has (a last line without a line break counts)."""
        return len(self._line_starts)

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line break ('' past the end).

        The offsets of the lines are found once per file, so each call costs O(1): a
        report of thousands of diagnostics does not rescan the text for each.
        """
        starts = self._line_starts
        if not 0 < line <= len(starts):
            return ""
        end = starts[line] - 1 if line < len(starts) else len(self.text)
        return self.text[starts[line - 1] : end].rstrip("\r")

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a character offset into the text (O(log lines))."""
        starts = self._line_starts
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def end_span(self) -> Span:
        """A one-character span just past the last character: where an unexpected end is reported."""
        line = self.line_count
        column = len(self.text) - self._line_starts[-1] + 1
        return Span(self.name, line, column, line, column + 1)


def _refuse_unless_spec(path: Path, status: os.stat_result) -> None:
    """Raise :class:`UnreadableSpec` unless ``status`` is that of a regular file or a pipe within the size limit."""
    if stat.S_ISDIR(status.st_mode):
        raise UnreadableSpec(f"{path} is a directory, not a spec file; name a spec file in it")
    if not (stat.S_ISREG(status.st_mode) or stat.S_ISFIFO(status.st_mode)):
        raise UnreadableSpec(f"{path} is not a regular file; give a spec file, or - to read standard input")
    if status.st_size > MAX_SPEC_BYTES:
        raise _too_large(str(path))


def _too_large(name: str) -> UnreadableSpec:
    return UnreadableSpec(f"{name} is larger than {MAX_SPEC_BYTES // (1024 * 1024)} MiB, the most orion reads: is it a spec?")


def line_starts(text: str) -> array[int]:
    """The offset at which each line of ``text`` starts; only ``\\n`` ends a line, as for the parser."""
    starts = array("q", [0])
    find = text.find
    at = find("\n")
    while at >= 0:
        starts.append(at + 1)
        at = find("\n", at + 1)
    return starts


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
