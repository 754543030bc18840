"""One writer at a time per output folder: an advisory lock on the folder itself.

The lock is ``flock`` on the folder's own descriptor, so it leaves no lock file behind in
the user's folder. A lock held on a folder that was removed and made again while we
waited protects nothing, so after locking we check that the path still names the folder
we locked, and lock again if it does not.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_POLL_SECONDS = 0.05


class FolderBusy(Exception):
    """Another process held the folder's lock for longer than we were willing to wait."""


def _acquire(fd: int, shared: bool, deadline: float, folder: Path, on_wait: Callable[[], None]) -> None:
    mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB
    waited = False
    while True:
        try:
            fcntl.flock(fd, mode)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise FolderBusy(f"another orion is writing {folder}") from None
            if not waited:
                on_wait()
                waited = True
            time.sleep(_POLL_SECONDS)


def _still_names(fd: int, path: Path) -> bool:
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    locked = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (locked.st_dev, locked.st_ino)


@contextmanager
def locked(folder: Path, *, shared: bool, wait: float, on_wait: Callable[[], None] = lambda: None) -> Iterator[Path]:
    """Hold ``folder``'s lock (shared for readers, exclusive for a writer); yields its real path.

    Waits at most ``wait`` seconds for another holder (calling ``on_wait`` once when it
    starts to, so the user knows why nothing happens), then raises ``FolderBusy``. The real
    path (symbolic links resolved once, under the lock) is what the holder should work
    on, so that a link changed meanwhile cannot send half the work elsewhere.
    """
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            _acquire(fd, shared, deadline, folder, on_wait)
            real = Path(os.path.realpath(folder))
            if _still_names(fd, real):
                yield real
                return
        finally:
            os.close(fd)
