"""The architecture document's context: every fact of the topology, formatted for people.

Templates only lay out what this package builds; every number is formatted in
:mod:`~orion_dsl.backends.docs.context.text`, in one style. The sections are built by theme:
:mod:`.cluster` (topology, namespaces, network, security, edge), :mod:`.traffic` (policies,
load balancing, ingress, egress), :mod:`.workloads` (containers, scaling, strategies) and
:mod:`.platform` (mesh, data tier, monitoring, disaster recovery).
"""

from __future__ import annotations

from typing import Any

import orion_dsl
from orion_dsl.backends.docs.context import cluster, patches, platform, traffic, workloads
from orion_dsl.backends.docs.context.text import Table, count, pct
from orion_dsl.backends.docs.markdown import code, text
from orion_dsl.lowering import Plan, claims

__all__ = ["Table", "build", "code", "count", "pct", "text"]


def build(plan: Plan, diagrams: dict[str, str]) -> dict[str, Any]:
    """The template context of the architecture document: the plan's topology, and the plan's
    figures where the manifests have them (a quota's volume claims).

    ``diagrams`` maps a view name to its Mermaid text; a section embeds its view when present.
    """
    t = plan.topology
    return {
        "name": t.name,
        "version": t.version,
        "description": text(t.description),
        "domain": t.domain,
        "kubernetes": t.kubernetes,
        "istio": t.istio,
        "generator": orion_dsl.__version__,
        "diagrams": diagrams,
        "topology": cluster.topology(t),
        "namespaces": cluster.namespaces(t, claims.quotas(plan)),
        "network": cluster.network(t),
        "security": cluster.security(t),
        "policies": traffic.policies(t),
        "load_balancing": traffic.load_balancing(t),
        "ingress": traffic.ingress(t),
        "egress": traffic.egress(t),
        "containers": workloads.containers(t),
        "scaling": workloads.scaling(plan),
        "strategies": workloads.strategies(t),
        "mesh": platform.mesh(t),
        "data": platform.data(t),
        "monitoring": platform.monitoring(t),
        "edge": cluster.edge(t),
        "recovery": platform.recovery(t),
        "patches": patches.patches(plan),
    }
