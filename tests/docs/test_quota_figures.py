"""The architecture document and the namespaces diagram give each quota's volume claims as its
ResourceQuota admits them: the lowering plan's figure (orion_dsl/lowering/claims.py), which raises
a stated figure below the claims the namespace's objects make (the seed's orion-data: 10 stated,
12 written)."""

from __future__ import annotations

import re

from orion_dsl.model import Topology
from orion_dsl.views import build_view
from orion_dsl.views.common import part_id
from tests.kubernetes.helpers import objects, of_kind

from .markdown import Document


def _written(seed: Topology) -> dict[str, int]:
    return {q["metadata"]["namespace"]: int(q["spec"]["hard"]["persistentvolumeclaims"]) for q in of_kind(objects(seed), "ResourceQuota")}


def test_the_seed_has_a_quota_the_plan_raises(seed: Topology) -> None:
    stated = {ns.name: ns.quota.volume_claims for ns in seed.namespaces if ns.quota is not None}
    assert any(stated[ns] != n for ns, n in _written(seed).items())


def test_the_document_gives_the_resourcequotas_volume_claims(seed: Topology, doc: Document) -> None:
    assert {r[0]: int(r[-1]) for r in doc.table("Resource quotas").rows} == _written(seed)


def test_the_namespaces_diagram_gives_the_resourcequotas_volume_claims(seed: Topology) -> None:
    graph = build_view(seed, "namespaces")
    nodes = {n.id: " ".join(n.lines) for n in graph.nodes()}
    drawn = {ns: int(m.group(1)) for ns in _written(seed) if (m := re.search(r"PVCs (\d+)", nodes[part_id("ns", ns)]))}
    assert drawn == _written(seed)
