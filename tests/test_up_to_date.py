"""A re-compile with nothing changed renders nothing and prints what the compile before it printed (OUT/.orion/stamp)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from orion_dsl import pipeline, up_to_date
from orion_dsl.cli import EXIT_OK, cli
from orion_dsl.output import JOURNAL, WORK
from orion_dsl.source import SourceFile

#: A spec with a warning (W0304, a plain-text secret) and info diagnostics, so there is something to replay.
WARNED = """topology t { version "1" }
network { default deny; dns allow; subnet apps 10.1.0.0/24 }
namespace shop {
  subnet apps
  service api { image "shop/api:1.0"; port http 8080; env DB_PASSWORD "hunter2" }
}
"""


def run(*args: str) -> tuple[int, str]:
    """The CLI in-process; returns (exit code, stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stderr


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.orion"
    path.write_text(WARNED)
    return path


@pytest.fixture
def analyses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the specs the CLI analyses (each full compile analyses once)."""
    seen: list[str] = []
    real = pipeline.analyze_source

    def counting(source: SourceFile, on_stage: Callable[[str], None]) -> object:
        seen.append(source.name)
        return real(source, on_stage)

    monkeypatch.setattr(pipeline, "analyze_source", counting)  # the CLI imports it when it analyses
    return seen


def compile_twice(spec: Path, out: Path, *options: str) -> tuple[str, str]:
    """stderr of a first compile and of a second one with nothing changed."""
    first = run("compile", str(spec), "-o", str(out), *options)
    second = run("compile", str(spec), "-o", str(out), *options)
    assert first[0] == second[0] == EXIT_OK
    return first[1], second[1]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_an_unchanged_recompile_analyses_nothing(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    compile_twice(spec, tmp_path / "out")
    assert analyses == [str(spec)]


def test_an_unchanged_recompile_prints_what_a_full_one_prints(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    _, replayed = run("compile", str(spec), "-o", str(out))
    _, rebuilt = run("compile", str(spec), "-o", str(out), "--rebuild")
    assert "warning[W0304]" in replayed and replayed == rebuilt


def test_an_unchanged_verbose_recompile_replays_info_and_prerequisites(spec: Path, tmp_path: Path) -> None:
    first, second = compile_twice(spec, tmp_path / "out", "-v")
    assert "info[I1071]" in second and "prerequisites:" in second
    assert second == re.sub(r"\(\d+ added", "(0 added", first)


def test_rebuild_analyses_again(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    run("compile", str(spec), "-o", str(out), "--rebuild")
    assert len(analyses) == 2


def test_a_changed_spec_compiles_in_full(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    spec.write_text(WARNED.replace("8080", "8081"))
    run("compile", str(spec), "-o", str(out))
    assert len(analyses) == 2 and "8081" in (out / "kubernetes" / "shop" / "deployment-api.yaml").read_text()


@pytest.mark.parametrize("options", [("--strict",), ("-v",), ("-t", "kubernetes"), ("--color", "always"), ("--max-errors", "3")])
def test_other_options_compile_in_full(spec: Path, tmp_path: Path, analyses: list[str], options: tuple[str, ...]) -> None:
    spec.write_text(WARNED.replace(' env DB_PASSWORD "hunter2"', ""))  # no warning, so --strict passes
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    run("compile", str(spec), "-o", str(out), *options)
    assert len(analyses) == 2


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f: f.write_text(f.read_text() + "# edited\n"),
        lambda f: f.write_text(f.read_text()),  # same bytes, written again
        lambda f: os.utime(f, ns=(f.stat().st_atime_ns, f.stat().st_mtime_ns)),  # times set back: the change time still moves
        lambda f: f.unlink(),
        lambda f: (f.parent / "extra.yaml").write_text("kind: Extra\n"),
        lambda f: f.chmod(0o600),
    ],
    ids=["edited", "rewritten", "touched", "deleted", "file-added", "mode-changed"],
)
def test_a_changed_target_tree_is_put_back(spec: Path, tmp_path: Path, analyses: list[str], tamper: Callable[[Path], object]) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    before = tree(out / "kubernetes")
    tamper(next(p for p in sorted((out / "kubernetes").rglob("*.yaml"))))
    run("compile", str(spec), "-o", str(out))
    assert len(analyses) == 2 and tree(out / "kubernetes") == before


def test_orions_folder_keeps_only_the_stamp_and_its_gitignore(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    assert sorted(os.listdir(out / WORK)) == [".gitignore", "stamp"]
    assert (out / WORK / ".gitignore").read_text().splitlines()[-1] == "*"


@pytest.mark.parametrize("damage", ["", "{", '{"format": 1}', '{"format": 999, "key": "", "trees": {}, "files": {}, "transcript": ""}', "\xff"])
def test_a_damaged_stamp_means_a_full_compile(spec: Path, tmp_path: Path, analyses: list[str], damage: str) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    (out / WORK / "stamp").write_text(damage, encoding="latin-1")
    code, err = run("compile", str(spec), "-o", str(out))
    assert code == EXIT_OK and len(analyses) == 2 and "Traceback" not in err
    assert up_to_date.Stamp.from_json((out / WORK / "stamp").read_text()) is not None


def test_an_interrupted_write_means_a_full_compile(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    stamp = up_to_date.Stamp.from_json((out / WORK / "stamp").read_text())
    assert stamp is not None
    (out / WORK / JOURNAL).write_text("{}")  # what a killed write leaves: the full compile finishes or drops it
    assert up_to_date.still_current(out, stamp.key) is None


def test_check_compares_in_full_whatever_the_stamp_says(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    code, _ = run("compile", str(spec), "-o", str(out), "--check")
    assert code == EXIT_OK and len(analyses) == 2


def test_the_key_changes_with_orions_own_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    source = SourceFile("a.orion", WARNED)
    before = up_to_date.compile_key(source, ["kubernetes"], {})
    extra = tmp_path / "backend.py"
    extra.write_text("# a changed back end\n")
    real = up_to_date._own_files
    monkeypatch.setattr(up_to_date, "_own_files", lambda: [*real(), extra])
    assert up_to_date.compile_key(source, ["kubernetes"], {}) != before


def test_the_key_covers_the_spec_its_name_and_the_targets() -> None:
    key = up_to_date.compile_key
    base = key(SourceFile("a.orion", WARNED), ["kubernetes"], {})
    assert base == key(SourceFile("a.orion", WARNED), ["kubernetes"], {})
    assert base != key(SourceFile("b.orion", WARNED), ["kubernetes"], {})
    assert base != key(SourceFile("a.orion", WARNED + "\n"), ["kubernetes"], {})
    assert base != key(SourceFile("a.orion", WARNED), ["kubernetes", "istio"], {})
    assert base != key(SourceFile("a.orion", WARNED, undecodable=3), ["kubernetes"], {})


def test_an_unchanged_recompile_loads_neither_the_pipeline_nor_the_back_ends(spec: Path, tmp_path: Path) -> None:
    """What makes it fast: the front end, lowering and back ends are imported only past the stamp."""
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    probe = (
        "import sys\nfrom orion_dsl.cli import main\n"
        f"try:\n    main(['compile', {str(spec)!r}, '-o', {str(out)!r}])\nexcept SystemExit as done:\n    assert done.code == 0\n"
        "print(sorted(m for m in ('orion_dsl.pipeline', 'orion_dsl.lowering', 'orion_dsl.backends.kubernetes', 'lark') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parent.parent)
    assert done.stdout.strip() == "[]", done.stderr


def test_a_tree_as_new_as_its_stamp_is_not_trusted(spec: Path, tmp_path: Path, analyses: list[str]) -> None:
    """On coarse timestamps an edit in the compile's tick looks unchanged, so an entry not older than the stamp means a full compile (git's racy rule)."""
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "-t", "kubernetes")
    newest = max(max(p.lstat().st_mtime_ns, p.lstat().st_ctime_ns) for p in [out / "kubernetes", *(out / "kubernetes").rglob("*")])
    os.utime(out / WORK / "stamp", ns=(newest, newest))  # the stamp written in the same tick as the tree
    run("compile", str(spec), "-o", str(out), "-t", "kubernetes")
    assert len(analyses) == 2


@pytest.mark.parametrize("damage", ["pipe", "deep"])
def test_a_stamp_that_cannot_be_read_means_a_full_compile_without_hanging(spec: Path, tmp_path: Path, damage: str) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    stamp = out / WORK / "stamp"
    stamp.unlink()
    if damage == "pipe":
        os.mkfifo(stamp)
    else:
        stamp.write_text("[" * 100_000)
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "compile", str(spec), "-o", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == EXIT_OK and "Traceback" not in done.stderr and "internal error" not in done.stderr


def test_the_key_skips_what_is_not_a_file_in_the_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An editor's lock file is a dangling link beside the module it guards: no part of ORION, and no reason to fail."""
    package = tmp_path / "orion_dsl"
    package.mkdir()
    (package / "up_to_date.py").write_text("# the module\n")
    (package / ".#cli.py").symlink_to(tmp_path / "nowhere")
    monkeypatch.setattr(up_to_date, "__file__", str(package / "up_to_date.py"))
    assert [p.name for p in up_to_date._own_files()][:-1] == ["up_to_date.py"]  # and the grammar


def test_a_compile_whose_graphviz_failed_leaves_no_stamp(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """R06xx may be this moment's trouble (a timeout, a broken font cache): the next compile must draw again."""
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *rest, **kw: None if name == "dot" else real(name, *rest, **kw))
    out = tmp_path / "out"
    code, err = run("compile", str(spec), "-o", str(out))
    assert code == EXIT_OK and "R0601" in err and not (out / WORK / "stamp").exists()


def test_the_key_covers_what_graphviz_reads_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    source = SourceFile("a.orion", WARNED)
    monkeypatch.delenv("FONTCONFIG_FILE", raising=False)
    before = up_to_date.compile_key(source, ["diagrams"], {}), up_to_date.compile_key(source, ["kubernetes"], {})
    monkeypatch.setenv("FONTCONFIG_FILE", "/etc/fonts/other.conf")
    assert up_to_date.compile_key(source, ["diagrams"], {}) != before[0]
    assert up_to_date.compile_key(source, ["kubernetes"], {}) == before[1]
