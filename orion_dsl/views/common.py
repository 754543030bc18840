"""What several views share: node ids of model objects, tiers (style classes) and wording."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from orion_dsl import engines
from orion_dsl.model import Backup, Ingress, Peer, Port, Topology, Workload
from orion_dsl.values import Duration, TimeOfDay
from orion_dsl.views.graph import StyleClass, node_id_part
from orion_dsl.views.numbers import value_range

_PEER_PREFIX = {
    "workload": "wl",
    "external": "ext",
    "internet": "net",
    "dns": "dns",
    "ingress": "ing",
    "operator": "op",
    "api-server": "api",
    "object-store": "obj",
}


def peer_id(peer: Peer) -> str:
    """The node id of an allow-graph peer (the same in every view and both formats)."""
    return f"{_PEER_PREFIX[peer.kind]}_{node_id_part(peer.name)}"


def workload_id(name: str) -> str:
    """The node id of a workload's pods."""
    return f"wl_{node_id_part(name)}"


def external_id(name: str) -> str:
    """The node id of an allow-listed external service."""
    return f"ext_{node_id_part(name)}"


def ingress_id(name: str) -> str:
    """The node id of the ingress controller."""
    return f"ing_{node_id_part(name)}"


def ingress_title(ingress: Ingress) -> str:
    """How diagrams name the ingress: Istio's gateway, or the ingress-nginx controller."""
    if ingress.controller == "istio":
        return f"{ingress.name} Istio Gateway"
    return f"{ingress.name} Ingress Controller (ingress-nginx)"


def part_id(prefix: str, name: str) -> str:
    """The node id of one part of a named thing (``svc_gateway``, ``hpa_gateway``)."""
    return f"{prefix}_{node_id_part(name)}"


INTERNET_ID = "net_internet"
#: How each ``service_type`` is drawn: the Kubernetes Service type.
SERVICE_TYPES = {"cluster-ip": "ClusterIP", "node-port": "NodePort", "load-balancer": "LoadBalancer"}


def exposed_workloads(topology: Topology) -> list[Workload]:
    """Workloads the internet reaches through their own node-port or load-balancer Service (the allow-graph's ``exposed`` edges)."""
    reached = {e.target.name for e in topology.allow_graph.edges if e.rule == "exposed"}
    return [w for w in topology.workloads if w.name in reached]


def exposure_text(w: Workload) -> str:
    """``NodePort :80 (node 30001)``: how the internet reaches an exposed workload's Service."""
    ports = ", ".join(f":{p.service_port}" + (f" (node {p.node_port})" if p.node_port is not None else "") for p in w.ports)
    return f"{SERVICE_TYPES[w.service_type]} {ports}"


def monitoring_roles(topology: Topology) -> set[str]:
    """Names of the workloads that scrape, log, alert or draw dashboards."""
    m = topology.monitoring
    if m is None:
        return set()
    return {n for n in (m.scraper, m.logging, m.alerting, m.dashboards) if n}


def workload_tier(topology: Topology, workload: Workload) -> StyleClass:
    """The style class of a workload: monitoring, data, service or system."""
    if workload.name in monitoring_roles(topology):
        return "monitoring"
    if workload.database or workload.storage or workload.pooler_of or workload.kind == "statefulset":
        return "data"
    ns = topology.namespace(workload.namespace)
    if workload.meshed or (ns is not None and ns.mesh):
        return "service"
    return "system"


def namespace_tier(topology: Topology, namespace: str) -> StyleClass:
    """The style class of a namespace: ``ingress`` for the controller's, else its workloads' commonest tier."""
    if topology.ingress is not None and topology.ingress.namespace == namespace:
        return "ingress"
    tiers = Counter(workload_tier(topology, w) for w in topology.workloads_in(namespace))
    if not tiers:
        return "system"
    order: tuple[StyleClass, ...] = ("service", "data", "monitoring", "system")
    return max(order, key=lambda t: (tiers[t], -order.index(t)))


def kind_name(topology: Topology, workload: Workload) -> str:
    """What runs a workload: ``Deployment`` or ``StatefulSet``, or its operator's resource
    (``Cluster``, ``Pooler``, ``RabbitmqCluster``, ``Prometheus``, ``Alertmanager``) for a workload with an ``engine``."""
    return engines.resource(workload, topology.monitoring) or ("StatefulSet" if workload.kind == "statefulset" else "Deployment")


def port_text(port: Port) -> str:
    """``http 3001`` (``http 80 -> 8080`` for a Service port mapped to another); non-TCP ports carry their protocol (``ntp 123/udp``)."""
    suffix = "" if port.protocol == "TCP" else f"/{port.protocol.lower()}"
    return f"{port.name} {port.numbers}{suffix}"


def address_text(workload: Workload) -> str:
    """A workload's pod addresses: ``10.0.10.10..10.0.10.20``, a single address, or ``any free address``."""
    if workload.addresses is None:
        return "any free address"
    return value_range(*workload.addresses)


def time_text(at: TimeOfDay) -> str:
    """``02:00``."""
    return f"{at.hour:02d}:{at.minute:02d}"


#: Backup periods read as words, as the seed writes them.
_PERIODS = {3_600_000: "hourly", 86_400_000: "daily", 604_800_000: "weekly"}


def schedule_text(every: Duration | None, at: TimeOfDay | None, continuous: bool = False) -> str:
    """When a backup runs, the same in diagrams and docs: ``daily at 02:00``, ``hourly``, ``every 6h``, ``continuous``."""
    if continuous:
        return "continuous"
    when = "scheduled" if every is None else _PERIODS.get(every.millis, f"every {every.text}")
    return f"{when} at {time_text(at)}" if at is not None else when


def objective_text(value: Duration) -> str:
    """An RTO or RPO: as written, or ``real-time`` for zero."""
    return "real-time" if value.millis == 0 else value.text


def backup_schedule(backup: Backup) -> str:
    """When a workload backup runs."""
    return schedule_text(backup.every, backup.at, backup.continuous)


def wrap(prefix: str, items: Iterable[str], width: int = 44) -> list[str]:
    """``prefix`` then the items comma-separated, broken into lines of about ``width`` characters."""
    lines: list[str] = []
    current = prefix
    for item in items:
        sep = "" if current == prefix else ", "
        if current != prefix and len(current) + len(sep) + len(item) > width:
            lines.append(current + ",")
            current = "  " + item
        else:
            current += sep + item
    lines.append(current)
    return lines


def rate_text(rate: tuple[int, str]) -> str:
    """``100/second``."""
    return f"{rate[0]}/{rate[1]}"


#: What ``tls_origination`` makes of the hop from the sidecars to the egress gateway: Istio mutual TLS, the
#: host as SNI; the gateway forwards the application's own TLS onward, nothing originates TLS to the external.
SIDECAR_HOP = "mTLS from the sidecars"
