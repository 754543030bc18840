"""A ported public app's example (examples/emojivoto.orion, sock-shop.orion, bank-of-anthos.orion):
its topology and every Kubernetes and Istio object it generates, analysed and rendered once."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from orion_dsl.backends import istio, kubernetes
from orion_dsl.model import Topology
from tests.conftest import ROOT, load_topology
from tests.support.plans import planned


@functools.cache
def example(name: str) -> Topology:
    """The example's topology."""
    return load_topology(ROOT / "examples" / f"{name}.orion")


@functools.cache
def example_objects(name: str) -> tuple[dict[str, Any], ...]:
    """Every object both targets write for the example."""
    plan = planned(example(name))
    return tuple(d for target in (kubernetes, istio) for d in yaml.safe_load_all(target.render(plan).stream) if d)


def named_objects(name: str, namespace: str, kind: str) -> dict[str, dict[str, Any]]:
    """The example's objects of one kind in one namespace, by name."""
    return {o["metadata"]["name"]: o for o in example_objects(name) if o["kind"] == kind and o["metadata"].get("namespace") == namespace}
