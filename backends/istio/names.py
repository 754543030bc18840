"""Names, hosts and identities shared by every Istio module, agreed by convention with the Kubernetes backend.

Conventions (never imported from the Kubernetes backend, only agreed):

* every workload ``w`` runs as ServiceAccount ``w.name`` in ``w.namespace``; its mTLS
  principal is ``cluster.local/ns/<namespace>/sa/<name>``;
* its pods carry ``app.kubernetes.io/name: <name>`` (blue-green colours add
  ``app.kubernetes.io/version: <version>``);
* its Service is ``<name>`` in its namespace, host ``<name>.<namespace>.svc.cluster.local``;
  a call to a pooled database is addressed to the database's Service (``edge.via``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from orion_dsl.model import EgressGateway, Port, Topology, Workload, dns_label

#: A Kubernetes/Istio object as plain data.
Obj = dict[str, Any]

NETWORKING = "networking.istio.io/v1"
SECURITY = "security.istio.io/v1"
TELEMETRY = "telemetry.istio.io/v1"

#: Istio's root namespace: mesh-wide policies and the shared ServiceEntries live here.
ROOT_NAMESPACE = "istio-system"
TRUST_DOMAIN = "cluster.local"

NAME_LABEL = "app.kubernetes.io/name"
VERSION_LABEL = "app.kubernetes.io/version"
MANAGED_BY = {"app.kubernetes.io/managed-by": "orion"}

#: The egress gateway installed with Istio: its Service name and pod label.
EGRESS_SERVICE = EgressGateway.SERVICE
EGRESS_SELECTOR = {"istio": "egressgateway"}


def obj(api_version: str, kind: str, name: str, namespace: str, spec: Mapping[str, Any]) -> Obj:
    """The envelope every Istio object shares: apiVersion, kind, metadata (name, namespace, labels), spec."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY)},
        "spec": dict(spec),
    }


def service_host(name: str, namespace: str) -> str:
    """The cluster-local DNS name of a Service."""
    return f"{name}.{namespace}.svc.cluster.local"


def egress_host(namespace: str) -> str:
    """The host of the egress gateway's Service."""
    return service_host(EGRESS_SERVICE, namespace)


def principal(name: str, namespace: str) -> str:
    """The SPIFFE-style identity Istio gives a workload's ServiceAccount."""
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{name}"


def selector(workload: Workload) -> Obj:
    """A workloadSelector/selector that picks exactly the workload's pods."""
    return {"matchLabels": {NAME_LABEL: workload.name}}


def meshed(topology: Topology) -> tuple[Workload, ...]:
    """Workloads with an Envoy sidecar, in spec order."""
    return tuple(w for w in topology.workloads if w.meshed)


def meshed_namespaces(topology: Topology) -> tuple[str, ...]:
    """Namespaces that hold at least one meshed workload, sorted."""
    return tuple(sorted({w.namespace for w in meshed(topology)}))


def duration(millis: int) -> str:
    """An Istio (protobuf) duration: whole seconds as ``15s``, else ``0.250s``.

    >>> duration(15000), duration(250)
    ('15s', '0.250s')
    """
    seconds, rest = divmod(millis, 1000)
    return f"{seconds}s" if rest == 0 else f"{seconds}.{rest:03d}s"


#: A DNS-1123 label made from a host name (``api.stripe.com`` -> ``api-stripe-com``); the model
#: owns it because the front end checks that the egress objects named with it do not collide.
slug = dns_label


def port_protocol(port: Port) -> str:
    """The Istio protocol of an external port: HTTPS for 443, TLS for other TLS ports, UDP as is, else TCP."""
    if port.protocol == "UDP":
        return "UDP"
    if port.number == 443 or port.name == "https":
        return "HTTPS"
    if port.tls:
        return "TLS"
    return "TCP"


def ip_blocks(topology: Topology, kind: str, name: str) -> tuple[str, ...]:
    """CIDRs an unmeshed caller's pods use: its address range, else its subnet; empty when unknown.

    The ingress controller's pods are in its subnet (its ``address`` is the public one).
    """
    if kind == "ingress" and topology.ingress is not None and topology.ingress.name == name:
        return _subnet_cidr(topology, topology.ingress.subnet, topology.ingress.namespace)
    workload = topology.workload(name) if kind == "workload" else None
    if workload is None:
        return ()
    if workload.addresses is not None:
        first, last = workload.addresses
        return tuple(str(net) for net in ipaddress.summarize_address_range(first, last))
    return _subnet_cidr(topology, workload.subnet, workload.namespace)


def _subnet_cidr(topology: Topology, subnet: str | None, namespace: str) -> tuple[str, ...]:
    ns = topology.namespace(namespace)
    name = subnet or (ns.subnet if ns else None)
    found = next((s for s in topology.subnets if s.name == name), None)
    return (str(found.cidr),) if found else ()
