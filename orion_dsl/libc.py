"""System calls Python's ``os`` module lacks, looked up in the C library once.

``renames`` needs ``renameat2`` (an atomic exchange) and ``disk_flush`` needs ``syncfs``;
both are reached through ``ctypes`` the same way, and both turn a failure into the
``OSError`` that ``os`` functions raise.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from typing import Any


def function(name: str, argtypes: list[Any]) -> Callable[..., int] | None:
    """The C library's function ``name`` returning ``int``, or ``None`` where it has none (not Linux, an old glibc)."""
    try:
        found = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError, TypeError):
        return None
    found.argtypes = argtypes
    found.restype = ctypes.c_int
    call: Callable[..., int] = found
    return call


def last_error(path: str | None = None, other: str | None = None) -> OSError:
    """The ``OSError`` for the errno the last call through :func:`function` left, naming the paths it was about."""
    code = ctypes.get_errno()
    return OSError(code, os.strerror(code), path, None, other)
