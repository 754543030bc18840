"""What the ``orion`` command does differently on a terminal: colour, a progress line, safe encodings.

Colour and progress are for people: they are on only when stderr is a terminal (and,
for colour, unless ``NO_COLOR`` is set, https://no-color.org), never in a pipe or a log.
Output for programs (YAML, JSON, diagrams) goes to stdout as UTF-8 bytes whatever the
locale says, and text for people never fails on a character the terminal cannot show.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Literal, TextIO, get_args

import click

from orion_dsl.diagnostics import Diagnostic, Severity, paint, render_text
from orion_dsl.source import SourceFile

#: ``--color``: on a terminal only (the default), always, or never.
ColorMode = Literal["auto", "always", "never"]
COLOR_MODES: tuple[ColorMode, ...] = get_args(ColorMode)

#: Errors printed in text mode before the rest are only counted (``--max-errors``), like a compiler's limit.
DEFAULT_MAX_ERRORS = 50


def is_terminal(stream: TextIO) -> bool:
    """Whether a stream is an interactive terminal that understands cursor codes (not a pipe, a file or TERM=dumb)."""
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def use_color(mode: ColorMode, stream: TextIO) -> bool:
    """Whether to paint what goes to ``stream``: ``auto`` paints on a terminal unless NO_COLOR is set (and not empty)."""
    if mode != "auto":
        return mode == "always"
    return not os.environ.get("NO_COLOR") and is_terminal(stream)


class StdoutUnwritable(Exception):
    """Standard output is closed or cannot take the output (a full disk, an I/O error)."""


def write_stdout(data: str | bytes) -> None:
    """Write program output to stdout as bytes, text encoded as UTF-8 whatever the locale's encoding.

    A reader that stops early (``orion ... | head``) is not an error; a closed or full stdout is
    :class:`StdoutUnwritable`, which the command reports as a usage error, never as a bug.
    """
    if sys.stdout is None:
        raise StdoutUnwritable("standard output is closed")
    try:
        out = sys.stdout.buffer
        out.write(data.encode("utf-8") if isinstance(data, str) else data)
        out.flush()
    except BrokenPipeError:
        # The reader is gone: point stdout at /dev/null so the interpreter's final flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StdoutUnwritable(reason) from None


class Console:
    """Everything the ``orion`` command says to people on stderr: diagnostics, outcomes, a progress line.

    The progress line ("parsing...", "rendering kubernetes (2/4)...") is one line rewritten
    in place, shown only when stderr is a terminal, and erased before anything else is
    printed and when the command ends.
    """

    def __init__(self, stream: TextIO, max_errors: int = DEFAULT_MAX_ERRORS, color: bool = False, progress: bool = False) -> None:
        self.stream = stream
        self.max_errors = max_errors
        self.color = color
        self.progress = progress
        self.showing = False

    @classmethod
    def for_stderr(cls, max_errors: int = DEFAULT_MAX_ERRORS, color: ColorMode = "auto") -> Console:
        """The console of the running command, set up for its stderr; its progress line is erased when the command ends."""
        stream = sys.stderr  # looked up now: click's test runner replaces it
        console = cls(stream, max_errors, use_color(color, stream), is_terminal(stream))
        click.get_current_context().call_on_close(console.done)
        return console

    def step(self, message: str) -> None:
        """Replace the progress line with ``message...`` (on a terminal only)."""
        if self.progress:
            self.stream.write(self._encodable(f"\r\x1b[K{message}..."))
            self.stream.flush()
            self.showing = True

    def done(self) -> None:
        """Erase the progress line, if one is shown."""
        if self.showing:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.showing = False

    def diagnostics(self, diagnostics: Sequence[Diagnostic], source: SourceFile, verbose: bool = False) -> None:
        """Print diagnostics (info only with ``verbose``) in source order, at most ``max_errors`` errors."""
        text = self.diagnostics_text(diagnostics, source, verbose)
        if text:
            self.say(text, nl=False)

    def diagnostics_text(self, diagnostics: Sequence[Diagnostic], source: SourceFile, verbose: bool = False) -> str:
        """What :meth:`diagnostics` prints, as text (empty when nothing is shown): a compile's stamp keeps it to print again."""
        shown = [d for d in diagnostics if verbose or d.severity is not Severity.INFO]
        return render_text(shown, {source.name: source}, max_errors=self.max_errors, color=self.color) if shown else ""

    def summary(self, line: str) -> None:
        """Print a command's one-line outcome, in bold when painting."""
        self.say(paint(line, "bold", self.color))

    def say(self, text: str, nl: bool = True) -> None:
        """Print text for people; a character the stream's encoding lacks becomes a backslash escape, never an error."""
        self.done()
        click.echo(self._encodable(text), file=self.stream, nl=nl, color=self.color)

    def _encodable(self, text: str) -> str:
        """``text`` with each character the stream's encoding lacks written as a backslash escape."""
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        return text.encode(encoding, errors="backslashreplace").decode(encoding, errors="replace")
