"""Workloads reached from outside the cluster through their own Service: a node port or a load balancer.

A ``service_type node-port`` or ``load-balancer`` Service forwards whatever reaches a node's port
(or the cloud load balancer in front of the nodes) to the workload's pods, on the Service's target
ports. Under ``default deny`` the NetworkPolicies would drop it, so the allow-graph says it: an
``exposed`` edge from the internet to the workload on each port of its Service, the container port,
which is the port a NetworkPolicy sees (kube-proxy has translated the node port to the pod's by
then). The source is any address: with ``externalTrafficPolicy: Cluster`` (the default) a node
forwards the connection with its own address, with ``Local`` the client's.

Only a workload outside the mesh is exposed this way: a meshed pod's sidecar admits callers by
their mTLS identity, which a client from outside does not have (so ``check`` refuses that
combination, :mod:`orion_dsl.semantic.exposed`, and points at the ``ingress``).
"""

from __future__ import annotations

from collections.abc import Iterator

from orion_dsl.model import INTERNET, Edge, Peer, Topology, Workload


def exposed(topology: Topology, w: Workload) -> bool:
    """Whether the workload's own Service is a node port or load balancer (an operator's or a pooled
    database's Service never is: E0217, E0221) and has ports."""
    return w.service_type != "cluster-ip" and w.engine is None and topology.pooler_of(w) is None and bool(w.ports)


def exposed_edges(topology: Topology) -> Iterator[Edge]:
    """The internet -> each exposed workload outside the mesh, on every port of its Service."""
    for w in topology.workloads:
        if exposed(topology, w) and not w.meshed:
            target = Peer("workload", w.name, w.namespace)
            for port in w.ports:
                yield Edge(INTERNET, target, port, "exposed", span=w.span)
