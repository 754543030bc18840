"""Knowing, without compiling, that a compile would leave OUT exactly as it is: the stamp.

A compile that wrote OUT records a stamp in ``OUT/.orion/stamp``: a key naming everything
the output is a function of, and the state of each target's tree as the write left it. A
later compile with the same key, whose trees are still in that state, would render the same
files and write none of them, so it replays the messages the first one printed instead.

The key is a SHA-256 over: the stamp's format; ORION's own files (every file of the
``orion_dsl`` package, its back ends and the grammar, by content); the Python interpreter;
the libraries the output depends on (each one's installed location, size, inode and times:
reinstalling one rewrites its files); Graphviz's ``dot`` and what it and fontconfig read from
the environment when diagrams are built; the spec's name and text; and the options that change
output or messages (targets, ``--strict``, ``--verbose``, colour, ``--max-errors``). A compile
whose Graphviz failed (R06xx) records no stamp: the failure may be the moment's.

A tree's state is a SHA-256 over every entry under ``OUT/<target>`` (its path, type and
mode, inode, size, modification and change times). Editing, adding, deleting, touching or
replacing any file or folder changes its change time (which no user can set back), so any of
those sends the next compile down the full path, which puts the file back. An entry as new as
the stamp itself is not trusted either (git's "racy" rule): where timestamps are coarse, an edit
in the compile's own tick would otherwise look unchanged. What the stamp cannot see is fonts
installed since, which Graphviz reads: ``--rebuild`` compiles in full.

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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import attrs

from orion_dsl.folder_lock import FolderBusy, locked
from orion_dsl.grammar_file import grammar_path
from orion_dsl.output import JOURNAL, WORK
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
#: What Graphviz and fontconfig read from the environment besides the graph: where dot's plugins, fonts and
#: font configuration are (a different font draws a different SVG).
_RENDERER_ENVIRONMENT = (
    "GVBINDIR",
    "GV_FILE_PATH",
    "DOTFONTPATH",
    "GDFONTPATH",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
    "FONTCONFIG_SYSROOT",
    "HOME",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "XDG_CACHE_HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
)
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
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: a stamp nested past the parser's depth
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
        # an editor's lock file (a dangling link) or a socket is no part of ORION
        yield from (Path(folder, n) for n in sorted(names) if not n.endswith((".pyc", ".pyo")) and os.path.isfile(Path(folder, n)))
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
        digest.update(json.dumps({name: os.environ.get(name) for name in _RENDERER_ENVIRONMENT}).encode())
    digest.update(
        json.dumps({"name": source.name, "undecodable": source.undecodable, "targets": list(targets), "options": options}, sort_keys=True, default=str).encode()
    )
    digest.update(b"\0")
    digest.update(source.text.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


def tree_state(folder: Path) -> str:
    """The state of a target's tree: every entry's path, mode, inode, size and times, in a stable order."""
    return _walk(folder)[0]


def _walk(folder: Path) -> tuple[str, int]:
    """A tree's state (:func:`tree_state`) and the newest modification or change time of its entries."""
    digest = hashlib.sha256()
    newest = 0
    pending = [(folder, "")]
    while pending:
        here, rel = pending.pop()
        s = os.lstat(here)
        newest = max(newest, s.st_mtime_ns, s.st_ctime_ns)
        digest.update(f"{rel}\0{s.st_mode} {s.st_ino} {s.st_size} {s.st_mtime_ns} {s.st_ctime_ns}\n".encode("utf-8", errors="surrogateescape"))
        if stat.S_ISDIR(s.st_mode):
            names = sorted(os.listdir(here), reverse=True)
            pending.extend((here / n, f"{rel}/{n}") for n in names)
    return digest.hexdigest(), newest


def _read_stamp(work: Path) -> tuple[Stamp, int] | None:
    """The stamp in orion's folder and when it was written, if that folder holds nothing else (no unfinished write),
    the stamp is a regular file (a named pipe would block: opened without waiting, then refused) and it reads back."""
    try:
        if not stat.S_ISDIR(os.lstat(work).st_mode) or not set(os.listdir(work)) <= _AT_REST:
            return None
        fd = os.open(work / STAMP, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as f:
            written = os.fstat(fd)
            if not stat.S_ISREG(written.st_mode):
                return None
            text = f.read(16 * 1024 * 1024).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    stamp = Stamp.from_json(text)
    return (stamp, written.st_mtime_ns) if stamp is not None else None


def still_current(out: Path, key: str) -> Stamp | None:
    """OUT's stamp if it has ``key`` and every target's tree is as that compile left it; else ``None``.

    Read under OUT's shared lock, without waiting for it (a writer at work means a full compile, which waits).
    A tree with an entry as new as the stamp is *racy*, as git calls it: on a file system whose timestamps are
    coarse (a second on ext4 with small inodes, FAT, HFS+), an edit in the same tick as the compile would look
    unchanged, so only entries older than the stamp are trusted.
    """
    if not out.is_dir():
        return None
    try:
        with locked(out, shared=True, wait=0) as root:
            found = _read_stamp(root / WORK)
            if found is None or found[0].key != key or os.path.lexists(root / WORK / JOURNAL):
                return None
            stamp, written = found
            for target, state in stamp.trees.items():
                now, newest = _walk(root / target)
                if now != state or newest >= written:
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
        try:
            os.replace(scratch, work / STAMP)
        except OSError:  # a folder named stamp, say: no stamp, and nothing left behind
            os.unlink(scratch)
            raise


def _write_new(path: Path, text: str) -> None:
    """Write a file that must not exist yet (never through a link)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
