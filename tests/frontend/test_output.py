"""Writing a target folder: all or nothing, unchanged files untouched, stale files removed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from orion_dsl import disk_flush, renames
from orion_dsl.output import Drift, OutputError, drift, write_targets


def write_target(out: Path, target: str, files: dict[str, str]) -> Drift:
    """Write one target (the tests' shorthand)."""
    return write_targets(out, {target: files})[target]


def test_first_write_creates_the_target_folder(tmp_path: Path) -> None:
    change = write_target(tmp_path / "out", "t", {"a.yaml": "a\n", "sub/b.yaml": "b\n"})
    assert change.added == ("a.yaml", "sub/b.yaml")
    assert (tmp_path / "out" / "t" / "sub" / "b.yaml").read_text() == "b\n"


def test_drift_names_added_removed_and_changed_files(tmp_path: Path) -> None:
    write_target(tmp_path, "t", {"keep": "1", "change": "2", "gone": "3"})
    d = drift(tmp_path / "t", {"keep": "1", "change": "two", "new": "4"})
    assert (d.added, d.removed, d.changed, d.clean) == (("new",), ("gone",), ("change",), False)


def test_an_error_during_the_swap_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_target(tmp_path, "t", {"a": "old"})

    def refuse(a: Path, b: Path) -> bool:
        raise OSError(errno.ENOSPC, "disk full")

    monkeypatch.setattr(renames, "exchange", refuse)
    with pytest.raises(OutputError, match="disk full; nothing written"):
        write_target(tmp_path, "t", {"a": "new", "b": "x"})
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t"]
    assert (tmp_path / "t" / "a").read_text() == "old" and not (tmp_path / "t" / "b").exists()


def test_unchanged_write_touches_nothing(tmp_path: Path) -> None:
    write_target(tmp_path, "t", {"a": "1"})
    stat = (tmp_path / "t" / "a").stat()
    assert write_target(tmp_path, "t", {"a": "1"}).clean
    assert (tmp_path / "t" / "a").stat().st_mtime_ns == stat.st_mtime_ns


def test_a_failure_while_building_one_target_leaves_every_target_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_targets(tmp_path, {"a": {"f": "old a"}, "b": {"f": "old b"}})
    real_open = os.open

    def fail_for_b(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if str(path).endswith("/b/f") and flags & os.O_CREAT:
            raise OSError(errno.ENOSPC, "disk full")
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", fail_for_b)
    with pytest.raises(OutputError, match="disk full; nothing written"):
        write_targets(tmp_path, {"a": {"f": "new a"}, "b": {"f": "new b"}})
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]
    assert ((tmp_path / "a" / "f").read_text(), (tmp_path / "b" / "f").read_text()) == ("old a", "old b")


def many_files(count: int) -> dict[str, str]:
    """A target's files, ``count`` of them spread over nested folders."""
    return {f"f{i % 7}/sub{i % 3}/file{i}.yaml": f"file {i}\n" for i in range(count)}


def fsyncs_of_write(out: Path, files: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> int:
    """How many times writing two targets of ``files`` over their old contents calls ``os.fsync``."""
    write_targets(out, {"a": {"old": "1"}, "b": files})
    real_fsync = os.fsync
    calls = 0

    def counted(fd: int) -> None:
        nonlocal calls
        calls += 1
        real_fsync(fd)

    with monkeypatch.context() as patch:
        patch.setattr(os, "fsync", counted)
        write_targets(out, {"a": files, "b": {**files, "new": "x"}})
    return calls


def test_the_build_step_fsyncs_no_file_or_folder_of_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    few = fsyncs_of_write(tmp_path / "few", many_files(1), monkeypatch)
    many = fsyncs_of_write(tmp_path / "many", many_files(300), monkeypatch)
    assert many == few < 10


def test_the_file_system_is_flushed_once_after_every_built_file_and_before_the_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = many_files(40)
    write_targets(tmp_path, {"a": files, "b": {"x": "old"}})
    events: list[tuple[str, str]] = []
    real_open, real_link, real_flush = os.open, os.link, disk_flush.flush

    def opened(path: str | Path, flags: int, *args: int, **kwargs: int) -> int:
        if flags & os.O_CREAT:
            events.append(("create", Path(path).name))
        return real_open(path, flags, *args, **kwargs)

    def linked(source: str | Path, dest: str | Path, **kwargs: bool) -> None:
        events.append(("create", Path(dest).name))
        real_link(source, dest, **kwargs)

    def flushed(fd: int) -> None:
        events.append(("flush", ""))
        real_flush(fd)

    monkeypatch.setattr(os, "open", opened)
    monkeypatch.setattr(os, "link", linked)
    monkeypatch.setattr(disk_flush, "flush", flushed)
    write_targets(tmp_path, {"a": {**files, "f0/sub0/file0.yaml": "changed\n"}, "b": {"x": "new", "y": "new"}})
    monkeypatch.undo()
    flush = events.index(("flush", ""))
    built = {Path(rel).name for rel in files} | {"x", "y"}
    assert [kind for kind, _ in events].count("flush") == 1
    assert {name for _, name in events[:flush]} >= built and not {name for _, name in events[flush:]} & built
    assert ("create", ".journal") in events[flush:]


def test_a_disk_error_when_flushing_the_built_trees_leaves_every_target_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_targets(tmp_path, {"a": {"f": "old a"}})

    def fail(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(disk_flush, "flush", fail)
    with pytest.raises(OutputError, match="Input/output error; nothing written"):
        write_targets(tmp_path, {"a": {"f": "new a"}, "b": {"f": "new b"}})
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    assert (tmp_path / "a" / "f").read_text() == "old a"
