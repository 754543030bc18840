"""`pip install .` into a fresh venv gives a working `orion` with the grammar inside the wheel."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The workplace folder beside the repository, named as a path (``../shared``, ``ROOT.parent / "shared"``).
OUTSIDE = re.compile(r"\.\./shared\b|parents?\b(?:\[\d+\])?\s*/\s*[\"']shared[\"']")


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


def _build(target: str, tmp_path: Path) -> Path:
    """Build the repository's sdist or wheel with hatchling, as pip's build would."""
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", target, "-d", str(dist)], check=True, capture_output=True, cwd=ROOT)
    (built,) = dist.glob("*.whl" if target == "wheel" else "*.tar.gz")
    return built


def test_the_wheel_claims_no_generic_top_level_package(tmp_path: Path) -> None:
    with zipfile.ZipFile(_build("wheel", tmp_path)) as wheel:
        names = wheel.namelist()
    top = {name.split("/", 1)[0] for name in names if not name.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"orion_dsl"}
    assert "orion_dsl/backends/kubernetes/__init__.py" in names
    assert "orion_dsl/patches/fields.json" in names  # `patch` reads it at run time
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_the_sdist_carries_the_tests_docs_and_license(tmp_path: Path) -> None:
    with tarfile.open(_build("sdist", tmp_path)) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    needs = ("LICENSE", "tests/conftest.py", "tests/schemas/crds/README.md", "docs/LANGUAGE.md", "backends/kubernetes/__init__.py", "specs/orion.orion")
    for needed in (*needs, "tools/patch_schemas.py"):
        assert needed in names, needed


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "orion_dsl", "--version"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and done.stdout.startswith("orion ")


def test_no_project_file_reads_outside_the_repository() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    readers = [p for p in tracked if p.endswith((".py", ".sh", "Makefile", ".toml", "run")) and p != "tests/test_packaging.py"]
    for path in readers:
        text = (ROOT / path).read_text(encoding="utf-8")
        assert not OUTSIDE.search(text), f"{path} reads outside the repository: {OUTSIDE.search(text)}"
