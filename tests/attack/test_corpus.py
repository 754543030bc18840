"""The attack corpus: inputs that once crashed orion (exit 70) or made output Kubernetes refuses.

Each ``corpus/*.orion`` starts with ``# expect: CODE ...`` (the error and warning codes
``orion check`` reports) or ``# expect: ok``. ``orion check`` and ``orion compile`` (every
target but the diagrams, which need Graphviz) must never exit 70 or print a traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from orion_dsl.cli import EXIT_INTERNAL, main
from orion_dsl.diagnostics import Severity
from orion_dsl.pipeline import analyze_file

CORPUS = sorted((Path(__file__).resolve().parent / "corpus").glob("*.orion"))


def _expected(spec: Path) -> set[str]:
    """The codes the first line promises (empty for ``ok``)."""
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{spec.name} must start with '# expect: CODE ...' or '# expect: ok'"
    return {word for word in first.removeprefix("# expect: ").split() if word != "ok"}


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in-process: its exit code and everything it printed."""
    with pytest.raises(SystemExit) as exited:
        main(args)
    out, err = capsys.readouterr()
    code = exited.value.code
    return (code if isinstance(code, int) else 0), out + err


@pytest.mark.parametrize("spec", CORPUS, ids=[p.stem for p in CORPUS])
def test_check_reports_exactly_the_expected_codes(spec: Path) -> None:
    analysis = analyze_file(spec)
    reported = {d.code for d in analysis.diagnostics if d.severity is not Severity.INFO}
    assert reported == _expected(spec), [f"{d.span}: {d.code} {d.summary}" for d in analysis.diagnostics]


@pytest.mark.parametrize("spec", CORPUS, ids=[p.stem for p in CORPUS])
def test_every_error_and_warning_says_where(spec: Path) -> None:
    unplaced = [d for d in analyze_file(spec).diagnostics if d.severity is not Severity.INFO and d.span is None]
    assert unplaced == []


@pytest.mark.parametrize("spec", CORPUS, ids=[p.stem for p in CORPUS])
def test_check_and_compile_never_exit_70_nor_print_a_traceback(spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, printed = _run(["check", str(spec)], capsys)
    assert code != EXIT_INTERNAL and "Traceback" not in printed, printed
    code, printed = _run(["compile", str(spec), "--target", "kubernetes,istio,docs", "-o", str(tmp_path / "out")], capsys)
    assert code != EXIT_INTERNAL and "Traceback" not in printed, printed
    assert code == (1 if any(c.startswith("E") for c in _expected(spec)) else 0), printed
