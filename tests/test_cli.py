"""The orion command: exit codes, atomic per-target output, drift checks, stdout streams."""

from __future__ import annotations

import gc
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from orion_dsl import __version__, output
from orion_dsl.artifacts import Rendered
from orion_dsl.cli import EXIT_INTERNAL, EXIT_OK, EXIT_SPEC_ERROR, EXIT_USAGE, cli, main
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.pipeline import analyze_file
from orion_dsl.source import MAX_SPEC_BYTES

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "orion.orion"
MINIMAL = """topology t { version "1" }
network { default deny; dns allow; subnet apps 10.1.0.0/24 }
namespace shop {
  subnet apps
  service api { image "shop/api:1.0"; port http 8080 }
}
"""


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Invoke the CLI in-process, with ``stdin`` as standard input; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.orion"
    path.write_text(MINIMAL)
    return path


def snapshot_tree(folder: Path) -> dict[str, tuple[int, int, bytes]]:
    """Every file below a folder with its inode, mtime and bytes."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(folder.rglob("*")) if p.is_file()}


def test_version_is_reported() -> None:
    code, out, _ = run("--version")
    assert (code, out.strip()) == (EXIT_OK, f"orion {__version__}")


@pytest.mark.parametrize("command", ["check", "compile", "diagram"])
def test_every_command_help_shows_an_example(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == EXIT_OK
    assert "Example" in out and "orion " + command in out


def test_check_clean_spec_exits_0(spec: Path) -> None:
    code, _, err = run("check", str(spec))
    assert code == EXIT_OK and "ok (0 errors, 0 warnings)" in err


def test_check_reports_every_error_with_position_and_exits_1(spec: Path) -> None:
    spec.write_text(MINIMAL.replace("image", "imag").replace("port http 8080", "port http 8080; replicsa 2"))
    code, _, err = run("check", str(spec))
    assert code == EXIT_SPEC_ERROR
    assert f"{spec}:5:" in err and err.count("error[E0110]") == 2
    assert 'did you mean "image"?' in err and 'did you mean "replicas"?' in err


def test_check_strict_fails_on_warnings(spec: Path) -> None:
    spec.write_text(MINIMAL.replace("subnet apps 10.1.0.0/24", "subnet apps 10.1.0.0/24; deny api -> api"))
    assert run("check", str(spec))[0] == EXIT_OK
    spec.write_text(MINIMAL + 'namespace more { service web { image "w:1"; port http 80 } }\n')
    spec.write_text(spec.read_text().replace("dns allow;", "dns allow; allow web -> api:http;"))
    code, _, err = run("check", str(spec))
    assert code == EXIT_OK and "W0302" in err
    assert run("check", "--strict", str(spec))[0] == EXIT_SPEC_ERROR


def test_check_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    assert run("check", str(tmp_path / "nope.orion"))[0] == EXIT_USAGE


def test_compile_writes_one_folder_per_target(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = run("compile", str(spec), "-o", str(out))
    assert code == EXIT_OK
    assert sorted(p.name for p in out.iterdir()) == [".orion", "diagrams", "docs", "istio", "kubernetes"]  # .orion: the stamp (test_up_to_date)
    assert (out / "kubernetes" / "kustomization.yaml").is_file()


def test_compile_into_a_folder_never_spells_the_stdout_stream(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spelled: list[Rendered] = []

    def counted(rendered: Rendered) -> str:
        spelled.append(rendered)
        return rendered.spell_stream()

    monkeypatch.setattr(Rendered, "stream", property(counted))
    assert run("compile", str(spec), "-o", str(tmp_path / "out"))[0] == EXIT_OK
    assert run("compile", str(spec), "-t", "kubernetes", "-o", "-")[0] == EXIT_OK
    assert len(spelled) == 1


def test_second_compile_rewrites_no_unchanged_file(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    before = snapshot_tree(out)
    run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    assert snapshot_tree(out) == before


def test_changed_spec_rewrites_changed_files_only_and_removes_stale_ones(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec.write_text(MINIMAL.replace("port http 8080 }", 'port http 8080 }\n  service web { image "w:1"; port http 80 }'))
    run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    before = snapshot_tree(out)
    spec.write_text(MINIMAL)
    code, _, err = run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    after = snapshot_tree(out)
    assert code == EXIT_OK and "removed" in err
    assert not any("web" in path for path in after)
    untouched = [p for p in after if p in before and after[p][2] == before[p][2]]
    assert untouched and all(after[p][:2] == before[p][:2] for p in untouched)


def test_failed_compile_leaves_output_exactly_as_it_was_and_nothing_beside_it(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out))
    (out / "notes.txt").write_text("mine")
    spec.write_text(MINIMAL.replace("8080", "80800"))
    before = snapshot_tree(tmp_path)
    code, _, err = run("compile", str(spec), "-o", str(out))
    assert code == EXIT_SPEC_ERROR and "nothing written" in err
    assert snapshot_tree(tmp_path) == before


def test_failed_compile_creates_no_output_folder(spec: Path, tmp_path: Path) -> None:
    spec.write_text("topology {")
    assert run("compile", str(spec), "-o", str(tmp_path / "out"))[0] == EXIT_SPEC_ERROR
    assert not (tmp_path / "out").exists()


def test_a_target_replaces_only_its_own_folder(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "--target", "istio")
    (out / "kubernetes").mkdir()
    (out / "kubernetes" / "hand-written.yaml").write_text("kind: X\n")
    run("compile", str(spec), "-o", str(out), "--target", "istio")
    assert (out / "kubernetes" / "hand-written.yaml").read_text() == "kind: X\n"


def test_check_flag_reports_drift_and_writes_nothing(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run("compile", str(spec), "-o", str(out), "--check")
    assert code == EXIT_SPEC_ERROR and "missing:" in err and not out.exists()
    run("compile", str(spec), "-o", str(out))
    assert run("compile", str(spec), "-o", str(out), "--check")[0] == EXIT_OK
    victim = next((out / "kubernetes").rglob("deployment-*.yaml"))
    victim.write_text(victim.read_text() + "# edited\n")
    code, _, err = run("compile", str(spec), "-o", str(out), "--check")
    assert code == EXIT_SPEC_ERROR and f"differs: {victim}" in err


def test_stdout_stream_of_one_target(spec: Path) -> None:
    code, out, _ = run("compile", str(spec), "--target", "kubernetes", "-o", "-")
    assert code == EXIT_OK
    assert out.startswith("---\napiVersion: v1\nkind: Namespace\n")


def test_stdout_needs_exactly_one_target(spec: Path) -> None:
    assert run("compile", str(spec), "-o", "-")[0] == EXIT_USAGE


def test_unknown_target_gets_did_you_mean(spec: Path) -> None:
    code, _, err = run("compile", str(spec), "--target", "kubernets", "-o", "-")
    assert code == EXIT_USAGE and 'did you mean "kubernetes"?' in err


def test_verbose_compile_prints_what_a_target_cannot_express(tmp_path: Path) -> None:
    code, _, err = run("compile", str(SEED), "-o", str(tmp_path / "out"), "--target", "kubernetes", "-v")
    assert code == EXIT_OK and "info[" in err and "info[I1060]" in err


def test_verbose_compile_prints_the_prerequisites_summary(tmp_path: Path) -> None:
    code, _, err = run("compile", str(SEED), "-o", str(tmp_path / "out"), "--target", "kubernetes", "-v")
    plan = analyze_file(SEED).plan
    assert plan is not None and code == EXIT_OK
    assert prerequisites(plan).summary() in err.splitlines()


def test_compile_without_verbose_prints_no_prerequisites(tmp_path: Path) -> None:
    assert "prerequisites:" not in run("compile", str(SEED), "-o", str(tmp_path / "out"), "--target", "kubernetes")[2]


def test_internal_error_is_one_line_and_exit_70(spec: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("orion_dsl.pipeline.analyze_source", explode)
    with pytest.raises(SystemExit) as exit_info:
        main(["check", str(spec)])
    assert exit_info.value.code == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" in err and "Traceback" not in err
    assert "https://github.com/orion-dsl/orion-dsl/issues" in err


def test_diagram_list_names_every_view() -> None:
    code, out, _ = run("diagram", "--list")
    assert code == EXIT_OK and out.split() == ["topology", "namespaces", "network", "policies", "mesh", "ingress-egress", "scaling", "disaster-recovery"]


def test_diagram_writes_one_view_in_the_asked_format(spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "policies.dot"
    assert run("diagram", str(spec), "--view", "policies", "--format", "dot", "-o", str(target))[0] == EXIT_OK
    assert 'digraph "orion_policies" {' in target.read_text()


def test_diagram_unknown_view_gets_did_you_mean(spec: Path) -> None:
    code, _, err = run("diagram", str(spec), "--view", "polices")
    assert code == EXIT_USAGE and 'did you mean "policies"?' in err


def test_installed_console_script_runs_from_any_folder(tmp_path: Path) -> None:
    orion = shutil.which("orion", path=str(Path(sys.executable).parent))
    assert orion is not None
    result = subprocess.run([orion, "check", str(SEED)], cwd=tmp_path, capture_output=True, text=True, env={**os.environ}, check=False)
    assert result.returncode == EXIT_OK, result.stderr


def test_check_json_lists_every_diagnostic_with_its_position(spec: Path) -> None:
    import json

    spec.write_text(MINIMAL.replace("image", "imag"))
    code, out, _ = run("check", "--format", "json", str(spec))
    items = json.loads(out)
    assert code == EXIT_SPEC_ERROR
    assert [(i["code"], i["line"], i["column"], i["severity"]) for i in items] == [("E0115", 5, 3, "error"), ("E0110", 5, 17, "error")]
    assert items[1]["file"] == str(spec) and 'did you mean "image"?' in items[1]["help"]


def test_check_json_of_a_clean_spec_is_an_empty_array(spec: Path) -> None:
    code, out, _ = run("check", "--format", "json", str(spec))
    assert (code, out) == (EXIT_OK, "[]\n")


def test_diagram_to_an_unwritable_file_is_a_usage_error(spec: Path, tmp_path: Path) -> None:
    code, _, err = run("diagram", str(spec), "-o", str(tmp_path / "missing" / "x.mmd"))
    assert code == EXIT_USAGE and "cannot write" in err


# ---------------------------------------------------------------- standard input, unreadable specs
def test_check_reads_the_spec_from_stdin_and_reports_it_as_stdin() -> None:
    code, _, err = run("check", "-", stdin=MINIMAL.replace("image", "imag"))
    assert code == EXIT_SPEC_ERROR and "<stdin>:5:17: error[E0110]" in err and "<stdin>: 2 errors" in err


def test_compile_reads_the_spec_from_stdin() -> None:
    code, out, _ = run("compile", "-", "--target", "kubernetes", "-o", "-", stdin=MINIMAL)
    assert code == EXIT_OK and "kind: Namespace" in out


def test_diagram_reads_the_spec_from_stdin() -> None:
    code, out, _ = run("diagram", "-", stdin=MINIMAL)
    assert code == EXIT_OK and "api" in out


def test_stdin_given_twice_is_a_usage_error() -> None:
    code, _, err = run("check", "-", "-", stdin=MINIMAL)
    assert code == EXIT_USAGE and "give - once" in err


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: Path("/dev/zero"), "not a regular file"),
        (lambda tmp: tmp / "absent.orion", "no such file"),
    ],
    ids=["directory", "device", "missing"],
)
def test_check_of_what_is_not_a_spec_file_is_a_usage_error(tmp_path: Path, make: Callable[[Path], Path], message: str) -> None:
    code, _, err = run("check", str(make(tmp_path)))
    assert code == EXIT_USAGE and message in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_check_of_a_named_pipe_nobody_writes_to_does_not_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "spec.orion"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "check", str(fifo)], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == EXIT_SPEC_ERROR and "E0115" in done.stderr  # an empty spec: no topology


def test_check_of_a_file_over_the_size_limit_is_a_usage_error(tmp_path: Path) -> None:
    huge = tmp_path / "huge.orion"
    with huge.open("wb") as f:
        f.truncate(MAX_SPEC_BYTES + 1)
    code, _, err = run("check", str(huge))
    assert code == EXIT_USAGE and "larger than 64 MiB" in err


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_check_of_an_unreadable_file_is_a_usage_error(spec: Path) -> None:
    spec.chmod(0)
    code, _, err = run("check", str(spec))
    assert code == EXIT_USAGE and "cannot read" in err


# ---------------------------------------------------------------- the error limit
MANY_ERRORS = MINIMAL + "".join(f"bogus{n} 1\n" for n in range(60))


def test_text_output_stops_at_50_errors_and_counts_the_rest(spec: Path) -> None:
    spec.write_text(MANY_ERRORS)
    code, _, err = run("check", str(spec))
    assert code == EXIT_SPEC_ERROR and err.count("error[E0110]") == 50
    assert "... and 10 more errors (use --max-errors 0 to see all)\n" in err and f"{spec}: 60 errors, 0 warnings" in err


def test_max_errors_sets_the_limit_and_0_lifts_it(spec: Path) -> None:
    spec.write_text(MANY_ERRORS)
    assert run("check", "--max-errors", "3", str(spec))[2].count("error[E0110]") == 3
    _, _, err = run("check", "--max-errors", "0", str(spec))
    assert err.count("error[E0110]") == 60 and "more errors" not in err


def test_json_output_keeps_every_error_whatever_the_limit(spec: Path) -> None:
    import json

    spec.write_text(MANY_ERRORS)
    _, out, _ = run("check", "--format", "json", "--max-errors", "3", str(spec))
    assert len(json.loads(out)) == 60


def test_compile_applies_the_error_limit_too(spec: Path, tmp_path: Path) -> None:
    spec.write_text(MANY_ERRORS)
    _, _, err = run("compile", str(spec), "-o", str(tmp_path / "out"), "--max-errors", "5")
    assert err.count("error[E0110]") == 5 and "... and 55 more errors" in err


# ---------------------------------------------------------------- colour and progress on a terminal
@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make orion take stderr for a terminal (click's runner captures it in a pipe)."""
    monkeypatch.setattr("orion_dsl.terminal.is_terminal", lambda stream: True)
    monkeypatch.delenv("NO_COLOR", raising=False)


BAD = MINIMAL.replace("image", "imag")
RED_ERROR = "\x1b[1;31merror[E0110]\x1b[0m"


@pytest.mark.usefixtures("terminal")
def test_diagnostics_on_a_terminal_are_coloured_with_a_bold_summary(spec: Path) -> None:
    spec.write_text(BAD)
    _, _, err = run("check", str(spec))
    assert RED_ERROR in err and f"\x1b[1m{spec}: 2 errors, 0 warnings\x1b[0m" in err


@pytest.mark.usefixtures("terminal")
def test_no_color_turns_colour_off_on_a_terminal(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    spec.write_text(BAD)
    err = run("check", str(spec))[2]
    assert "error[E0110]" in err and "\x1b[1" not in err


def test_piped_diagnostics_have_no_colour_and_no_progress(spec: Path) -> None:
    spec.write_text(BAD)
    err = run("check", str(spec))[2]
    assert "error[E0110]" in err and "\x1b" not in err and "\r" not in err


@pytest.mark.parametrize(("mode", "coloured"), [("always", True), ("never", False)])
def test_color_option_overrides_the_terminal_check(spec: Path, mode: str, coloured: bool) -> None:
    spec.write_text(BAD)
    assert (RED_ERROR in run("check", "--color", mode, str(spec))[2]) is coloured


@pytest.mark.usefixtures("terminal")
def test_color_never_wins_on_a_terminal(spec: Path) -> None:
    spec.write_text(BAD)
    assert "\x1b[1" not in run("check", "--color", "never", str(spec))[2]


@pytest.mark.usefixtures("terminal")
def test_compile_on_a_terminal_shows_progress_on_one_line_and_erases_it(spec: Path, tmp_path: Path) -> None:
    _, _, err = run("compile", str(spec), "-o", str(tmp_path / "out"), "--target", "kubernetes,istio")
    steps = [part.removesuffix("...") for part in err.split("\r\x1b[K") if part.endswith("...")]
    assert steps == [f"{spec}: parsing", f"{spec}: decoding", f"{spec}: resolving", f"{spec}: planning", "rendering kubernetes (1/2)", "rendering istio (2/2)"]
    assert "\n" not in err.split("\r\x1b[K")[-2]  # the report starts on an erased line


@pytest.mark.usefixtures("terminal")
def test_progress_is_erased_before_yaml_goes_to_stdout(spec: Path) -> None:
    code, out, err = run("compile", str(spec), "--target", "kubernetes", "-o", "-")
    assert code == EXIT_OK and out.startswith("---\n") and err.endswith("\r\x1b[K")


# ---------------------------------------------------------------- encodings
UNICODE = MINIMAL.replace('version "1"', 'version "1"; description "caf\u00e9 \u2603 \u96ea"')


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "latin-1"}, {"PYTHONIOENCODING": "ascii:strict", "LANG": "C", "LC_ALL": "C"}], ids=["latin-1", "ascii"])
def test_stdout_is_utf8_whatever_the_locale(spec: Path, env: dict[str, str]) -> None:
    spec.write_text(UNICODE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "orion_dsl", "compile", str(spec), "-t", "docs", "-o", "-"], capture_output=True, env={**os.environ, **env}, check=False
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert "caf\u00e9 \u2603 \u96ea" in done.stdout.decode("utf-8")


def test_json_on_stdout_is_utf8_whatever_the_locale(spec: Path) -> None:
    spec.write_text(UNICODE.replace("port http 8080", "port http 8080; caf\u00e9 1"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "check", "--format", "json", str(spec)], capture_output=True, env=env, check=False)
    assert done.returncode == EXIT_SPEC_ERROR, done.stderr
    assert 'unexpected character \\"\u00e9\\"' in done.stdout.decode("utf-8")


def test_diagnostics_on_a_strict_narrow_stderr_escape_what_it_cannot_show(spec: Path) -> None:
    spec.write_text(UNICODE.replace("port http 8080", "port http 8080; s\u2603 1"), encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "latin-1:strict"}
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "check", str(spec)], capture_output=True, env=env, check=False)
    err = done.stderr.decode("latin-1")
    assert done.returncode == EXIT_SPEC_ERROR and "Traceback" not in err and "internal error" not in err
    assert 'unexpected character "\\u2603"' in err


def _orion(*args: str, **popen: object) -> subprocess.CompletedProcess[bytes]:
    """Run orion in its own process, with stdout set up by the caller."""
    return subprocess.run([sys.executable, "-m", "orion_dsl", *args], stderr=subprocess.PIPE, check=False, **popen)  # type: ignore[call-overload]


@pytest.mark.parametrize("command", [("compile", "-o", "-", "--target", "kubernetes"), ("check", "--format", "json"), ("diagram", "--format", "mermaid")])
def test_a_full_stdout_is_a_usage_error_not_a_bug(spec: Path, command: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        done = _orion(command[0], str(spec), *command[1:], stdout=full)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert b"cannot write standard output: No space left on device" in done.stderr and b"internal error" not in done.stderr


def test_a_closed_stdout_is_a_usage_error_not_a_bug(spec: Path) -> None:
    done = subprocess.run(
        f'exec >&- ; exec "{sys.executable}" -m orion_dsl compile "{spec}" -o - --target docs', shell=True, stderr=subprocess.PIPE, check=False
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    assert b"cannot write standard output" in done.stderr


def test_a_reader_that_stops_early_is_not_an_error() -> None:
    done = subprocess.run(
        f'set -o pipefail; "{sys.executable}" -m orion_dsl compile "{SEED}" -o - --target kubernetes | head -c 10 >/dev/null',
        shell=True,
        executable="/bin/bash",
        stderr=subprocess.PIPE,
        check=False,
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stderr == b""


def test_an_empty_output_folder_name_is_a_usage_error(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("compile", str(spec), "-o", "")
    assert code == EXIT_USAGE and "is empty" in err
    assert not (tmp_path / "kubernetes").exists()


@pytest.mark.parametrize("targets", ["", ",", " , "])
def test_a_target_list_naming_nothing_is_a_usage_error(spec: Path, tmp_path: Path, targets: str) -> None:
    code, _, err = run("compile", str(spec), "-o", str(tmp_path / "out"), "--target", targets)
    assert code == EXIT_USAGE and "names no target" in err
    assert not (tmp_path / "out").exists()


def test_check_with_stdout_output_is_a_usage_error(spec: Path) -> None:
    code, out, err = run("compile", str(spec), "-o", "-", "--target", "kubernetes", "--check")
    assert code == EXIT_USAGE and "--check compares an output folder" in err and out == ""


@pytest.mark.parametrize("check_only", [False, True])
def test_an_output_path_that_is_a_file_is_a_usage_error(spec: Path, tmp_path: Path, check_only: bool) -> None:
    afile = tmp_path / "afile"
    afile.write_text("mine\n")
    code, _, err = run("compile", str(spec), "-o", str(afile), *(["--check"] if check_only else []))
    assert code == EXIT_USAGE and "is not a folder" in err and "missing:" not in err
    assert afile.read_text() == "mine\n"


def test_compile_pauses_the_cyclic_collector_while_it_writes_and_restores_it(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    write = output.write_targets
    monkeypatch.setattr(output, "write_targets", lambda *a, **k: (seen.append(gc.isenabled()), write(*a, **k))[1])
    assert gc.isenabled()
    assert run("compile", str(spec), "-o", str(tmp_path / "out"))[0] == EXIT_OK
    assert (seen, gc.isenabled()) == ([False], True)
