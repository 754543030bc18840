"""When the command paints and shows progress: a terminal that understands it, and only then."""

from __future__ import annotations

import io

import pytest

from orion_dsl.terminal import Console, is_terminal, use_color


class FakeTerminal(io.StringIO):
    """A text stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")


def test_auto_paints_a_terminal_and_not_a_pipe() -> None:
    assert use_color("auto", FakeTerminal()) and not use_color("auto", io.StringIO())


def test_no_color_set_to_anything_turns_auto_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "0")
    assert not use_color("auto", FakeTerminal())


def test_an_empty_no_color_is_as_if_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "")
    assert use_color("auto", FakeTerminal())


def test_a_dumb_terminal_gets_no_colour_and_no_cursor_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    assert not is_terminal(FakeTerminal()) and not use_color("auto", FakeTerminal())


def test_always_and_never_ignore_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color("always", io.StringIO()) and not use_color("never", FakeTerminal())


def test_progress_rewrites_one_line_and_erases_it_before_text() -> None:
    stream = FakeTerminal()
    console = Console(stream, progress=True)
    console.step("parsing")
    console.step("resolving")
    console.say("done")
    assert stream.getvalue() == "\r\x1b[Kparsing...\r\x1b[Kresolving...\r\x1b[Kdone\n"


def test_progress_off_writes_nothing() -> None:
    stream = io.StringIO()
    console = Console(stream, progress=False)
    console.step("parsing")
    console.done()
    assert stream.getvalue() == ""


def test_text_the_stream_cannot_encode_is_escaped() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="latin-1", errors="strict")
    Console(stream).say("caf\u00e9 \u2603")
    stream.flush()
    assert raw.getvalue() == b"caf\xe9 \\u2603\n"
