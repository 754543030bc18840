"""Helpers for the kubernetes backend tests: render once, parse, find objects, write folders."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.kubernetes import render
from orion_dsl.model import Topology
from tests.conftest import EXAMPLES, SEED_SPEC, load_topology
from tests.support.plans import planned

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The seed and every example: tests over "every spec" are parametrized with these.
SPECS = [SEED_SPEC, *EXAMPLES]


@functools.cache
def load(path: Path) -> Topology:
    """A spec's topology, analysed once."""
    return load_topology(path)


ALLOWLIST = REPO_ROOT / "checkov-allowlist.txt"


@functools.cache
def rendered(topology: Topology) -> Rendered:
    """The backend's result, once per topology (topologies are frozen and hashable)."""
    return render(planned(topology))


@functools.cache
def _objects(topology: Topology) -> tuple[dict[str, Any], ...]:
    return tuple(d for d in yaml.load_all(rendered(topology).stream, Loader=yaml.CSafeLoader) if d is not None)


def objects(topology: Topology) -> list[dict[str, Any]]:
    """The stream's objects, in order (parsed once; do not mutate them)."""
    return list(_objects(topology))


def find(objs: list[dict[str, Any]], kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    """The one object of this kind and name (and namespace)."""
    hits = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name and (namespace is None or o["metadata"].get("namespace") == namespace)]
    assert len(hits) == 1, f"expected one {kind} {namespace or '*'}/{name}, found {len(hits)}"
    return hits[0]


def of_kind(objs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Every object of a kind."""
    return [o for o in objs if o["kind"] == kind]


def containers(o: dict[str, Any]) -> list[dict[str, Any]]:
    """The containers of a Deployment or StatefulSet pod template."""
    return list(o["spec"]["template"]["spec"]["containers"])


def main_container(o: dict[str, Any]) -> dict[str, Any]:
    """The first container."""
    return containers(o)[0]


def write(topology: Topology, folder: Path) -> Path:
    """Write the artifacts under ``folder``; return ``folder/kubernetes``."""
    for artifact in rendered(topology).artifacts:
        path = folder / artifact.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(artifact.text, encoding="utf-8")
    return folder / "kubernetes"


def allowlist() -> dict[str, str]:
    """checkov-allowlist.txt as check id -> reason."""
    out = {}
    for line in ALLOWLIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            check, _, reason = line.partition(" ")
            out[check] = reason.strip()
    return out
