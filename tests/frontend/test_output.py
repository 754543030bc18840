"""Writing a target folder: all or nothing, unchanged files untouched, stale files removed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from orion_dsl import renames
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
