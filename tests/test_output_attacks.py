"""Writing OUT the way it was broken: kills at every step, two writers, full disks, links, look-alike names."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from orion_dsl import disk_flush, output, renames
from orion_dsl.output import JOURNAL, WORK, OutputError, UnsafePath, check_targets, write_targets

Targets = Mapping[str, Mapping[str, str]]

OLD: Targets = {
    "a": {"same.yaml": "same\n", "change.yaml": "old\n", "gone.yaml": "gone\n", "sub/deep.yaml": "deep old\n"},
    "b": {"x.yaml": "b old\n"},
}
NEW: Targets = {
    "a": {"same.yaml": "same\n", "change.yaml": "new\n", "added.yaml": "added\n", "sub/deep.yaml": "deep new\n"},
    "b": {"x.yaml": "b new\n"},
    "c": {"c.yaml": "c new\n"},
}
#: The user's things in OUT, named like every temporary name orion ever used.
USER_FILES = {"notes.txt": "mine", ".a.new-abc123/keep": "mine", ".b.old-4242/keep": "mine", ".orion-notes/keep": "mine"}
#: The os functions a write calls that change (or may change) the disk: where a kill can land.
STEPS = ("mkdir", "open", "write", "fsync", "close", "link", "rename", "replace", "unlink", "rmdir")


def tree(folder: Path) -> dict[str, str] | None:
    """A folder's regular files by relative path, or None if there is no folder."""
    if not folder.is_dir():
        return None
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def seed(out: Path, targets: Targets = OLD) -> None:
    """OUT holding ``targets`` and the user's own files."""
    write_targets(out, targets)
    for rel, text in USER_FILES.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)


def assert_user_files_intact(out: Path) -> None:
    assert {rel: (out / rel).read_text() for rel in USER_FILES} == USER_FILES


def assert_exactly(out: Path, targets: Targets, others: tuple[str, ...] = ()) -> None:
    """OUT holds exactly these trees, the user's files and nothing of orion's."""
    assert {t: tree(out / t) for t in targets} == {t: dict(files) for t, files in targets.items()}
    assert_user_files_intact(out)
    assert sorted(os.listdir(out)) == sorted({*targets, *others, *(rel.split("/")[0] for rel in USER_FILES)})


@attrs.frozen
class ChildRun:
    """How a forked writing child ended: the signal that killed it, or its step counts."""

    killed_by: int | None
    steps: int = 0
    first_exchange: int = 0
    #: The step that flushed the built trees to disk (``disk_flush.flush``); 0 if none did.
    flush: int = 0


def write_in_child(out: Path, targets: Targets, kill_at: int = 0, exchange_works: bool = True) -> ChildRun:
    """Run ``write_targets`` in a forked child that SIGKILLs itself just before its kill_at-th step (0: never)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: count steps, die at the chosen one
        code = 1
        try:
            os.close(reader)
            real_write = os.write
            taken = 0
            exchanges: list[int] = []
            flushes: list[int] = []

            def step(real: Callable[..., Any]) -> Callable[..., Any]:
                def counted(*args: Any, **kwargs: Any) -> Any:
                    nonlocal taken
                    taken += 1
                    if taken == kill_at:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args, **kwargs)

                return counted

            def exchange(a: Path, b: Path) -> bool:
                exchanges.append(taken)
                return real_exchange(a, b) if exchange_works else False

            def flush(fd: int) -> None:
                flushes.append(taken)
                real_flush(fd)

            for name in STEPS:
                setattr(os, name, step(getattr(os, name)))
            real_exchange, real_flush = renames.exchange, disk_flush.flush
            renames.exchange = step(exchange)  # type: ignore[assignment]
            disk_flush.flush = step(flush)  # type: ignore[assignment]
            write_targets(out, targets)
            real_write(writer, json.dumps([taken, exchanges[0] + 1 if exchanges else 0, flushes[0] if flushes else 0]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        said = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return ChildRun(os.WTERMSIG(status))
    assert os.WEXITSTATUS(status) == 0, "the writing child failed"
    steps, first_exchange, flush = json.loads(said)
    return ChildRun(None, steps, first_exchange, flush)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder for hundreds of small writes: in memory where /dev/shm exists, with fsync and syncfs skipped.

    fsync and syncfs are for power loss, not for kills; skipped, each is still a step a kill can land on.
    """
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    monkeypatch.setattr(disk_flush, "flush", lambda fd: None)
    if not os.access("/dev/shm", os.W_OK):
        yield tmp_path
        return
    folder = Path(tempfile.mkdtemp(dir="/dev/shm", prefix="orion-test-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def orion_left_work(out: Path) -> bool:
    """Whether OUT/.orion holds a journal or a run folder (a retired one is garbage, not work)."""
    work = out / WORK
    return work.is_dir() and any(p.name == JOURNAL or p.name.startswith("run-") for p in work.iterdir())


@pytest.mark.parametrize("exchange_works", [True, False], ids=["exchange", "two-renames"])
def test_a_kill_at_any_step_leaves_every_target_old_or_new_and_the_next_run_finishes(scratch: Path, exchange_works: bool) -> None:
    seed(scratch / "count")
    counted = write_in_child(scratch / "count", NEW, exchange_works=exchange_works)
    steps = counted.steps
    assert steps > 30 and 0 < counted.flush < steps
    killed_while_deleting_the_old_trees = 0
    for kill_at in range(1, steps + 1):
        out = scratch / str(kill_at)
        seed(out)
        assert write_in_child(out, NEW, kill_at, exchange_works).killed_by == signal.SIGKILL
        journal = (out / WORK / JOURNAL).exists()
        killed_while_deleting_the_old_trees += bool(retired_folders(out))
        if kill_at <= counted.flush:  # killed before the built trees were flushed: nothing committed
            assert not journal and {t: tree(out / t) for t in NEW} == {t: OLD.get(t) for t in NEW}, f"killed at step {kill_at}"
        for target in NEW:
            now = tree(out / target)
            missing_between_renames = not exchange_works and now is None and journal
            assert now in (OLD.get(target), NEW[target]) or missing_between_renames, f"killed at step {kill_at}: {target} is {now}"
        assert_user_files_intact(out)
        report = check_targets(out, NEW)
        assert report.clean == (not orion_left_work(out) and all(tree(out / t) == NEW[t] for t in NEW)), f"killed at step {kill_at}"
        assert not (journal and report.clean)
        write_targets(out, NEW)
        assert_exactly(out, NEW)
        assert check_targets(out, NEW).clean
    assert killed_while_deleting_the_old_trees > 0


def test_a_run_killed_while_finishing_a_killed_swap_still_leaves_old_or_new(scratch: Path) -> None:
    seed(scratch / "count")
    first_swap = write_in_child(scratch / "count", NEW).first_exchange
    seed(scratch / "recount")
    write_in_child(scratch / "recount", NEW, first_swap)
    assert (scratch / "recount" / WORK / JOURNAL).exists()
    recovery_steps = write_in_child(scratch / "recount", OLD).steps
    for kill_at in range(1, recovery_steps + 1):
        out = scratch / f"twice{kill_at}"
        seed(out)
        write_in_child(out, NEW, first_swap)
        assert write_in_child(out, OLD, kill_at).killed_by == signal.SIGKILL
        for target in OLD:
            assert tree(out / target) in (OLD[target], NEW[target]), f"recovery killed at step {kill_at}"
        write_targets(out, OLD)
        assert_exactly(out, {**OLD, "c": NEW["c"]})


def test_check_reports_an_interrupted_write_as_out_of_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(tmp_path)

    class Killed(BaseException):
        """Stands for a kill in the middle of the swap."""

    def die(a: Path, b: Path) -> bool:
        raise Killed

    monkeypatch.setattr(renames, "exchange", die)
    with pytest.raises(Killed):
        write_targets(tmp_path, NEW)
    monkeypatch.undo()
    report = check_targets(tmp_path, OLD)
    assert {t: d.clean for t, d in report.drifts.items()} == {"a": True, "b": True}
    assert not report.clean and f"{WORK}/{JOURNAL}" in report.interrupted
    write_targets(tmp_path, OLD)
    assert_exactly(tmp_path, {**OLD, "c": NEW["c"]})


def test_a_second_writer_waits_for_the_first_and_its_result_wins_entirely(tmp_path: Path) -> None:
    seed(tmp_path)
    first, second = _racing_writers(tmp_path, NEW, OLD, second_waits=10)
    assert first.returncode == 0 and second.returncode == 0, second.stderr
    assert second.stderr == "waiting\n"
    assert_exactly(tmp_path, {**OLD, "c": NEW["c"]})


def test_a_second_writer_that_cannot_wait_fails_and_writes_nothing(tmp_path: Path) -> None:
    seed(tmp_path)
    first, second = _racing_writers(tmp_path, NEW, OLD, second_waits=0.2)
    assert first.returncode == 0
    assert second.returncode == 3 and "another orion is writing" in second.stderr and "nothing written" in second.stderr
    assert_exactly(tmp_path, NEW)


_WRITER = """
import json, os, sys, time
from pathlib import Path
from orion_dsl.output import OutputError, write_targets
out, targets, wait, hold = Path(sys.argv[1]), json.loads(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
if hold:
    real_fsync = os.fsync
    def slow_fsync(fd):
        if not os.path.exists(hold):
            Path(hold).touch()
            time.sleep(1.0)
        return real_fsync(fd)
    os.fsync = slow_fsync
try:
    write_targets(out, targets, wait=wait, on_wait=lambda: print("waiting", file=sys.stderr))
except OutputError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
"""


Finished = subprocess.CompletedProcess[str]


def _racing_writers(out: Path, first: Targets, second: Targets, second_waits: float) -> tuple[Finished, Finished]:
    """Start a writer that holds OUT's lock for a second, then a second writer while it does."""
    hold = out.parent / f"{out.name}.holding"

    def start(targets: Targets, wait: float, marker: str) -> subprocess.Popen[str]:
        args = [sys.executable, "-c", _WRITER, str(out), json.dumps(targets), str(wait), marker]
        return subprocess.Popen(args, stderr=subprocess.PIPE, text=True)

    one = start(first, 10, str(hold))
    deadline = time.monotonic() + 20
    while not hold.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    two = start(second, second_waits, "")
    results = []
    for proc in (one, two):
        _, err = proc.communicate(timeout=30)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, "", err))
    return results[0], results[1]


def test_two_compiles_at_once_leave_out_as_one_of_them_entirely(tmp_path: Path) -> None:
    from tests.test_cli import MINIMAL

    specs = []
    for name, extra in (("one", ""), ("two", '\n  service web { image "w:1"; port http 80 }')):
        spec = tmp_path / f"{name}.orion"
        spec.write_text(MINIMAL.replace("port http 8080 }", "port http 8080 }" + extra))
        specs.append(spec)
    orion = [sys.executable, "-m", "orion_dsl"]
    expected = []
    for spec in specs:
        subprocess.run([*orion, "compile", str(spec), "-o", str(tmp_path / spec.stem), "-t", "kubernetes,istio"], check=True, capture_output=True)
        expected.append({t: tree(tmp_path / spec.stem / t) for t in ("kubernetes", "istio")})
    out = tmp_path / "out"
    procs = [subprocess.Popen([*orion, "compile", str(spec), "-o", str(out), "-t", "kubernetes,istio"], stderr=subprocess.PIPE, text=True) for spec in specs]
    codes = [p.wait(timeout=60) for p in procs]
    assert codes == [0, 0], [p.stderr.read() if p.stderr else "" for p in procs]
    for p in procs:
        if p.stderr:
            p.stderr.close()
    assert {t: tree(out / t) for t in ("kubernetes", "istio")} in expected
    assert sorted(os.listdir(out)) == [WORK, "istio", "kubernetes"] and sorted(os.listdir(out / WORK)) == [".gitignore", "stamp"]


def test_a_full_disk_while_building_leaves_out_exactly_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(tmp_path)
    before = {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()}
    real_write = os.write
    writes = 0

    def fill_up(fd: int, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", fill_up)
    with pytest.raises(OutputError, match="No space left on device; nothing written"):
        write_targets(tmp_path, NEW)
    monkeypatch.undo()
    assert {p: (p.stat().st_ino, p.read_bytes()) for p in tmp_path.rglob("*") if p.is_file()} == before
    assert_exactly(tmp_path, OLD)


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_really_full_disk_leaves_out_exactly_as_it_was(tiny_disk: Path) -> None:
    out = tiny_disk / "out"
    seed(out)
    with pytest.raises(OutputError, match="No space left on device.*; nothing written"):
        write_targets(out, {**NEW, "b": {"x.yaml": "b" * 2_000_000}})
    assert_exactly(out, OLD)
    write_targets(out, NEW)
    assert_exactly(out, NEW)


def test_an_immutable_target_folder_puts_back_the_targets_already_swapped(tmp_path: Path) -> None:
    seed(tmp_path)
    if subprocess.run(["chattr", "+i", str(tmp_path / "b")], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    try:
        with pytest.raises(OutputError, match="Operation not permitted.*; nothing written"):
            write_targets(tmp_path, NEW)
    finally:
        subprocess.run(["chattr", "-i", str(tmp_path / "b")], check=True)
    assert_exactly(tmp_path, OLD)


def test_a_failed_swap_puts_back_the_targets_already_swapped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(tmp_path)
    real_exchange = renames.exchange

    def refuse_b(a: Path, b: Path) -> bool:
        if a.name == "b":
            raise OSError(errno.EPERM, os.strerror(errno.EPERM), str(a))
        return real_exchange(a, b)

    monkeypatch.setattr(renames, "exchange", refuse_b)
    with pytest.raises(OutputError, match="Operation not permitted.*; nothing written"):
        write_targets(tmp_path, NEW)
    monkeypatch.undo()
    assert_exactly(tmp_path, OLD)


def test_a_symlinked_out_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    seed(real)
    (tmp_path / "out").symlink_to(real)
    write_targets(tmp_path / "out", NEW)
    assert (tmp_path / "out").is_symlink()
    assert_exactly(real, NEW)


@pytest.mark.parametrize("link_to", ["outside", "dangling"])
def test_a_target_folder_that_is_a_link_is_refused_before_anything_is_written(tmp_path: Path, link_to: str) -> None:
    out = tmp_path / "out"
    seed(out)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("theirs")
    shutil.rmtree(out / "b")
    (out / "b").symlink_to(outside if link_to == "outside" else tmp_path / "nowhere")
    with pytest.raises(OutputError, match="is a symbolic link.*never writes through a link.*nothing written"):
        write_targets(out, NEW)
    assert tree(out / "a") == OLD["a"] and not (out / "c").exists() and not (out / WORK).exists()
    assert tree(outside) == {"x.yaml": "theirs"}


def test_a_link_inside_a_target_folder_is_replaced_never_followed(tmp_path: Path) -> None:
    seed(tmp_path / "out")
    outside = tmp_path / "passwd"
    outside.write_text(OLD["a"]["change.yaml"])
    (tmp_path / "out" / "a" / "change.yaml").unlink()
    (tmp_path / "out" / "a" / "change.yaml").symlink_to(outside)
    assert output.drift(tmp_path / "out" / "a", OLD["a"]).changed == ("change.yaml",)
    write_targets(tmp_path / "out", NEW)
    assert not (tmp_path / "out" / "a" / "change.yaml").is_symlink()
    assert outside.read_text() == OLD["a"]["change.yaml"] and os.stat(outside).st_nlink == 1
    assert_exactly(tmp_path / "out", NEW)


def test_orions_working_folder_as_a_link_out_is_refused(tmp_path: Path) -> None:
    seed(tmp_path / "out")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / WORK).symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="is a symbolic link.*nothing written"):
        write_targets(tmp_path / "out", NEW)
    assert os.listdir(tmp_path / "elsewhere") == []
    assert tree(tmp_path / "out" / "a") == OLD["a"]


def test_the_users_things_in_out_survive_failed_and_successful_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(tmp_path)
    (tmp_path / f".b.old-{os.getpid()}").mkdir()
    (tmp_path / f".b.old-{os.getpid()}" / "keep").write_text("mine")
    theirs = tmp_path / WORK / f"run-{'0' * 32}"
    theirs.mkdir(parents=True)
    (theirs / "keep").write_text("mine")

    def fail(a: Path, b: Path) -> bool:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(a))

    monkeypatch.setattr(renames, "exchange", fail)
    with pytest.raises(OutputError):
        write_targets(tmp_path, NEW)
    monkeypatch.undo()
    write_targets(tmp_path, NEW)
    assert_exactly(tmp_path, NEW, others=(WORK, f".b.old-{os.getpid()}"))
    assert (theirs / "keep").read_text() == "mine" and (tmp_path / f".b.old-{os.getpid()}" / "keep").read_text() == "mine"
    assert check_targets(tmp_path, NEW).clean


@pytest.mark.parametrize(
    "path",
    ["/../../x/PWNED", "../x", "a/../../x", "/etc/x", "./a", "a//b", "a/", "", "a\0b", "x\\..\\y"],
)
def test_a_path_leaving_its_target_folder_is_refused_before_anything_is_written(tmp_path: Path, path: str) -> None:
    with pytest.raises(UnsafePath, match="nothing was written"):
        write_targets(tmp_path / "out", {"a": {"fine.yaml": "x", path: "pwned"}})
    assert not (tmp_path / "out").exists() and list(tmp_path.rglob("PWNED")) == []


@pytest.mark.parametrize(
    "targets",
    [{"../t": {"f": "x"}}, {WORK: {"f": "x"}}, {"a": {"f": "x", "f/g": "y"}}],
    ids=["dotdot-target", "orions-folder", "file-and-folder"],
)
def test_a_target_or_file_that_cannot_be_a_plain_tree_is_refused(tmp_path: Path, targets: Targets) -> None:
    with pytest.raises(UnsafePath):
        write_targets(tmp_path / "out", targets)
    assert not (tmp_path / "out").exists()


def test_a_config_map_source_naming_a_path_writes_nothing_outside_out(tmp_path: Path) -> None:
    from tests.test_cli import MINIMAL

    spec = tmp_path / "deep" / "er" / "pwn.orion"
    spec.parent.mkdir(parents=True)
    spec.write_text(MINIMAL.replace("port http 8080", 'port http 8080; volume cfg config-map "/../../x/PWNED" at "/etc/cfg"'))
    code = subprocess.run([sys.executable, "-m", "orion_dsl", "compile", str(spec), "-o", str(spec.parent / "out")], capture_output=True).returncode
    assert code != 0
    assert not (spec.parent / "out").exists() and list(tmp_path.rglob("PWNED*")) == []


def test_compile_refusing_a_dangling_link_has_replaced_no_other_target(tmp_path: Path) -> None:
    from tests.test_cli import MINIMAL, run, snapshot_tree

    spec = tmp_path / "shop.orion"
    spec.write_text(MINIMAL)
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "-t", "kubernetes,istio")
    spec.write_text(MINIMAL.replace("8080", "8081"))
    shutil.rmtree(out / "istio")
    (out / "istio").symlink_to(tmp_path / "nowhere")
    before = snapshot_tree(out / "kubernetes")
    code, _, err = run("compile", str(spec), "-o", str(out), "-t", "kubernetes,istio")
    assert code == 2 and "istio is a symbolic link" in err and "nothing written" in err
    assert snapshot_tree(out / "kubernetes") == before and sorted(os.listdir(out)) == [WORK, "istio", "kubernetes"]


def test_compile_check_reports_an_interrupted_compile_until_one_finishes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_cli import MINIMAL, run

    spec = tmp_path / "shop.orion"
    spec.write_text(MINIMAL)
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    spec.write_text(MINIMAL.replace("8080", "8081"))

    class Killed(BaseException):
        """Stands for a kill in the middle of the swap."""

    def die(a: Path, b: Path) -> bool:
        raise Killed

    monkeypatch.setattr(renames, "exchange", die)
    with pytest.raises(Killed):
        run("compile", str(spec), "-o", str(out))
    monkeypatch.undo()
    spec.write_text(MINIMAL)
    code, _, err = run("compile", str(spec), "-o", str(out), "--check")
    assert code == 1 and f"interrupted: {out / WORK / JOURNAL}" in err and "out of date" in err
    assert run("compile", str(spec), "-o", str(out))[0] == 0
    assert run("compile", str(spec), "-o", str(out), "--check")[:1] == (0,)


def test_check_waits_for_a_writer_rather_than_read_a_half_written_out(tmp_path: Path) -> None:
    from orion_dsl.folder_lock import locked

    seed(tmp_path)
    with locked(tmp_path, shared=False, wait=0), pytest.raises(OutputError, match="another orion is writing"):
        check_targets(tmp_path, OLD, wait=0.1)
    assert check_targets(tmp_path, OLD, wait=0.1).clean


def test_finishing_a_killed_swap_never_puts_an_old_tree_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    seed(out)
    real_exchange = renames.exchange

    class Killed(BaseException):
        """Stands for a kill after the first target's swap."""

    def die_after_a(a: Path, b: Path) -> bool:
        if a.name != "a":
            raise Killed
        return real_exchange(a, b)

    monkeypatch.setattr(renames, "exchange", die_after_a)
    with pytest.raises(Killed):
        write_targets(out, NEW)
    monkeypatch.undo()
    (out / "a").rename(tmp_path / "kept")  # kept, so that its inode is not reused
    (out / "a").mkdir()
    (out / "a" / "by-hand.yaml").write_text("mine")
    write_targets(out, {"b": NEW["b"]})
    assert tree(out / "a") == {"by-hand.yaml": "mine"}
    assert_exactly(out, {"b": NEW["b"], "c": NEW["c"]}, others=("a",))


def retired_folders(out: Path) -> list[str]:
    """The retired run folders orion left in OUT/.orion, relative to OUT."""
    work = out / WORK
    return sorted(f"{WORK}/{p.name}" for p in work.iterdir() if p.name.startswith("retired-")) if work.is_dir() else []


def test_an_old_tree_that_cannot_be_deleted_is_garbage_not_an_interrupted_write(tmp_path: Path) -> None:
    seed(tmp_path)
    stuck = tmp_path / "a" / "change.yaml"
    if subprocess.run(["chattr", "+i", str(stuck)], capture_output=True).returncode:
        pytest.skip("chattr +i is not available here")
    warnings: list[str] = []
    try:
        write_targets(tmp_path, NEW, on_warning=warnings.append)
        [retired] = retired_folders(tmp_path)
        stuck = tmp_path / retired / "a" / "change.yaml"
        assert warnings == [
            f"could not delete {tmp_path / retired}, which holds trees orion no longer needs: Operation not permitted: {stuck}; the next compile tries again"
        ]
        assert {t: tree(tmp_path / t) for t in NEW} == NEW
        report = check_targets(tmp_path, NEW)
        assert report.clean and report.interrupted == () and report.retired == (retired,)
        write_targets(tmp_path, OLD, on_warning=warnings.append)
        assert len(warnings) == 1 and retired_folders(tmp_path) == [retired]
    finally:
        subprocess.run(["chattr", "-i", str(stuck)], check=True)
    write_targets(tmp_path, NEW, on_warning=warnings.append)
    assert len(warnings) == 1
    assert_exactly(tmp_path, NEW)


def test_compile_that_cannot_delete_the_old_tree_warns_exits_0_and_check_stays_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_cli import MINIMAL, run

    spec = tmp_path / "shop.orion"
    spec.write_text(MINIMAL)
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "-t", "kubernetes")
    spec.write_text(MINIMAL.replace("8080", "8081"))
    real_unlink = os.unlink

    def refuse_yaml(path: Any, *args: Any, **kwargs: Any) -> None:
        """Only the old tree's deletion unlinks YAML files: it fails as on an immutable file."""
        if str(path).endswith(".yaml"):
            raise OSError(errno.EPERM, os.strerror(errno.EPERM), path)
        real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", refuse_yaml)
    code, _, err = run("compile", str(spec), "-o", str(out), "-t", "kubernetes")
    monkeypatch.undo()
    [retired] = retired_folders(out)
    assert code == 0 and f"orion: could not delete {out / retired}, which holds trees orion no longer needs: Operation not permitted" in err
    code, _, err = run("compile", str(spec), "-o", str(out), "-t", "kubernetes", "--check")
    assert code == 0 and "interrupted" not in err and f"note: orion could not delete {out / retired}" in err
    assert run("compile", str(spec), "-o", str(out), "-t", "kubernetes")[0] == 0
    assert sorted(os.listdir(out)) == [WORK, "kubernetes"] and sorted(os.listdir(out / WORK)) == [".gitignore", "stamp"]
