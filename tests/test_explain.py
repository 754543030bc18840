"""orion explain: what a diagnostic code means, how to fix it and where to read more; --list shows them all."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from orion_dsl.cli import EXIT_OK, EXIT_USAGE, EXPLAIN_WIDTH, cli
from orion_dsl.codes import CODES, REGISTRY, Code
from tests.conftest import SEED_SPEC


def run(*args: str) -> tuple[int, str, str]:
    """Invoke the CLI in-process; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(cli, ["explain", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _words(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (explain wraps its paragraphs)."""
    return " ".join(text.split())


@pytest.mark.parametrize("code", CODES, ids=[c.name for c in CODES])
def test_explain_prints_the_code_its_severity_and_meaning(code: Code) -> None:
    status, out, _ = run(code.name)
    assert status == EXIT_OK
    assert out.startswith(f"{code.name} ({code.severity.value}): {code.family.title}\n")
    assert _words(code.meaning) in _words(out)


def test_explain_prints_the_explanation_the_fix_and_where_to_read_more() -> None:
    entry = REGISTRY["E0203"]
    _, out, _ = run("E0203")
    assert _words(entry.explanation) in _words(out) and _words(f"How to fix: {entry.fix}") in _words(out)
    assert "\n  docs/LANGUAGE.md, section 6 (Diagnostics)\n" in out


def test_explain_wraps_its_paragraphs() -> None:
    _, out, _ = run("E0216")
    assert max(len(line) for line in out.splitlines()) <= EXPLAIN_WIDTH


def test_a_code_is_read_in_any_case() -> None:
    assert run("e0201") == run("E0201")


def test_an_unknown_code_is_a_usage_error_with_a_did_you_mean() -> None:
    status, _, err = run("E9209")
    assert status == EXIT_USAGE
    assert 'no diagnostic has the code "E9209"' in err and 'did you mean "E0209"?' in err


@pytest.mark.parametrize("subject", ["E201", "X0201", "kubernetes/orion-app/networkpolicy-db-egress.yaml", ""])
def test_what_is_not_a_code_is_a_usage_error_saying_what_is_accepted(subject: str) -> None:
    status, _, err = run(subject)
    assert status == EXIT_USAGE
    assert "is not a diagnostic code" in err and "E, W, R or I and four digits" in err


def test_explain_without_a_code_is_a_usage_error() -> None:
    status, _, err = run()
    assert status == EXIT_USAGE and "give a diagnostic CODE" in err


def test_list_shows_every_code_with_its_meaning_one_a_line() -> None:
    status, out, _ = run("--list")
    lines = out.splitlines()
    assert status == EXIT_OK and len(lines) == len(CODES)
    for line, code in zip(lines, CODES, strict=True):
        assert line.startswith(code.name) and line.endswith(code.meaning) and f" {code.severity.value} " in line


def test_list_with_a_code_is_a_usage_error() -> None:
    status, _, err = run("--list", "E0201")
    assert status == EXIT_USAGE and "not both" in err


def test_python_m_orion_dsl_explains_a_code() -> None:
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "explain", "w0304"], capture_output=True, text=True, check=False)
    assert done.returncode == EXIT_OK and done.stdout.startswith("W0304 (warning)")


def test_explain_object_names_the_spec_lines_that_made_it() -> None:
    result = CliRunner().invoke(cli, ["explain", "kubernetes/orion-data/scheduledbackup-postgres-backup-full.yaml", str(SEED_SPEC)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[1].strip() == "ScheduledBackup orion-data/postgres-backup-full (postgresql.cnpg.io/v1)"
    made = [line for line in lines if "orion.orion:" in line]
    assert [line.split()[1:4] for line in made] == [["backup", "full", "every"]]
    assert lines[-1].strip() == "Cluster orion-data/postgres"  # what it names


def test_explain_object_by_kind_namespace_and_name_says_what_it_selects() -> None:
    result = CliRunner().invoke(cli, ["explain", "service/orion-data/postgres-read", str(SEED_SPEC)])
    assert result.exit_code == 0, result.output
    assert "selects: cnpg.io/poolerName=pgbouncer-read in orion-data" in result.output


def test_explain_a_secret_the_cluster_provides_says_orion_does_not_write_it() -> None:
    result = CliRunner().invoke(cli, ["explain", "secret/orion-data/s3-primary-credentials", str(SEED_SPEC)])
    assert result.exit_code == 0 and "not written by orion" in result.output and "the cluster (or a controller) must provide it" in result.output


def test_explain_an_unknown_object_exits_2_with_did_you_mean() -> None:
    result = CliRunner().invoke(cli, ["explain", "kubernetes/orion-data/service-postgress.yaml", str(SEED_SPEC)])
    assert result.exit_code == 2 and 'did you mean "kubernetes/orion-data/service-postgres.yaml"?' in result.output


def test_explain_an_object_of_a_spec_with_errors_exits_1(tmp_path: Path) -> None:
    spec = tmp_path / "bad.orion"
    spec.write_text("topology t { version 1 }\nnamespace a { service b { image 3 } }\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "service/a/b", str(spec)])
    assert result.exit_code == 1


def test_explain_a_kept_name_that_is_not_written_says_so() -> None:
    spec = SEED_SPEC.parent.parent / "examples" / "egress-allowlist.orion"
    result = CliRunner().invoke(cli, ["explain", "AuthorizationPolicy/payments/billing-allow", str(spec)])
    assert result.exit_code == 0 and result.output.startswith("AuthorizationPolicy payments/billing-allow (not written by orion)")
    assert "orion keeps this name" in result.output


def test_explain_an_unknown_object_by_kind_suggests_one_of_its_folder() -> None:
    result = CliRunner().invoke(cli, ["explain", "deployment/orion-gateway/gateway", str(SEED_SPEC)])
    assert result.exit_code == 2 and 'did you mean "deployment/orion-gateway/gateway-blue"?' in result.output
