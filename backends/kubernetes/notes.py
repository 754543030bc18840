"""Info diagnostics for facts that have no Kubernetes object, or only part of one.

Each says where the fact does appear (docs, diagrams, another target) or what to do about
it. One function per fact: it returns its diagnostic, or None when the spec does not state
the fact; :data:`NOTES` lists them in the order they are reported.
"""

from __future__ import annotations

from collections.abc import Callable

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering.prerequisites import cni_reason
from orion_dsl.model import Topology

ELSEWHERE = "it appears in the architecture document and the diagrams"

#: A fact's note: its diagnostic, or None when the topology does not have the fact.
Note = Callable[[Topology], Diagnostic | None]


def edge(topology: Topology) -> Diagnostic | None:
    """I1060: the CDN, load balancers, GeoDNS and regions in front of the cluster."""
    if not topology.edge:
        return None
    names = ", ".join(f"{d.kind} {d.name}" for d in topology.edge)
    return info("I1060", None, f"the edge ({names}) lives outside the cluster: no Kubernetes object", ELSEWHERE)


def cluster_autoscaler(topology: Topology) -> Diagnostic | None:
    """I1061: the cluster autoscaler's node range and scale-down threshold are flags of the autoscaler."""
    cluster = topology.scaling.cluster
    if cluster is None:
        return None
    below = f", scale down below {cluster.scale_down_below}%" if cluster.scale_down_below is not None else ""
    return info(
        "I1061",
        None,
        f"the cluster autoscaler ({cluster.min_nodes}..{cluster.max_nodes} nodes{below}) is a cluster setting, not a manifest",
        f"set --nodes and --scale-down-utilization-threshold on the cluster autoscaler; {ELSEWHERE}",
    )


def recovery_objectives(topology: Topology) -> Diagnostic | None:
    """I1062: RTO and RPO objectives are checked at compile time, not written."""
    rec = topology.recovery
    if rec is None or not rec.objectives:
        return None
    objs = "; ".join(f"{o.name}: RTO {o.rto.text}, RPO {o.rpo.text}" for o in rec.objectives)
    return info("I1062", None, f"recovery objectives ({objs}) are checked by orion, not written as objects", ELSEWHERE)


def backup_storage(topology: Topology) -> Diagnostic | None:
    """I1063: backup targets, their replication and archiving are the object store's configuration."""
    rec = topology.recovery
    if rec is None:
        return None
    parts = [f"{t.name} ({t.kind} {t.bucket}{', ' + t.region if t.region else ''})" for t in rec.targets]
    extra = [f"replication {a} -> {b}" for a, b in rec.replications]
    if rec.archive is not None:
        extra.append(f"archive to {rec.archive[0]} after {rec.archive[1].text}")
    if not (parts or extra):
        return None
    return info(
        "I1063",
        None,
        f"backup storage {', '.join(parts + extra)} is configured on the object store, not in the cluster",
        f"backup jobs only name the bucket; {ELSEWHERE}",
    )


def config_in_git(topology: Topology) -> Diagnostic | None:
    """I1064: keeping the configuration in git is a process."""
    rec = topology.recovery
    if rec is None or not rec.config_in_git:
        return None
    return info("I1064", None, f"configuration in git ({rec.config_in_git}) is a process, not an object", ELSEWHERE)


def application_layer(topology: Topology) -> Diagnostic | None:
    """I1065: the application security layer's measures are the services' own code."""
    app = [layer for layer in topology.security_layers if layer.name == "application"]
    if not app:
        return None
    return info("I1065", None, f"application-layer measures ({'; '.join(app[0].measures)}) live in the services' code", ELSEWHERE)


def subnets(topology: Topology) -> Diagnostic | None:
    """I1066: subnets describe the address plan; pods are not pinned to them."""
    if not topology.subnets:
        return None
    return info(
        "I1066",
        None,
        f"subnets ({', '.join(f'{s.name} {s.cidr}' for s in topology.subnets)}) are the documented address plan: "
        "no pod is pinned to one (no IP pool is asked for), the CNI assigns pod addresses",
        "NetworkPolicies select pods by labels, never by these addresses; "
        f"to pin pods, define the CNI's IP pools and annotate the pods yourself; {ELSEWHERE}",
    )


def address_ranges(topology: Topology) -> Diagnostic | None:
    """I1067: fixed pod address ranges are checked against their subnet, not pinned."""
    ranged = [f"{w.name} {w.addresses[0]}-{w.addresses[1]}" for w in topology.workloads if w.addresses is not None]
    if not ranged:
        return None
    return info(
        "I1067",
        None,
        f"fixed pod address ranges ({', '.join(ranged)}) are validated, not pinned",
        f"no NetworkPolicy relies on them; pinning them takes per-workload IP pools of the CNI; {ELSEWHERE}",
    )


def liveness_success_threshold(topology: Topology) -> Diagnostic | None:
    """I1068: Kubernetes requires a liveness probe's successThreshold to be 1."""
    probed = [w.name for w in topology.workloads if w.probes is not None and w.probes.liveness is not None and w.probes.success_threshold != 1]
    if not probed:
        return None
    return info(
        "I1068",
        None,
        f"a liveness probe's successThreshold must be 1; it is 1 for {', '.join(probed)} (readiness keeps the stated threshold)",
        "the stated success threshold applies to readiness probes",
    )


def default_probes(topology: Topology) -> Diagnostic | None:
    """I1071: workloads with ports and no stated probes get TCP checks on their first port (an operator probes the pods it makes)."""
    unprobed = [f"{w.name} (port {w.container.ports[0].name})" for w in topology.workloads if w.probes is None and w.container.ports and w.engine is None]
    if not unprobed:
        return None
    return info(
        "I1071",
        None,
        f"no health checks stated for {', '.join(unprobed)}: TCP liveness and readiness checks on the first port are used",
        "state `probes` for HTTP or command checks",
    )


def shared_read_write_once(topology: Topology) -> Diagnostic | None:
    """I1069: a Deployment's replicas (as many as its autoscaler may run, and both blue-green
    colours) share one ReadWriteOnce claim, so they must share a node."""
    shared = [
        w.name
        for w in topology.workloads
        if w.kind == "deployment" and (w.max_replicas > 1 or w.blue_green is not None) and any(s.access == "read-write-once" for s in w.storage)
    ]
    if not shared:
        return None
    return info(
        "I1069",
        None,
        f"{', '.join(shared)} share one ReadWriteOnce claim across replicas: all replicas must run on one node",
        "make it a statefulset for a claim per replica",
    )


def meshed_pod_security(topology: Topology) -> Diagnostic | None:
    """I1070: restricted or baseline Pod Security refuses istio-init, so the meshed namespaces that enforce either need istio-cni."""
    reason = cni_reason(topology)
    if reason is None:
        return None
    return info("I1070", None, reason, "install Istio with the CNI node agent (istio-cni), which redirects traffic without istio-init")


def unreplicated_databases(topology: Topology) -> Diagnostic | None:
    """I1083: a database ORION writes itself (no ``engine``) runs independent servers: its
    StatefulSet gives each pod its own claim, and nothing in the output makes the replicas follow the
    primary (the images do not replicate on their own)."""
    found = [w.name for w in topology.workloads if w.engine is None and w.database is not None and (w.database.read_replicas or w.replicas > 1)]
    if not found:
        return None
    return info(
        "I1083",
        None,
        f"{', '.join(found)}: the pods ORION writes run independent servers; nothing sets up the replication or the read replicas' streaming",
        "run a PostgreSQL database on `engine cloudnative-pg`, or use an image that sets up its own replication",
    )


#: Every note, in the order the kubernetes target reports them.
NOTES: tuple[Note, ...] = (
    edge,
    cluster_autoscaler,
    recovery_objectives,
    backup_storage,
    config_in_git,
    application_layer,
    subnets,
    address_ranges,
    liveness_success_threshold,
    default_probes,
    shared_read_write_once,
    meshed_pod_security,
    unreplicated_databases,
)


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """Every fact the kubernetes target cannot express (or only partly), one diagnostic each, in :data:`NOTES` order."""
    return [note for fact in NOTES if (note := fact(topology)) is not None]
