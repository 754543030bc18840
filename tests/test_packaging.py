"""`pip install .` into a fresh venv gives a working `orion` with the grammar inside the wheel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pip_install_into_fresh_venv_checks_the_seed_from_any_folder(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert pip.returncode == 0, pip.stderr
    grammars = list((venv / "lib").glob("python3*/site-packages/orion_dsl/grammar/orion.lark"))
    assert len(grammars) == 1, "the grammar is not shipped inside the wheel"
    orion = str(venv / "bin" / "orion")
    check = subprocess.run([orion, "check", str(ROOT / "specs" / "orion.orion")], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stderr
    stream = subprocess.run(
        [str(venv / "bin" / "orion"), "compile", str(ROOT / "specs" / "orion.orion"), "--target", "docs", "-o", "-"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert stream.returncode == 0, stream.stderr
    assert "```mermaid" in stream.stdout
