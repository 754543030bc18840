"""Swapping two folders in one atomic step: Linux ``renameat2(RENAME_EXCHANGE)``.

Python's ``os`` module has no exchange; ``rename`` can only put a folder where nothing (or
an empty folder) is, so replacing a full folder by renames alone leaves a moment with no
folder at all. The exchange has no such moment: any reader sees one folder or the other.
"""

from __future__ import annotations

import ctypes
import errno
import os
from pathlib import Path

from orion_dsl import libc

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: What renameat2 answers where the kernel, C library or file system cannot exchange.
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})

_RENAMEAT2 = libc.function("renameat2", [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint])


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False (and nothing done) where the system cannot.

    Any other failure (permission, an immutable folder, ...) raises ``OSError`` with
    nothing done either: the exchange happens entirely or not at all.
    """
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    error = libc.last_error(str(a), str(b))
    if error.errno in _UNSUPPORTED:
        return False
    raise error
