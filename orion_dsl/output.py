"""Writing targets' files: all or nothing, unchanged files untouched, stale files removed.

A target owns ``OUT/<target>/``. Every target's new tree is built beside its folder first
(unchanged files are hard-linked from the old tree, so they are not rewritten); only when
all are built are they swapped in, by renames. A failure while building leaves ``OUT``
exactly as it was.
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


def _stage(out: Path, target: str, files: Mapping[str, str], change: Drift) -> Path:
    """Build the target's new tree in a hidden sibling folder and return it."""
    staging = Path(tempfile.mkdtemp(prefix=f".{target}.new-", dir=out))
    old = _existing(out / target)
    for rel, text in sorted(files.items()):
        dest = staging / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if rel in old and rel not in change.changed:
            os.link(old[rel], dest)
        else:
            dest.write_bytes(text.encode("utf-8"))
    return staging


def _swap(out: Path, target: str, staging: Path) -> None:
    """Put a staged tree in the target's place; the old tree is removed."""
    folder = out / target
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


def write_targets(out: Path, targets: Mapping[str, Mapping[str, str]]) -> dict[str, Drift]:
    """Make each ``out/<target>`` hold exactly its files (paths relative to it); returns what changed."""
    changes = {target: drift(out / target, files) for target, files in targets.items()}
    pending = {t: files for t, files in targets.items() if not (changes[t].clean and (out / t).is_dir())}
    if not pending:
        return changes
    created_out = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staged: dict[str, Path] = {}
    try:
        for target, files in pending.items():
            staged[target] = _stage(out, target, files, changes[target])
        for target, staging in staged.items():
            _swap(out, target, staging)
    except BaseException:
        for staging in staged.values():
            shutil.rmtree(staging, ignore_errors=True)
        for leftover in out.glob(".*.new-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        if created_out and not any(out.iterdir()):
            out.rmdir()
        raise
    return changes
