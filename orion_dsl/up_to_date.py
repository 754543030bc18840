"""Knowing, without compiling, that a compile would leave OUT exactly as it is: the stamp.

A compile that wrote OUT records a stamp in ``OUT/.orion/stamp``: a key naming everything
the output is a function of, and the state of each target's tree as the write left it. A
later compile with the same key, whose trees are still in that state, would render the same
files and write none of them, so it replays the messages the first one printed instead.

The key is a SHA-256 over: the stamp's format; ORION's own files (every file of the
``orion_dsl`` package, its back ends and the grammar, by content); the Python interpreter;
the libraries the output depends on (each one's installed location, size, inode and times:
reinstalling one rewrites its files); Graphviz's ``dot`` when diagrams are built; the spec's
name and text; and the options that change output or messages (targets, ``--strict``,
``--verbose``, colour, ``--max-errors``).

A tree's state is a SHA-256 over every entry under ``OUT/<target>`` (its path, type and
mode, inode, size, modification and change times). Editing, adding, deleting, touching or
replacing any file or folder changes its change time (which no user can set back), so any of
those sends the next compile down the full path, which puts the file back. What the stamp
cannot see is the machine's fonts, which Graphviz reads: ``--rebuild`` compiles in full.

The stamp is a cache, never a source of truth: one that is missing, unreadable, of another
format or written by another ORION only means a full compile, and failing to write one never
fails a compile. Like pytest's and ruff's caches, ``OUT/.orion`` holds a ``.gitignore`` of
``*``, so committing OUT does not commit the stamp.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import stat
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from orion_dsl.folder_lock import FolderBusy, locked
from orion_dsl.grammar_file import grammar_path
from orion_dsl.output import JOURNAL, LOCK_WAIT_SECONDS, WORK
from orion_dsl.source import SourceFile

#: Raised whenever what the stamp holds or how the key is made changes.
FORMAT = 1
#: The stamp's name in orion's own folder, ``OUT/.orion``.
STAMP = "stamp"
#: The ignore file that keeps orion's folder out of a commit of OUT.
GITIGNORE = ".gitignore"
#: Where the next stamp is written before it is renamed into place.
_SCRATCH = f"{STAMP}.new"
#: The only entries of ``OUT/.orion`` a finished compile leaves.
_AT_REST = frozenset({STAMP, GITIGNORE})
#: The third-party packages whose code decides the output (reinstalling one rewrites its files).
_LIBRARIES = ("attr", "attrs", "click", "jinja2", "lark", "markupsafe", "yaml")


@attrs.frozen
class Stamp:
    """What a compile that wrote OUT left: its key, each target's tree state and file count (in the order built), and what it printed."""

    key: str
    trees: Mapping[str, str]
    files: Mapping[str, int]
    transcript: str

    def to_json(self) -> str:
        """The stamp as the text of ``OUT/.orion/stamp``."""
        return json.dumps({"format": FORMAT, "key": self.key, "trees": dict(self.trees), "files": dict(self.files), "transcript": self.transcript})

    @classmethod
    def from_json(cls, text: str) -> Stamp | None:
        """A stamp read back, or ``None`` for one of another format or damaged."""
        try:
            data = json.loads(text)
            if data["format"] != FORMAT:
                return None
            key, trees, files, transcript = data["key"], data["trees"], data["files"], data["transcript"]
        except (ValueError, KeyError, TypeError):
            return None
        fields_hold = isinstance(key, str) and isinstance(transcript, str) and isinstance(trees, dict) and isinstance(files, dict)
        if not fields_hold or trees.keys() != files.keys():
            return None
        if not all(isinstance(v, str) for v in trees.values()) or not all(type(v) is int for v in files.values()):
            return None
        return cls(key, trees, files, transcript)


def _own_files() -> Iterator[Path]:
    """Every file of ORION that can change its output: the package (back ends included, through their link) and the grammar."""
    package = Path(__file__).resolve().parent
    for folder, subfolders, names in os.walk(package, followlinks=True):
        subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
        yield from (Path(folder, n) for n in sorted(names) if not n.endswith((".pyc", ".pyo")))
    yield grammar_path()


def _stat_words(path: str | None) -> str:
    """A file's identity and times as text (or ``absent``): changes whenever the file is replaced or rewritten."""
    if path is None:
        return "absent"
    try:
        s = os.stat(path)
    except OSError:
        return "absent"
    return f"{os.path.realpath(path)} {s.st_size} {s.st_ino} {s.st_mtime_ns} {s.st_ctime_ns}"


def compile_key(source: SourceFile, targets: Sequence[str], options: Mapping[str, object]) -> str:
    """The key of a compile: equal keys render equal files and print equal messages (see the module's docstring)."""
    digest = hashlib.sha256(f"orion-stamp {FORMAT}\0{sys.version}\0".encode())
    package = Path(__file__).resolve().parent
    for path in _own_files():
        digest.update(f"{path.relative_to(package) if path.is_relative_to(package) else path.name}\0".encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for library in _LIBRARIES:
        spec = importlib.util.find_spec(library)
        digest.update(f"{library} {_stat_words(spec.origin if spec else None)}\0".encode())
    if "diagrams" in targets:
        digest.update(f"dot {_stat_words(shutil.which('dot'))}\0".encode())
    digest.update(
        json.dumps({"name": source.name, "undecodable": source.undecodable, "targets": list(targets), "options": options}, sort_keys=True, default=str).encode()
    )
    digest.update(b"\0")
    digest.update(source.text.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


def tree_state(folder: Path) -> str:
    """The state of a target's tree: every entry's path, mode, inode, size and times, in a stable order."""
    digest = hashlib.sha256()
    pending = [(folder, "")]
    while pending:
        here, rel = pending.pop()
        s = os.lstat(here)
        digest.update(f"{rel}\0{s.st_mode} {s.st_ino} {s.st_size} {s.st_mtime_ns} {s.st_ctime_ns}\n".encode("utf-8", errors="surrogateescape"))
        if stat.S_ISDIR(s.st_mode):
            names = sorted(os.listdir(here), reverse=True)
            pending.extend((here / n, f"{rel}/{n}") for n in names)
    return digest.hexdigest()


def _read_stamp(work: Path) -> Stamp | None:
    """The stamp in orion's folder, if that folder holds nothing else (no unfinished write) and the stamp reads back."""
    try:
        if not stat.S_ISDIR(os.lstat(work).st_mode) or not set(os.listdir(work)) <= _AT_REST:
            return None
        fd = os.open(work / STAMP, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            text = f.read(16 * 1024 * 1024).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return Stamp.from_json(text)


def still_current(out: Path, key: str, *, wait: float = LOCK_WAIT_SECONDS, on_wait: Callable[[], None] = lambda: None) -> Stamp | None:
    """OUT's stamp if it has ``key`` and every target's tree is as that compile left it (read under OUT's shared lock); else ``None``."""
    if not out.is_dir():
        return None
    try:
        with locked(out, shared=True, wait=wait, on_wait=on_wait) as root:
            stamp = _read_stamp(root / WORK)
            if stamp is None or stamp.key != key or os.path.lexists(root / WORK / JOURNAL):
                return None
            if any(tree_state(root / target) != state for target, state in stamp.trees.items()):
                return None
            return stamp
    except (FolderBusy, OSError):
        return None


def record(root: Path, key: str, files: Mapping[str, int], transcript: str) -> None:
    """Leave the stamp of the compile that just wrote ``root`` (called under its exclusive lock); a failure only loses the cache."""
    work = root / WORK
    with contextlib.suppress(OSError):
        stamp = Stamp(key, {target: tree_state(root / target) for target in files}, dict(files), transcript)
        os.makedirs(work, exist_ok=True)
        if not os.path.lexists(work / GITIGNORE):
            _write_new(work / GITIGNORE, "# written by orion: its stamp of the last compile, see `orion compile --help`\n*\n")
        scratch = work / _SCRATCH  # one writer at a time holds the lock: a fixed name, left over only by a killed run
        with contextlib.suppress(FileNotFoundError):
            os.unlink(scratch)
        _write_new(scratch, stamp.to_json())
        os.replace(scratch, work / STAMP)


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never through a link)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
