"""Fixtures for the Istio backend: the seed rendered once, its objects read back from the stream."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio import render
from orion_dsl.model import Topology
from tests.support.plans import planned


def documents(rendered: Rendered) -> list[dict[str, Any]]:
    """The objects of a rendered stream, as the API server would read them."""
    return [d for d in yaml.safe_load_all(rendered.stream) if d is not None]


def find(objects: list[dict[str, Any]], kind: str, name: str, namespace: str | None = None) -> dict[str, Any]:
    """The one object of a kind and name (and namespace; the argument order of the Kubernetes tests' ``find``)."""
    found = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name and (namespace is None or o["metadata"]["namespace"] == namespace)]
    assert len(found) == 1, f"expected one {kind} {namespace or '*'}/{name}, found {len(found)}"
    return found[0]


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """Every object of a kind."""
    return [o for o in objects if o["kind"] == kind]


@pytest.fixture(scope="session")
def seed_rendered(seed: Topology) -> Rendered:
    """The Istio backend's output for the seed spec."""
    return render(planned(seed))


@pytest.fixture(scope="session")
def seed_objects(seed_rendered: Rendered) -> list[dict[str, Any]]:
    """The seed's Istio objects, read back from the stream."""
    return documents(seed_rendered)
