"""Writing a target's files: all or nothing, unchanged files untouched, stale files removed.

A target owns ``OUT/<target>/``. The new tree is built beside it (unchanged files are
hard-linked from the old tree, so they are not rewritten), then swapped in with renames.
A failure at any point leaves ``OUT`` exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import attrs


@attrs.frozen
class Drift:
    """How a target folder differs from what would be generated."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]

    @property
    def clean(self) -> bool:
        """Whether the folder is exactly what would be generated."""
        return not (self.added or self.removed or self.changed)


def _existing(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def drift(folder: Path, files: Mapping[str, str]) -> Drift:
    """Compare a target folder with the files that would be written there (paths relative to it)."""
    old = _existing(folder)
    added = tuple(sorted(set(files) - set(old)))
    removed = tuple(sorted(set(old) - set(files)))
    changed = tuple(sorted(p for p in set(files) & set(old) if old[p].read_bytes() != files[p].encode("utf-8")))
    return Drift(added, removed, changed)


def write_target(out: Path, target: str, files: Mapping[str, str]) -> Drift:
    """Make ``out/target`` hold exactly ``files`` (paths relative to it); returns what changed."""
    folder = out / target
    change = drift(folder, files)
    if change.clean and folder.is_dir():
        return change
    created_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target}.new-", dir=out))
    try:
        old = _existing(folder)
        for rel, text in sorted(files.items()):
            dest = staging / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if rel in old and rel not in change.changed:
                os.link(old[rel], dest)
            else:
                dest.write_bytes(text.encode("utf-8"))
        retired = out / f".{target}.old-{os.getpid()}"
        if folder.exists():
            folder.rename(retired)
        try:
            staging.rename(folder)
        except OSError:
            if retired.exists():
                retired.rename(folder)
            raise
        shutil.rmtree(retired, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created_out and not any(out.iterdir()):
            out.rmdir()
        raise
    return change
