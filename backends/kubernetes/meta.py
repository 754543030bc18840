"""Labels, selectors and the envelope of every Kubernetes object ORION writes.

Pods carry the recommended ``app.kubernetes.io/*`` labels; selectors use only the stable
``app.kubernetes.io/name`` (plus ``orion.dev/colour`` for a blue-green colour, ``app.kubernetes.io/version``
for one of a service's versions), made by
:func:`orion_dsl.lowering.names.pod_selector`, so a new image version never changes which pods a
Service, PodDisruptionBudget or NetworkPolicy selects. Identities come from the plan entry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from orion_dsl.lowering import Plan, Planned, envelope, names
from orion_dsl.model import Topology, Workload, label_value

NAME = names.NAME_LABEL
INSTANCE = names.INSTANCE_LABEL
VERSION = names.VERSION_LABEL
COMPONENT = names.COMPONENT_LABEL
PART_OF = names.PART_OF_LABEL
MANAGED_BY = names.MANAGED_BY_LABEL
COLOUR = names.COLOUR_LABEL
SCRAPE = "orion.dev/scrape"
POD_INDEX = names.POD_INDEX_LABEL
NAMESPACE_NAME = names.NAMESPACE_NAME_LABEL

#: The cluster DNS pods.
KUBE_DNS_NAMESPACE = "kube-system"
KUBE_DNS = {"k8s-app": "kube-dns"}
#: istiod (sidecars fetch configuration and certificates from it on 15012).
ISTIO_NAMESPACE = names.ISTIO_ROOT_NAMESPACE
ISTIOD = {"app": "istiod"}
ISTIOD_PORT = 15012
EGRESS_GATEWAY = names.EGRESS_GATEWAY_PODS

#: A builder turns one plan entry into its object (None when it has nothing to say for it).
Obj = dict[str, Any]
Builder = Callable[[Planned, Plan], Obj | None]

#: :func:`label_value`, remembered: the same few names and versions label every object of a workload (six
#: labels on each of 10,000 objects at 1,000 services, about 2,000 distinct texts).
_label_value = functools.lru_cache(maxsize=1 << 16)(label_value)


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
    return {key: _label_value(value) for key, value in labels.items()}


def workload_labels(topology: Topology, w: Workload, part: object = None) -> dict[str, str]:
    """Labels of a workload's pods and objects. A plan entry's part that is a blue-green colour adds the
    colour's version and ``orion.dev/colour``, one that is a version its name as the version label;
    either makes the instance its Deployment's name."""
    colour, version = names.colour_of(part), names.version_of(part)
    if colour is not None and w.blue_green is not None:
        labels = recommended(topology, w.name, component(w), w.blue_green.version(colour), names.colour_deployment(w, colour))
        labels[COLOUR] = colour
        return labels
    if version is not None:
        return recommended(topology, w.name, component(w), version.name, names.version_deployment(w, version))
    return recommended(topology, w.name, component(w), w.version)


def build(entry: Planned, labels: dict[str, str], annotations: dict[str, str] | None = None, **body: Any) -> Obj:
    """The object of a plan entry: the entry's identity, these labels (and annotations), then the body."""
    metadata: dict[str, Any] = {"labels": dict(labels)}
    if annotations:
        metadata["annotations"] = dict(annotations)
    return envelope(entry, metadata, body)
