"""Services: a ClusterIP Service per workload with a port, a headless one per StatefulSet (a
headless Service may have no port), and the read/write Services of a replicated database.

For a workload with ``database`` and a pooler:

* ``<db>`` (the name clients call) selects the **pooler** pods, so every client connection is
  pooled;
* ``<db>-primary`` selects pod index 0 (``apps.kubernetes.io/pod-index: "0"``, set by the
  StatefulSet controller since Kubernetes 1.28): all writes;
* ``<db>-replica-<i>`` selects pod index ``i``, one Service per read replica. A Service
  selector cannot say "index != 0", so there is no single ``<db>-replicas`` Service; the
  pooler's ``<name>_ro`` database lists the replica Services in proportion to their weights.
* ``<db>-headless`` (every pod, not-ready included) gives the pods stable DNS names for
  replication and carries the metrics port for scraping.

A blue-green workload's Service selects the active version (``app.kubernetes.io/version``); a service of
several versions behind an ``istio`` ingress gets a Service per version its ``traffic`` block names
(``<service>-<version>``), which the HTTPRoute weights, matches and mirrors to (:mod:`.gateway_api`);
``ip-hash`` balancing becomes ``sessionAffinity: ClientIP``.
"""

from __future__ import annotations

from orion_dsl import engines
from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Port, Workload

from . import meta
from .meta import Builder, Obj
from .units import SERVICE_TYPES


def _ports(ports: tuple[Port, ...], by_number: bool = False, node_ports: bool = False) -> list[dict[str, object]]:
    """Service ports (``port http 80 -> 8080``: port 80, targetPort http); pods an operator makes name
    their ports their way, so those are targeted by number. A node-port or load-balancer Service
    carries the node ports the spec asks for (Kubernetes picks the others)."""
    out: list[dict[str, object]] = []
    for p in ports:
        port: dict[str, object] = {"name": p.name, "port": p.service_port, "targetPort": p.number if by_number else p.name, "protocol": p.protocol}
        if node_ports and p.node_port is not None:
            port["nodePort"] = p.node_port
        out.append(port)
    return out


def _service(
    entry: Planned, plan: Plan, ports: tuple[Port, ...], *, headless: bool = False, scrape: bool = False, affinity: bool = False, own: bool = False
) -> Obj:
    """A Service of the entry's pods; ``own``: the workload's own Service, of its ``service_type`` (a
    headless one with ``headless on``, which lists only ready pods, as a ClusterIP Service does)."""
    w = entry.of(Workload)
    labels = meta.workload_labels(plan.topology, w)
    if scrape:
        labels[meta.SCRAPE] = w.name
    kind = SERVICE_TYPES[w.service_type] if own else "ClusterIP"
    spec: dict[str, object] = {"type": kind, "selector": entry.selector, "ports": _ports(ports, by_number=w.engine is not None, node_ports=kind != "ClusterIP")}
    if headless or (own and w.headless):
        spec["clusterIP"] = "None"
    if headless:
        spec["publishNotReadyAddresses"] = True
    if affinity:
        spec["sessionAffinity"] = "ClientIP"
    return meta.build(entry, labels, spec=spec)


def service_address(plan: Plan, target: str, port: Port) -> str:
    """``host:port`` of a workload's port through its Service (``env NAME address target:port``): the
    Service's cluster DNS name and its port (a pooled database's Service is its pooler's, on the pooler's port)."""
    w = plan.topology.workload(target)
    assert w is not None, target
    pooler = plan.topology.pooler_of(w)
    served = (pooler.port(port.name) if pooler is not None else None) or port
    service = plan.get(Role.SERVICE, w)
    return f"{names.service_host(service.name, service.namespace)}:{served.service_port}"


def service(entry: Planned, plan: Plan) -> Obj:
    """The Service clients call: the workload's pods, or a pooled database's pooler on its ports of the same name."""
    w = entry.of(Workload)
    affinity = w.load_balancing == "ip-hash"
    pooler = plan.topology.pooler_of(w)
    if w.engine is not None:
        return _service(entry, plan, _client_ports(w, plan), affinity=affinity)
    if pooler is not None:
        return _service(entry, plan, tuple(pooler.port(p.name) or p for p in w.container.ports), affinity=affinity)
    return _service(entry, plan, w.ports, scrape=w.scraped, affinity=affinity, own=True)


def version_service(entry: Planned, plan: Plan) -> Obj:
    """One version's Service, which an ``istio`` ingress's HTTPRoute weights, matches or mirrors to: the
    workload's ports, its version's pods (the same pods, ports and ServiceAccount the workload's own Service
    reaches, so its NetworkPolicies and AuthorizationPolicies admit the gateway alike), not scraped (the
    workload's own Service is). Istio lets a pod belong to several Services that give one port number one
    protocol (istio.io docs/ops/deployment/requirements, "Service association"; ``istioctl analyze`` IST0116
    otherwise), which the same ports of the same names ensure."""
    w = entry.of(Workload)
    return _service(entry, plan, w.ports, affinity=w.load_balancing == "ip-hash")


def database_service(entry: Planned, plan: Plan) -> Obj:
    """The primary's or one read replica's Service (pod index selectors)."""
    return _service(entry, plan, entry.of(Workload).container.ports)


def _client_ports(w: Workload, plan: Plan) -> tuple[Port, ...]:
    """The ports clients call on a workload an operator runs: its first (PostgreSQL's, which the poolers
    listen on too; Prometheus's or Alertmanager's web port)."""
    client = engines.of(w, plan.topology.monitoring).ports[0].number
    return tuple(p for p in w.container.ports if p.number == client)


def read_service(entry: Planned, plan: Plan) -> Obj:
    """The read replicas' Service of a database an operator runs (its read-only pooler, or its replicas)."""
    return _service(entry, plan, _client_ports(entry.of(Workload), plan))


def headless_service(entry: Planned, plan: Plan) -> Obj:
    """Stable pod DNS names (not-ready pods included); a pooled database's also carries the metrics port for scraping."""
    w = entry.of(Workload)
    return _service(entry, plan, w.ports, headless=True, scrape=w.scraped and plan.topology.pooler_of(w) is not None)


BUILDERS: dict[Role, Builder] = {
    Role.SERVICE: service,
    Role.PRIMARY_SERVICE: database_service,
    Role.REPLICA_SERVICE: database_service,
    Role.VERSION_SERVICE: version_service,
    Role.HEADLESS_SERVICE: headless_service,
    Role.READ_SERVICE: read_service,
}
