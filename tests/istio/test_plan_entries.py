"""The Istio backend builds its objects from the plan: each object is one emitted plan entry's, and each Istio role has one builder."""

from __future__ import annotations

from collections import Counter
from typing import Any

import attrs

from orion_dsl.backends.istio import BUILDERS, render
from orion_dsl.model import Topology
from tests.conftest import EXAMPLES, load_topology
from tests.istio.conftest import documents
from tests.support.plans import planned

#: (apiVersion, kind, namespace, name): what an object and a plan entry are compared by.
Identity = tuple[str, str, str | None, str]


def _identity(o: dict[str, Any]) -> Identity:
    meta = o["metadata"]
    return (o["apiVersion"], o["kind"], meta["namespace"], meta["name"])


def _not_one_to_one(topology: Topology) -> list[tuple[Identity, int, int]]:
    """(identity, objects, entries) for every rendered identity that is not one object of one emitted Istio entry."""
    plan = planned(topology)
    entries = Counter((e.id.api_version, e.id.kind, e.id.namespace, e.id.name) for e in plan.for_target("istio"))
    rendered = Counter(_identity(o) for o in documents(render(plan)))
    return [(identity, count, entries[identity]) for identity, count in sorted(rendered.items()) if (count, entries[identity]) != (1, 1)]


def test_every_seed_object_is_one_plan_entry(seed: Topology) -> None:
    assert _not_one_to_one(seed) == []


def test_every_example_object_is_one_plan_entry(example: Topology) -> None:
    assert _not_one_to_one(example) == []


def test_every_istio_role_planned_has_a_builder_and_every_builder_a_planned_role(seed: Topology) -> None:
    assert seed.mesh is not None
    permissive = attrs.evolve(seed, mesh=attrs.evolve(seed.mesh, mtls="permissive"))  # per-namespace mTLS: the seed is strict
    topologies = [seed, permissive, *(load_topology(p) for p in EXAMPLES)]
    planned_roles = {e.role for t in topologies for e in planned(t).for_target("istio")}
    assert planned_roles == set(BUILDERS)
