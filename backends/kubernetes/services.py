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

A blue-green workload's Service selects the active version (``app.kubernetes.io/version``);
``ip-hash`` balancing becomes ``sessionAffinity: ClientIP``.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.model import Port, Topology, Workload

from . import labels as L
from .config import primary_service, replica_services


def _ports(ports: tuple[Port, ...]) -> list[dict[str, Any]]:
    return [{"name": p.name, "port": p.number, "targetPort": p.name, "protocol": p.protocol} for p in ports]


def _service(
    topology: Topology,
    w: Workload,
    name: str,
    selector: dict[str, str],
    ports: tuple[Port, ...],
    *,
    headless: bool = False,
    scrape: bool = False,
    affinity: bool = False,
) -> dict[str, Any]:
    labels = L.workload_labels(topology, w)
    if scrape:
        labels[L.SCRAPE] = w.name
    spec: dict[str, Any] = {"type": "ClusterIP", "selector": selector, "ports": _ports(ports)}
    if headless:
        spec["clusterIP"] = "None"
        spec["publishNotReadyAddresses"] = True
    if affinity:
        spec["sessionAffinity"] = "ClientIP"
    return L.obj("v1", "Service", L.meta(name, w.namespace, labels), spec=spec)


def scrape_service(topology: Topology, w: Workload) -> str:
    """The name of the Service a ServiceMonitor scrapes for this workload."""
    if topology.pooler_of(w):
        return w.derived_name("headless")
    return w.name


def services(topology: Topology) -> list[dict[str, Any]]:
    """Every Service."""
    out: list[dict[str, Any]] = []
    for w in topology.workloads:
        affinity = w.load_balancing == "ip-hash"
        pooler = topology.pooler_of(w)
        scrape = w.scraped
        if pooler is not None:
            # the name clients call goes to the pooler, on the pooler's ports of the same name
            ports = tuple(pooler.port(p.name) or p for p in w.container.ports)
            out.append(_service(topology, w, w.name, L.selector(pooler), ports, affinity=affinity))
            out.append(_service(topology, w, primary_service(w), {**L.selector(w), L.POD_INDEX: "0"}, w.container.ports))
            for svc, index in replica_services(w):
                out.append(_service(topology, w, svc, {**L.selector(w), L.POD_INDEX: str(index)}, w.container.ports))
        else:
            sel = L.selector(w)
            if w.blue_green is not None:
                sel[L.VERSION] = w.blue_green.version_label(w.blue_green.active)
            if w.ports:  # a ClusterIP Service must have a port; a workload without one gets none
                out.append(_service(topology, w, w.name, sel, w.ports, scrape=scrape, affinity=affinity))
        if w.kind == "statefulset" or pooler is not None:
            out.append(_service(topology, w, w.derived_name("headless"), L.selector(w), w.ports, headless=True, scrape=scrape and pooler is not None))
    return out
