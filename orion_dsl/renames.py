"""Swapping two folders in one atomic step: Linux ``renameat2(RENAME_EXCHANGE)``.

Python's ``os`` module has no exchange; ``rename`` can only put a folder where nothing (or
an empty folder) is, so replacing a full folder by renames alone leaves a moment with no
folder at all. The exchange has no such moment: any reader sees one folder or the other.
"""

from __future__ import annotations

import ctypes
import errno
import os
from collections.abc import Callable
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: What renameat2 answers where the kernel, C library or file system cannot exchange.
_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP})

_Renameat2 = Callable[[int, bytes, int, bytes, int], int]


def _load_renameat2() -> _Renameat2 | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError, TypeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    found: _Renameat2 = function
    return found


_RENAMEAT2 = _load_renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically; False (and nothing done) where the system cannot.

    Any other failure (permission, an immutable folder, ...) raises ``OSError`` with
    nothing done either: the exchange happens entirely or not at all.
    """
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))
