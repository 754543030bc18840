"""The Kubernetes target: plain manifests for ``kubectl apply -k`` / ``kubectl kustomize``.

``render(topology)`` returns one file per object under ``kubernetes/<namespace>/`` (cluster-
scoped objects under ``kubernetes/_cluster/``), a ``kubernetes/kustomization.yaml`` listing
them in apply order, the same objects as one stream, and info diagnostics for every fact
Kubernetes cannot express.

Choices worth knowing (each module's docstring has the details):

* **Secrets are never written** (:mod:`.config`): volumes reference them by name with
  ``optional: false``; diagnostic I1010 lists every Secret the cluster must provide.
* **Databases** (:mod:`.services`): ``<db>`` selects the pooler, ``<db>-primary`` pod 0,
  ``<db>-replica-<i>`` each read replica; the pooler's ``pgbouncer.ini`` spreads reads by weight.
* **Autoscaling** (:mod:`.autoscaling`): the VPA never controls a resource its HPA scales on.
* **NetworkPolicies** (:mod:`.policies`) come only from ``topology.allow_graph``.
* **Blue-green** (:mod:`.workloads`): two Deployments; the Service and HPA follow the active colour.
* **Backups** (:mod:`.backups`): a CronJob per scheduled backup, a Velero Schedule for the cluster.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.artifacts import Rendered
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.model import Topology

from . import autoscaling, backups, config, ingress, monitoring, namespaces, notes, policies, rbac, services, workloads
from .layout import layout

__all__ = ["objects", "render"]


def objects(topology: Topology) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """Every Kubernetes object (unordered) and the diagnostics."""
    diags: list[Diagnostic] = []
    out: list[dict[str, Any]] = namespaces.objects(topology)
    out += ingress.cluster_issuers(topology)
    out += rbac.service_accounts(topology)
    access, d = rbac.shared_access(topology)
    out += access
    diags += d
    out += config.config_maps(topology)
    diags += config.secrets_diagnostic(topology)
    out += workloads.claims(topology)
    out += services.services(topology)
    out += workloads.objects(topology)
    scaling, d = autoscaling.objects(topology)
    out += scaling
    diags += d
    pols, d = policies.objects(topology, ingress.certificate_namespaces(topology))
    out += pols
    diags += d
    out += ingress.certificates(topology)
    out += ingress.ingresses(topology)
    diags += ingress.diagnostics(topology)
    out += monitoring.service_monitors(topology)
    out += monitoring.prometheus_rules(topology)
    jobs, job_policies, d = backups.objects(topology)
    out += jobs
    if pols:
        out += job_policies
    diags += d
    diags += notes.diagnostics(topology)
    return out, diags


def render(topology: Topology) -> Rendered:
    """The manifests of a topology."""
    objs, diags = objects(topology)
    artifacts, stream = layout(objs)
    return Rendered(artifacts, stream, tuple(diags))
