"""The views, in the order they are written and documented: name -> graph builder."""

from __future__ import annotations

from collections.abc import Callable

from backends.diagrams.graph import Graph
from backends.diagrams.views import ingress_egress, mesh, namespaces, network, policies, recovery, scaling, topology
from orion_dsl.model import Topology

BUILDERS: dict[str, Callable[[Topology], Graph]] = {
    "topology": topology.build,
    "namespaces": namespaces.build,
    "network": network.build,
    "policies": policies.build,
    "mesh": mesh.build,
    "ingress-egress": ingress_egress.build,
    "scaling": scaling.build,
    "disaster-recovery": recovery.build,
}
