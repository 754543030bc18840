"""The output is the same bytes whatever Python's hash seed: each compile runs in its own process.

Rendering twice in one process proves nothing about sets and dicts ordered by hash: both runs
share one seed. Here the CLI compiles the seed spec (every target) and every example
(kubernetes and istio) in fresh processes with different ``PYTHONHASHSEED`` values, and every
file is compared byte for byte. Images (:func:`renderer_dependent`: the local Graphviz draws
them) are compared by path only; their ``.dot`` source is compared in full.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from orion_dsl.backends.diagrams import renderer_dependent
from orion_dsl.output import WORK

ROOT = Path(__file__).resolve().parent.parent
SEED_SPEC = ROOT / "specs" / "orion.orion"
EXAMPLES = sorted((ROOT / "examples").glob("*.orion"))

#: Fixed hash seeds, and one drawn per run (PYTHONHASHSEED takes 0..4294967295); the
#: failure message names the seeds that disagreed, so a random failure can be replayed.
HASH_SEEDS = ("0", "1", "12345", str(random.randrange(2, 2**32)))


def compiled(spec: Path, targets: str, out: Path, hash_seed: str) -> dict[str, bytes]:
    """Every file `orion compile` writes for ``spec`` in its targets under ``out``, by relative path; images by path only.

    ``out/.orion`` is left out: its stamp describes this machine's files (inodes, times), not output.
    """
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    command = [sys.executable, "-m", "orion_dsl", "compile", str(spec), "--target", targets, "-o", str(out)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    files = {path.relative_to(out).as_posix(): path for target in out.iterdir() if target.name != WORK for path in target.rglob("*") if path.is_file()}
    return {name: b"" if renderer_dependent(name) else path.read_bytes() for name, path in sorted(files.items())}


def assert_same_across_hash_seeds(spec: Path, targets: str, tmp_path: Path) -> None:
    """Compile ``spec`` once per hash seed, each into its own folder, and require identical files."""
    outputs = {seed: compiled(spec, targets, tmp_path / f"hash-seed-{seed}", seed) for seed in HASH_SEEDS}
    first_seed, first = next(iter(outputs.items()))
    assert first, f"{spec.name}: nothing was written"
    for seed, files in outputs.items():
        assert files.keys() == first.keys(), f"{spec.name}: PYTHONHASHSEED={seed} and {first_seed} wrote different files"
        differing = [name for name in files if files[name] != first[name]]
        assert not differing, f"{spec.name}: PYTHONHASHSEED={seed} and {first_seed} differ in {len(differing)} files: {differing[:5]}"


def test_seed_spec_compiles_to_the_same_bytes_under_every_hash_seed(tmp_path: Path) -> None:
    assert_same_across_hash_seeds(SEED_SPEC, "kubernetes,istio,diagrams,docs", tmp_path)


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_compiles_to_the_same_manifests_under_every_hash_seed(example: Path, tmp_path: Path) -> None:
    assert_same_across_hash_seeds(example, "kubernetes,istio", tmp_path)
