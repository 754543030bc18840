"""Info diagnostics for facts that have no Kubernetes object, or only part of one.

Each names the checklist row and where the fact does appear (docs, diagrams, another target).
"""

from __future__ import annotations

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Topology

ELSEWHERE = "it appears in the architecture document and the diagrams"


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """Every fact the kubernetes target cannot express."""
    out: list[Diagnostic] = []
    if topology.edge:
        names = ", ".join(f"{d.kind} {d.name}" for d in topology.edge)
        out.append(info("I1060", None, f"the edge ({names}) lives outside the cluster: no Kubernetes object", ELSEWHERE))
    cluster = topology.scaling.cluster
    if cluster is not None:
        below = f", scale down below {cluster.scale_down_below}%" if cluster.scale_down_below is not None else ""
        out.append(
            info(
                "I1061",
                None,
                f"the cluster autoscaler ({cluster.min_nodes}..{cluster.max_nodes} nodes{below}) is a cluster setting, not a manifest",
                f"set --nodes and --scale-down-utilization-threshold on the cluster autoscaler; {ELSEWHERE}",
            )
        )
    rec = topology.recovery
    if rec is not None:
        if rec.objectives:
            objs = "; ".join(f"{o.name}: RTO {o.rto.text}, RPO {o.rpo.text}" for o in rec.objectives)
            out.append(info("I1062", None, f"recovery objectives ({objs}) are checked by orion, not written as objects", ELSEWHERE))
        parts = [f"{t.name} ({t.kind} {t.bucket}{', ' + t.region if t.region else ''})" for t in rec.targets]
        extra = [f"replication {a} -> {b}" for a, b in rec.replications]
        if rec.archive is not None:
            extra.append(f"archive to {rec.archive[0]} after {rec.archive[1].text}")
        if parts or extra:
            out.append(
                info(
                    "I1063",
                    None,
                    f"backup storage {', '.join(parts + extra)} is configured on the object store, not in the cluster",
                    f"backup jobs only name the bucket; {ELSEWHERE}",
                )
            )
        if rec.config_in_git:
            out.append(info("I1064", None, f"configuration in git ({rec.config_in_git}) is a process, not an object", ELSEWHERE))
    app = [layer for layer in topology.security_layers if layer.name == "application"]
    if app:
        out.append(info("I1065", None, f"application-layer measures ({'; '.join(app[0].measures)}) live in the services' code", ELSEWHERE))
    if topology.subnets:
        out.append(
            info(
                "I1066",
                None,
                f"subnets ({', '.join(f'{s.name} {s.cidr}' for s in topology.subnets)}) "
                "would be Calico IPPools; pods name theirs in cni.projectcalico.org/ipv4pools",
                f"create an IPPool per subnet with the same name (no IPPool schema is available here to generate it); {ELSEWHERE}",
            )
        )
    ranged = [w for w in topology.workloads if w.addresses is not None]
    if ranged:
        out.append(
            info(
                "I1067",
                None,
                "fixed pod address ranges ("
                + ", ".join(f"{w.name} {w.addresses[0]}-{w.addresses[1]}" for w in ranged if w.addresses)
                + ") are validated, not pinned",
                f"Calico can pin them with per-workload IPPools; {ELSEWHERE}",
            )
        )
    probed = [w.name for w in topology.workloads if w.probes is not None and w.probes.liveness is not None and w.probes.success_threshold != 1]
    if probed:
        out.append(
            info(
                "I1068",
                None,
                f"a liveness probe's successThreshold must be 1; it is 1 for {', '.join(probed)} (readiness keeps the stated threshold)",
                "the stated success threshold applies to readiness probes",
            )
        )
    unprobed = [f"{w.name} (port {w.container.ports[0].name})" for w in topology.workloads if w.probes is None and w.container.ports]
    if unprobed:
        out.append(
            info(
                "I1071",
                None,
                f"no health checks stated for {', '.join(unprobed)}: TCP liveness and readiness checks on the first port are used",
                "state `probes` for HTTP or command checks",
            )
        )
    shared_rwo = [w.name for w in topology.workloads if w.kind == "deployment" and w.replicas > 1 and any(s.access == "read-write-once" for s in w.storage)]
    if shared_rwo:
        out.append(
            info(
                "I1069",
                None,
                f"{', '.join(shared_rwo)} share one ReadWriteOnce claim across replicas: all replicas must run on one node",
                "make it a statefulset for a claim per replica",
            )
        )
    if any(ns.mesh for ns in topology.namespaces):
        out.append(
            info(
                "I1070",
                None,
                "meshed namespaces enforce Pod Security restricted, which refuses the istio-init container (NET_ADMIN, NET_RAW)",
                "install Istio with the CNI node agent (istio-cni) so injected pods stay restricted",
            )
        )
    return out
