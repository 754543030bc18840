"""Writing targets' folders so that a reader of OUT only ever sees a target's old or new tree.

A target owns ``OUT/<target>/``; the rest of ``OUT`` is the user's and is never touched.

How a write goes, and why:

1. **Lock.** ``OUT`` itself is locked (``flock``, see ``folder_lock``): a second writer
   waits a bounded time, then fails with nothing written. ``--check`` takes the lock
   shared, so it never reads a half-swapped ``OUT``.
2. **Recover.** A run that was killed may have left work in ``OUT/.orion/``, orion's own
   folder (nothing else in ``OUT`` is ever created or deleted by orion, whatever its name).
   A journal there means the killed run had built every target: its swap is finished
   (rolled forward). Run folders without a journal are unfinished builds: deleted.
3. **Build.** Each target's new tree is built in ``OUT/.orion/run-<random id>/<target>``
   (same file system as ``OUT``, so it can be renamed into place). Unchanged files are
   hard-linked from the old tree, so they are not rewritten; new files are written, none
   of them fsynced on its own. A run folder holds a marker file (fsynced) from the
   moment it exists, and orion deletes a run folder only if it holds that marker (or is
   empty). Any failure here (a full disk, a read-only folder) deletes the run folder:
   ``OUT`` is exactly as it was.
4. **Commit.** First every built file and folder must be on disk, or a power loss after
   the commit would roll forward to empty or missing files: one ``syncfs`` of the run
   folder's file system (``disk_flush``; ``os.sync`` where there is none) does that for
   the whole build. It replaces an fsync per file and per folder (13,549 calls, over a
   third of the time, for 1,000 services), at the price of also flushing whatever else
   is waiting to be written on that file system. Its descriptor is opened before the
   build, so a disk error during the build is reported and fails the write. Then the
   journal ``OUT/.orion/journal`` (the run's id and the inode of each built tree) is
   written, fsynced, renamed into place and its folder fsynced, so it is on disk before
   the first swap: from here on the new generation wins, even after a kill.
5. **Swap.** Each target's folder is exchanged with its built tree in one step
   (``renameat2(RENAME_EXCHANGE)``): there is no moment at which ``OUT/<target>`` is
   missing or a mix. Where the file system cannot exchange, two renames are used and the
   journal covers the moment between them. A swap that fails (an immutable folder) swaps
   the targets already done back: nothing written. A recovering run tells swapped from
   unswapped targets by the inode the journal recorded.
6. **Clean up.** The journal is deleted; the run folder (now holding the old trees) is
   renamed ``OUT/.orion/retired-<id>`` (one step: from here it is garbage, not work),
   then deleted, and ``OUT/.orion`` if that leaves it empty (the CLI then leaves its stamp
   there, see ``orion_dsl.up_to_date``). A run folder a recovering or
   failed run drops is retired the same way first. A retired folder that cannot be
   deleted (a file in an old tree made immutable) does not undo or fail the write: the
   run that retired it warns, later runs retry quietly, and ``--check`` lists it apart
   from interrupted work, since ``OUT``'s targets are whole.

Targets stay real folders rather than symbolic links to generations (``OUT/kubernetes ->
.orion/kubernetes-<id>``, which a symlink rename would also swap atomically): users commit
``OUT`` to git, copy it and mount it into containers, and all of those treat a link as a
link. Targets are swapped one after another, so during a run one target may be new while
the next is still old; each is always whole.

Every path a backend returns is checked before anything is written: relative, inside its
target folder, no ``..``, no NUL, no empty component. Nothing is ever written through a
symbolic link in ``OUT``: a target folder that is a link (or a file) is refused.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
import sys
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import attrs

from orion_dsl import disk_flush, renames
from orion_dsl.folder_lock import FolderBusy, locked

#: orion's own folder in OUT: journal and run folders while a write is under way; at rest, the compile's stamp.
WORK = ".orion"
JOURNAL = "journal"
#: The journal's name while it is written, inside the run folder (no target starts with a dot).
_JOURNAL_SCRATCH = ".journal"
#: The file that makes a run folder orion's to delete.
MARKER = ".made-by-orion"
#: How long a second writer (or ``--check``) waits for the first to finish.
LOCK_WAIT_SECONDS = 30.0

_TARGET_NAME = re.compile(r"[a-z][a-z0-9-]*\Z")
_RUN_NAME = re.compile(r"run-[0-9a-f]{32}\Z")
#: A run folder whose run is over (finished, failed or recovered): garbage to delete.
_RETIRED_NAME = re.compile(r"retired-[0-9a-f]{32}\Z")

#: How a target's built tree was put in place, so that a failed swap can be undone.
_Placed = Literal["exchanged", "renamed", "moved-aside"]


class OutputError(Exception):
    """OUT could not be written (or read); the message says why and whether OUT changed."""


class UnsafePath(ValueError):
    """A backend returned a path that would leave its target folder: a bug in orion."""


@attrs.frozen
class Drift:
    """How a target folder differs from what would be generated."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[str, ...]
    #: Files, on disk or to be written, left out of the comparison (see :func:`drift`).
    not_compared: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Whether the folder is exactly what would be generated (files not compared aside)."""
        return not (self.added or self.removed or self.changed)


@attrs.frozen
class Check:
    """What ``--check`` found: each target's drift, and the work an interrupted write left."""

    drifts: Mapping[str, Drift]
    interrupted: tuple[str, ...]
    #: Folders of trees a finished run no longer needed but could not delete: garbage, not drift.
    retired: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        """Whether OUT is exactly what would be generated and no write was interrupted (retired folders aside)."""
        return not self.interrupted and all(d.clean for d in self.drifts.values())


def _is_folder(path: Path) -> bool:
    """A real folder: not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def _existing(folder: Path) -> dict[str, Path]:
    """Everything but folders below a real folder, by relative path; links are listed, never followed."""
    if not _is_folder(folder):
        return {}
    found: dict[str, Path] = {}
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    found[Path(entry.path).relative_to(folder).as_posix()] = Path(entry.path)
    return dict(sorted(found.items()))


def _holds(path: Path, data: bytes) -> bool:
    """Whether ``path`` is a regular file (not a link) holding exactly ``data``."""
    return stat.S_ISREG(os.lstat(path).st_mode) and path.read_bytes() == data


def drift(folder: Path, files: Mapping[str, str], ignored: Callable[[str], bool] | None = None) -> Drift:
    """Compare a target folder with the files that would be written there (paths relative to it).

    Paths ``ignored`` accepts (images whose bytes depend on the local Graphviz) are not compared.
    """
    old = _existing(folder)
    skipped = {p for p in {*old, *files} if ignored is not None and ignored(p)}
    old = {p: f for p, f in old.items() if p not in skipped}
    files = {p: t for p, t in files.items() if p not in skipped}
    added = tuple(sorted(set(files) - set(old)))
    removed = tuple(sorted(set(old) - set(files)))
    changed = tuple(sorted(p for p in set(files) & set(old) if not _holds(old[p], files[p].encode("utf-8"))))
    return Drift(added, removed, changed, tuple(sorted(skipped)))


def _path_problem(rel: str) -> str | None:
    if not rel:
        return "is empty"
    if "\0" in rel:
        return "holds a NUL character"
    if rel.startswith("/"):
        return "is absolute"
    if "\\" in rel:
        return "holds a backslash"
    parts = rel.split("/")
    if "" in parts:
        return "has an empty component"
    if "." in parts or ".." in parts:
        return "has a . or .. component"
    return None


def _check_paths(targets: Mapping[str, Mapping[str, str]]) -> None:
    """Prove every path stays inside its target folder; raise ``UnsafePath`` (a bug in orion) if not."""
    for target, files in targets.items():
        if not _TARGET_NAME.match(target):
            raise UnsafePath(f"target name {target!r} is not a plain folder name; nothing was written")
        folders = {"/".join(rel.split("/")[:i]) for rel in files for i in range(1, rel.count("/") + 1)}
        for rel in files:
            problem = _path_problem(rel) or ("is both a file and a folder" if rel in folders else None)
            if problem:
                raise UnsafePath(f"target {target} produced the file path {rel!r}, which {problem}; nothing was written")


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
            raise
    finally:
        os.close(fd)


def _write_new_file(path: str | Path, data: bytes, *, on_disk: bool) -> None:
    """Create ``path`` (never through a link, never over a file) holding ``data``.

    ``on_disk``: fsynced before this returns; else the caller flushes the file system
    later, once for every file it wrote (``disk_flush``), as the build step does.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if on_disk:
            os.fsync(fd)
    finally:
        os.close(fd)


def _reuse(source: Path, dest: str) -> bool:
    """Hard-link an unchanged file into the new tree; False if the system refuses (then write it)."""
    try:
        os.link(source, dest, follow_symlinks=False)
    except OSError:
        return False
    return True


def _build(staged: Path, folder: Path, files: Mapping[str, str], change: Drift) -> int:
    """Build a target's new tree at ``staged``; returns its inode (the journal's record of it).

    Nothing here is fsynced: the caller flushes the whole file system once, after every
    target is built and before the journal is written (``disk_flush``).
    """
    old = _existing(folder)
    os.mkdir(staged)
    made = {""}
    base = os.fspath(staged)
    for rel, text in sorted(files.items()):
        dest = f"{base}/{rel}"  # a checked path (_check_paths): no empty, . or .. component, so no Path to normalise it
        parent = rel.rpartition("/")[0]
        if parent not in made:  # one mkdir per folder, not per file
            os.makedirs(f"{base}/{parent}", exist_ok=True)
            while parent not in made:  # its ancestors were made with it
                made.add(parent)
                parent = parent.rpartition("/")[0]
        unchanged = rel in old and rel not in change.changed
        if not (unchanged and _reuse(old[rel], dest)):
            _write_new_file(dest, text.encode("utf-8"), on_disk=False)
    return os.lstat(staged).st_ino


def _refuse_non_folder(folder: Path) -> None:
    """A target's (or orion's own) folder must be a real folder or nothing; orion never replaces or follows anything else."""
    if os.path.islink(folder):
        raise OutputError(
            f"{folder} is a symbolic link (to {os.readlink(folder)}); orion writes a real folder there and never writes through a link: "
            "remove the link; nothing written"
        )
    if os.path.lexists(folder) and not _is_folder(folder):
        raise OutputError(f"{folder} is not a folder: move it out of the way; nothing written")


def _put_in_place(folder: Path, built: Path, aside: Path) -> _Placed:
    """Make ``built`` the target's folder; the old tree (if any) ends up at ``built`` or ``aside``."""
    if not os.path.lexists(folder):
        os.rename(built, folder)
        return "renamed"
    _refuse_non_folder(folder)
    if renames.exchange(folder, built):
        return "exchanged"
    os.rename(folder, aside)
    os.rename(built, folder)
    return "moved-aside"


def _take_back(folder: Path, built: Path, aside: Path, placed: _Placed) -> None:
    """Undo ``_put_in_place``: the old tree (or nothing) is the target's folder again."""
    if placed == "exchanged":
        if not renames.exchange(folder, built):
            raise OSError(errno.ENOTSUP, "cannot exchange the folders back", str(folder))
        return
    os.rename(folder, built)
    if placed == "moved-aside":
        os.rename(aside, folder)


@attrs.frozen
class _Journal:
    """The commit record: which run's trees replace which targets (by the built tree's inode)."""

    run: str
    built: Mapping[str, int]

    def save(self, work: Path) -> None:
        """Write the journal durably and atomically (a temporary in the run folder, then a rename)."""
        scratch = work / f"run-{self.run}" / _JOURNAL_SCRATCH
        _write_new_file(scratch, json.dumps({"run": self.run, "built": dict(self.built)}).encode("utf-8"), on_disk=True)
        os.rename(scratch, work / JOURNAL)
        _fsync_folder(work)

    @classmethod
    def load(cls, path: Path) -> _Journal:
        """Read a journal; ``OutputError`` if it is not one orion wrote."""
        try:
            data = json.loads(path.read_bytes())
            journal = cls(data["run"], {str(t): int(i) for t, i in data["built"].items()})
            if not _RUN_NAME.match(f"run-{journal.run}") or not all(_TARGET_NAME.match(t) for t in journal.built):
                raise ValueError("unexpected run id or target name")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise OutputError(f"{path} is not a journal orion wrote ({exc}): remove {path.parent} if you made it; nothing written") from exc
        return journal


def _roll_forward(root: Path, journal: _Journal) -> None:
    """Finish a committed swap: every target the journal names gets its built tree."""
    run = root / WORK / f"run-{journal.run}"
    for target, inode in journal.built.items():
        folder, built = root / target, run / target
        if os.path.lexists(folder) and os.lstat(folder).st_ino == inode:
            continue
        if os.path.lexists(built) and os.lstat(built).st_ino == inode:  # else: what is there is the old tree
            _put_in_place(folder, built, run / f"{target}.old")
    _fsync_folder(root)


def _remove_tree(folder: str) -> None:
    """``shutil.rmtree`` (which never follows a link), its first failure naming the full path that would not go."""

    def name_it(_: object, path: str, exc: BaseException) -> None:
        if isinstance(exc, OSError):
            raise OSError(exc.errno, exc.strerror, path) from exc
        raise exc

    if sys.version_info >= (3, 12):
        shutil.rmtree(folder, onexc=name_it)
    else:
        shutil.rmtree(folder, onerror=lambda func, path, info: name_it(func, path, info[1]))


def _remove_run(run: Path) -> None:
    """Delete one of orion's run folders: its marker last, so a kill midway leaves it recognisable."""
    with os.scandir(run) as entries:
        for entry in entries:
            if entry.name != MARKER:
                if entry.is_dir(follow_symlinks=False):
                    _remove_tree(entry.path)
                else:
                    os.unlink(entry.path)
    Path(run, MARKER).unlink(missing_ok=True)
    os.rmdir(run)


def _orions_runs(work: Path, name: re.Pattern[str]) -> list[Path]:
    """Folders in orion's folder that orion made: named run-<id> (or retired-<id>, as ``name`` says) and marked (or empty)."""
    if not _is_folder(work):
        return []
    return [
        Path(e.path)
        for e in sorted(os.scandir(work), key=lambda e: e.name)
        if name.match(e.name) and e.is_dir(follow_symlinks=False) and (os.path.isfile(Path(e.path, MARKER)) or not os.listdir(e.path))
    ]


#: Told of a folder orion retired but could not delete, and why.
Undeleted = Callable[[Path, OSError], None]


def _tidy(work: Path, undeleted: Undeleted) -> None:
    """Remove the journal, retire orion's run folders, delete retired ones (as far as possible), then orion's folder if empty.

    ``undeleted`` hears of each folder this call retired and could not delete; folders
    retired earlier are retried quietly (their run already said so).
    """
    Path(work, JOURNAL).unlink(missing_ok=True)
    for run in _orions_runs(work, _RUN_NAME):
        retired = work / f"retired-{run.name.removeprefix('run-')}"
        try:
            os.rename(run, retired)
            _remove_run(retired)
        except OSError as exc:
            undeleted(retired if os.path.lexists(retired) else run, exc)
    for retired in _orions_runs(work, _RETIRED_NAME):
        with contextlib.suppress(OSError):  # still there: check lists it; the next run retries
            _remove_run(retired)
    with contextlib.suppress(OSError):  # not empty: something of the user's, or a folder that could not go
        os.rmdir(work)


def _recover(root: Path, undeleted: Undeleted) -> None:
    """Finish (or drop) whatever a killed run left in ``OUT/.orion``; a no-op if it left nothing."""
    work = root / WORK
    if not os.path.lexists(work):
        return
    _refuse_non_folder(work)
    if os.path.lexists(work / JOURNAL):
        journal = _Journal.load(work / JOURNAL)
        try:
            _roll_forward(root, journal)
        except OSError as exc:
            raise OutputError(f"cannot finish the write a stopped run left in {work}: {_reason(exc)}; fix that and run again") from exc
    _tidy(work, undeleted)


def _reason(exc: OSError) -> str:
    """An OS error as words and the file it names."""
    return f"{exc.strerror or exc}{f': {exc.filename}' if exc.filename else ''}"


def _start_run(work: Path) -> Path:
    """Make orion's folder (if needed) and a fresh, marked run folder in it."""
    _refuse_non_folder(work)
    os.makedirs(work, exist_ok=True)
    run_id = uuid.uuid4().hex
    run = work / f"run-{run_id}"
    os.mkdir(run)
    _write_new_file(run / MARKER, run_id.encode("ascii"), on_disk=True)
    _fsync_folder(work)
    return run


def _replace(root: Path, targets: Mapping[str, Mapping[str, str]], changes: Mapping[str, Drift], undeleted: Undeleted) -> None:
    """Build every target, commit, swap each in; on failure before the commit nothing has changed."""
    work = root / WORK
    for target in targets:
        _refuse_non_folder(root / target)
    try:
        run = _start_run(work)
        with disk_flush.watching(run) as disk:
            journal = _Journal(run.name.removeprefix("run-"), {t: _build(run / t, root / t, files, changes[t]) for t, files in targets.items()})
            disk_flush.flush(disk)
        journal.save(work)
    except OSError as exc:
        _tidy(work, undeleted)
        raise OutputError(f"{_reason(exc)}; nothing written") from exc
    placed: list[tuple[str, _Placed]] = []
    try:
        for target in targets:
            placed.append((target, _put_in_place(root / target, run / target, run / f"{target}.old")))
    except (OSError, OutputError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else str(exc).removesuffix("; nothing written")
        try:
            for target, how in reversed(placed):
                _take_back(root / target, run / target, run / f"{target}.old", how)
        except OSError as undo:
            raise OutputError(f"{reason}; {root} is partly written and could not be put back ({_reason(undo)}): run the compile again to finish it") from exc
        _fsync_folder(root)
        _tidy(work, undeleted)
        raise OutputError(f"{reason}; nothing written") from exc
    _fsync_folder(root)
    _tidy(work, undeleted)


def _make_folder(out: Path) -> list[Path]:
    """Make ``out`` (and missing parents); returns the folders made, deepest first."""
    made: list[Path] = []
    here = out
    while not os.path.lexists(here):
        made.append(here)
        here = here.parent
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{_reason(exc)}; nothing written") from exc
    return made


def write_targets(
    out: Path,
    targets: Mapping[str, Mapping[str, str]],
    *,
    wait: float = LOCK_WAIT_SECONDS,
    on_wait: Callable[[], None] = lambda: None,
    on_warning: Callable[[str], None] = lambda _: None,
    on_written: Callable[[Path], None] = lambda _: None,
) -> dict[str, Drift]:
    """Make each ``out/<target>`` hold exactly its files (paths relative to it); returns what changed.

    All or nothing per run: on ``OutputError`` the message says whether ``out`` changed
    (it does not, unless putting back a failed swap failed too). ``UnsafePath`` (a
    backend's bug) is raised before anything is written. ``on_wait`` is called once if
    another writer holds ``out`` and this one starts to wait (at most ``wait`` seconds).
    ``on_warning`` is told of each folder of old trees that could not be deleted: the
    write still stands (it is garbage in ``out/.orion``, retried by the next write).
    ``on_written`` is called with ``out``'s real path once every target holds its files,
    still under the exclusive lock (to leave the stamp of ``orion_dsl.up_to_date``); it
    must not raise.
    """
    _check_paths(targets)
    made = _make_folder(out)
    try:
        with locked(out, shared=False, wait=wait, on_wait=on_wait) as root:

            def undeleted(folder: Path, exc: OSError) -> None:
                where = out / folder.relative_to(root)
                on_warning(f"could not delete {where}, which holds trees orion no longer needs: {_reason(exc)}; the next compile tries again")

            _recover(root, undeleted)
            changes = {target: drift(root / target, files) for target, files in targets.items()}
            pending = {t: files for t, files in targets.items() if not (changes[t].clean and _is_folder(root / t))}
            if pending:
                _replace(root, pending, changes, undeleted)
            on_written(root)
            return changes
    except FolderBusy as exc:
        failure: OutputError = OutputError(f"{exc} (waited {wait:g} s): try again when it has finished; nothing written")
    except OSError as exc:
        failure = OutputError(f"{_reason(exc)}; nothing written")
    except OutputError as exc:
        failure = exc
    for folder in made:
        try:
            os.rmdir(folder)
        except OSError:
            break
    raise failure


def check_targets(
    out: Path, targets: Mapping[str, Mapping[str, str]], *, wait: float = LOCK_WAIT_SECONDS, ignored: Callable[[str], bool] | None = None
) -> Check:
    """Compare OUT with what would be written, without writing: each target's drift (``ignored`` paths aside) and any interrupted write."""
    if not out.is_dir():
        return Check({t: drift(out / t, files, ignored) for t, files in targets.items()}, ())
    try:
        with locked(out, shared=True, wait=wait) as root:
            work = root / WORK
            leftovers = [work / JOURNAL] if os.path.lexists(work / JOURNAL) else []
            leftovers += _orions_runs(work, _RUN_NAME)
            return Check(
                {t: drift(root / t, files, ignored) for t, files in targets.items()},
                tuple(p.relative_to(root).as_posix() for p in leftovers),
                tuple(p.relative_to(root).as_posix() for p in _orions_runs(work, _RETIRED_NAME)),
            )
    except FolderBusy as exc:
        raise OutputError(f"{exc} (waited {wait:g} s): try again when it has finished") from exc
    except OSError as exc:
        raise OutputError(_reason(exc)) from exc
