"""Labels, selectors and names shared by every Kubernetes object ORION writes.

Pods carry the recommended ``app.kubernetes.io/*`` labels; selectors use only the stable
``app.kubernetes.io/name`` (plus ``orion.dev/colour`` for a blue-green colour), so a new image
version never changes which pods a Service, PodDisruptionBudget or NetworkPolicy selects.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.model import Topology, Workload, label_value

NAME = "app.kubernetes.io/name"
INSTANCE = "app.kubernetes.io/instance"
VERSION = "app.kubernetes.io/version"
COMPONENT = "app.kubernetes.io/component"
PART_OF = "app.kubernetes.io/part-of"
MANAGED_BY = "app.kubernetes.io/managed-by"
COLOUR = "orion.dev/colour"
SCRAPE = "orion.dev/scrape"
POD_INDEX = "apps.kubernetes.io/pod-index"
NAMESPACE_NAME = "kubernetes.io/metadata.name"

#: The ingress controller's pods (installed separately, e.g. the ingress-nginx Helm chart).
INGRESS_CONTROLLER = {NAME: "ingress-nginx"}
#: The cluster DNS pods.
KUBE_DNS_NAMESPACE = "kube-system"
KUBE_DNS = {"k8s-app": "kube-dns"}
#: istiod (sidecars fetch configuration and certificates from it on 15012).
ISTIO_NAMESPACE = "istio-system"
ISTIOD = {"app": "istiod"}
ISTIOD_PORT = 15012
EGRESS_GATEWAY = {"istio": "egressgateway"}


def component(w: Workload) -> str:
    """A workload's role: database, connection pooler, or its namespace's tier."""
    if w.database is not None:
        return "database"
    if w.pooler_of is not None:
        return "connection-pooler"
    return w.namespace.split("-", 1)[-1] if "-" in w.namespace else w.namespace


def recommended(topology: Topology, name: str, component_: str, version: str | None = None, instance: str | None = None) -> dict[str, str]:
    """The six recommended labels, each made a valid label value (a version with ``+``, a
    digest, an object name longer than 63 such as ``<ingress>-<namespace>``)."""
    labels = {
        NAME: name,
        INSTANCE: instance or name,
        VERSION: version or topology.version,
        COMPONENT: component_,
        PART_OF: topology.name,
        MANAGED_BY: "orion",
    }
    return {key: label_value(value) for key, value in labels.items()}


def workload_labels(topology: Topology, w: Workload, version: str | None = None, colour: str | None = None) -> dict[str, str]:
    """Labels of a workload's pods and objects (a blue-green colour adds its version and colour,
    and makes the instance ``<name>-<colour>``)."""
    labels = recommended(topology, w.name, component(w), version or w.version, w.derived_name(colour) if colour else None)
    if colour is not None:
        labels[COLOUR] = colour
    return labels


def selector(w: Workload, colour: str | None = None) -> dict[str, str]:
    """The stable selector of a workload's pods (one colour of a blue-green pair if given)."""
    sel = {NAME: w.name}
    if colour is not None:
        sel[COLOUR] = colour
    return sel


def meta(name: str, namespace: str | None, labels: dict[str, str], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """ObjectMeta."""
    out: dict[str, Any] = {"name": name}
    if namespace is not None:
        out["namespace"] = namespace
    out["labels"] = dict(labels)
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def obj(api_version: str, kind: str, metadata: dict[str, Any], **body: Any) -> dict[str, Any]:
    """A Kubernetes object."""
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body}
