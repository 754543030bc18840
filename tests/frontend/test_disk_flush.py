"""Flushing a file system to disk: syncfs, its errors, and the os.sync fallback."""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

import pytest

from orion_dsl import disk_flush


def failing_syncfs(code: int) -> disk_flush._Syncfs:
    """A stand-in for the C library's syncfs that fails with ``code``."""

    def syncfs(fd: int) -> int:
        ctypes.set_errno(code)
        return -1

    return syncfs


def count_sync(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """Replace ``os.sync`` by a recorder; returns the list of its calls."""
    calls: list[None] = []
    monkeypatch.setattr(os, "sync", lambda: calls.append(None))
    return calls


def test_flush_uses_syncfs_where_the_c_library_has_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if disk_flush._SYNCFS is None:
        pytest.skip("no syncfs in this C library")
    calls = count_sync(monkeypatch)
    with disk_flush.watching(tmp_path) as fd:
        disk_flush.flush(fd)
    assert calls == []


@pytest.mark.parametrize("syncfs", [None, failing_syncfs(errno.ENOSYS)], ids=["no-wrapper", "no-kernel-call"])
def test_flush_falls_back_to_sync_where_there_is_no_syncfs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, syncfs: disk_flush._Syncfs | None) -> None:
    calls = count_sync(monkeypatch)
    monkeypatch.setattr(disk_flush, "_SYNCFS", syncfs)
    with disk_flush.watching(tmp_path) as fd:
        disk_flush.flush(fd)
    assert len(calls) == 1


def test_a_disk_error_syncfs_reports_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_sync(monkeypatch)
    monkeypatch.setattr(disk_flush, "_SYNCFS", failing_syncfs(errno.EIO))
    with disk_flush.watching(tmp_path) as fd, pytest.raises(OSError) as raised:
        disk_flush.flush(fd)
    assert raised.value.errno == errno.EIO and calls == []
