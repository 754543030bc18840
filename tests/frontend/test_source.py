"""Source files: line lookups cost O(1) after one scan, and reading refuses what is not a spec."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from orion_dsl import source as source_module
from orion_dsl.diagnostics import error, render_text
from orion_dsl.source import SourceFile, Span, UnreadableSpec


def test_line_text_returns_each_line_without_its_break() -> None:
    source = SourceFile("x.orion", "a\nbc\r\n\nd")
    assert [source.line_text(n) for n in range(6)] == ["", "a", "bc", "", "d", ""]


def test_position_maps_an_offset_to_line_and_column() -> None:
    source = SourceFile("x.orion", "ab\ncd\n")
    assert [source.position(i) for i in (0, 1, 3, 4, 6)] == [(1, 1), (1, 2), (2, 1), (2, 2), (3, 1)]


def test_end_span_points_just_past_the_last_character() -> None:
    assert SourceFile("x.orion", "ab\ncde").end_span() == Span("x.orion", 2, 4, 2, 5)
    assert SourceFile("x.orion", "ab\n").end_span() == Span("x.orion", 2, 1, 2, 2)


def test_the_lines_are_scanned_once_however_many_are_looked_up(monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[int] = []
    real = source_module.line_starts
    monkeypatch.setattr(source_module, "line_starts", lambda text: scans.append(len(text)) or real(text))
    source = SourceFile("x.orion", "".join(f"line {n}\n" for n in range(5000)))
    assert [source.line_text(n) for n in (1, 2500, 5000)] == ["line 0", "line 2499", "line 4999"]
    for n in range(1, 5001):
        source.line_text(n)
    assert len(scans) == 1


def test_rendering_thousands_of_diagnostics_scans_the_text_once(monkeypatch: pytest.MonkeyPatch) -> None:
    scans: list[int] = []
    real = source_module.line_starts
    monkeypatch.setattr(source_module, "line_starts", lambda text: scans.append(len(text)) or real(text))
    source = SourceFile("x.orion", "bad\n" * 3000)
    diagnostics = [error("E0110", Span("x.orion", n, 1, n, 4), "unknown keyword") for n in range(1, 3001)]
    assert render_text(diagnostics, {"x.orion": source}).count("3000 | bad") == 1
    assert len(scans) == 1


def test_equal_texts_make_equal_sources_whether_or_not_lines_were_looked_up() -> None:
    looked = SourceFile("x.orion", "a\nb")
    looked.line_text(2)
    assert looked == SourceFile("x.orion", "a\nb")


def test_read_drops_a_byte_order_mark_and_replaces_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "s.orion"
    path.write_bytes(b"\xef\xbb\xbfa \xff\n")
    assert SourceFile.read(path) == SourceFile(str(path), "a \ufffd\n", undecodable=2)


def test_read_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableSpec, match="no such file"):
        SourceFile.read(tmp_path / "absent.orion")


def test_read_refuses_a_directory(tmp_path: Path) -> None:
    with pytest.raises(UnreadableSpec, match="is a directory"):
        SourceFile.read(tmp_path)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_read_refuses_a_device_instead_of_reading_it_forever() -> None:
    with pytest.raises(UnreadableSpec, match="not a regular file"):
        SourceFile.read(Path("/dev/zero"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_read_of_a_named_pipe_nobody_writes_to_returns_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.orion"
    os.mkfifo(fifo)
    assert SourceFile.read(fifo).text == ""


@pytest.mark.skipif(not Path("/dev/fd").is_dir(), reason="no /dev/fd")
def test_read_of_a_pipe_reads_what_its_writer_sent() -> None:
    reader, writer = os.pipe()  # what `orion check <(cat spec.orion)` hands orion
    os.write(writer, b"topology t {}\n")
    os.close(writer)
    try:
        assert SourceFile.read(Path(f"/dev/fd/{reader}")).text == "topology t {}\n"
    finally:
        os.close(reader)


def test_read_refuses_a_file_over_the_size_limit_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.orion"
    with path.open("wb") as f:
        f.truncate(source_module.MAX_SPEC_BYTES + 1)  # sparse: nothing to read
    with pytest.raises(UnreadableSpec, match="larger than 64 MiB"):
        SourceFile.read(path)


def test_a_stream_over_the_size_limit_is_refused_after_reading_one_byte_past_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(source_module, "MAX_SPEC_BYTES", 10)
    stream = io.BytesIO(b"x" * 100)
    with pytest.raises(UnreadableSpec, match="<stdin> is larger than"):
        SourceFile.from_stream(stream)
    assert stream.tell() == 11
    assert SourceFile.from_stream(io.BytesIO(b"x" * 10)).text == "x" * 10
