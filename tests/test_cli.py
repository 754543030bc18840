"""The orion command: exit codes, atomic per-target output, drift checks, stdout streams."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from orion_dsl import __version__
from orion_dsl.cli import EXIT_INTERNAL, EXIT_OK, EXIT_SPEC_ERROR, EXIT_USAGE, cli, main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "specs" / "orion.orion"
MINIMAL = """topology t { version "1" }
network { default deny; dns allow; subnet apps 10.1.0.0/24 }
namespace shop {
  subnet apps
  service api { image "shop/api:1.0"; port http 8080 }
}
"""


def run(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI in-process; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
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
    assert sorted(p.name for p in out.iterdir()) == ["diagrams", "docs", "istio", "kubernetes"]
    assert (out / "kubernetes" / "kustomization.yaml").is_file()


def test_second_compile_rewrites_no_unchanged_file(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    before = snapshot_tree(out)
    run("compile", str(spec), "-o", str(out), "--target", "kubernetes")
    assert snapshot_tree(out) == before


def test_changed_spec_rewrites_changed_files_only_and_removes_stale_ones(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    spec.write_text(MINIMAL.replace('port http 8080 }', 'port http 8080 }\n  service web { image "w:1"; port http 80 }'))
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
    assert code == EXIT_OK and "info[" in err and "S38" in err


def test_internal_error_is_one_line_and_exit_70(spec: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def explode(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("orion_dsl.cli.analyze_file", explode)
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
    assert "digraph \"orion_policies\" {" in target.read_text()


def test_diagram_unknown_view_gets_did_you_mean(spec: Path) -> None:
    code, _, err = run("diagram", str(spec), "--view", "polices")
    assert code == EXIT_USAGE and 'did you mean "policies"?' in err


def test_installed_console_script_runs_from_any_folder(tmp_path: Path) -> None:
    orion = shutil.which("orion", path=str(Path(sys.executable).parent))
    assert orion is not None
    result = subprocess.run([orion, "check", str(SEED)], cwd=tmp_path, capture_output=True, text=True, env={**os.environ}, check=False)
    assert result.returncode == EXIT_OK, result.stderr


def test_unwritable_output_is_a_usage_error_and_writes_nothing(spec: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("a file, not a folder")
    code, _, err = run("compile", str(spec), "-o", str(blocker))
    assert code == EXIT_USAGE and "cannot write" in err and "Traceback" not in err
    assert blocker.read_text() == "a file, not a folder"


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
