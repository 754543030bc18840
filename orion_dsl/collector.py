"""Pausing Python's cyclic garbage collector around the pipeline (imported by the CLI before the pipeline is)."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a block (or a function it decorates), then restore it as it was.

    The pipeline builds millions of small objects and no reference cycles that need the
    collector: reference counting frees them. Each collection pass rescans the objects
    still alive, so the passes grow with the model: they made the front end superlinear,
    and cost a compile of 1,000 services about a tenth of its time in the back ends (see
    docs/PERFORMANCE.md). Nesting is safe: the collector runs again only when the
    outermost block ends, and only if it ran before.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
