"""Putting everything written to one file system on disk in one call: Linux ``syncfs(2)``.

Writing a tree of thousands of files durably with ``fsync`` takes one call per file and
per folder, and each waits for the disk. ``syncfs`` flushes every file and folder of the
file system that holds a descriptor, all in one call. Python's ``os`` module has no
``syncfs``, so it is called through ``ctypes`` (as ``renames`` calls ``renameat2``); where
the C library has none (not Linux, or an old glibc) ``os.sync`` flushes every file system.

A write-back error (a disk that failed while the kernel wrote the pages out) is reported
by ``syncfs`` (Linux 5.8 and later) to a descriptor opened *before* the error happened,
which is why :func:`watching` opens the descriptor before anything is written and
:func:`flush` is called on it afterwards. ``os.sync`` reports no error at all.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from orion_dsl import libc

#: What syncfs answers where the kernel has no such call (the C library has the wrapper).
_UNSUPPORTED = frozenset({errno.ENOSYS})

_SYNCFS = libc.function("syncfs", [ctypes.c_int])


@contextlib.contextmanager
def watching(folder: Path) -> Iterator[int]:
    """Hold a descriptor of ``folder``'s file system, to :func:`flush` once the writing is done.

    Open it before writing: only then does ``flush`` hear of write-back errors in between.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        yield fd
    finally:
        os.close(fd)


def flush(fd: int) -> None:
    """Put every file and folder written to ``fd``'s file system on disk; ``OSError`` if the disk failed.

    Falls back to ``os.sync`` (every file system, no error reported) where ``syncfs`` is missing.
    """
    if _SYNCFS is not None:
        if _SYNCFS(fd) == 0:
            return
        error = libc.last_error()
        if error.errno not in _UNSUPPORTED:
            raise error
    os.sync()
