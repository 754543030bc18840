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
* **Blue-green** (:mod:`.workloads`): two Deployments; the Service and HPA follow the active colour,
  and each colour has its own PodDisruptionBudget (:mod:`.autoscaling`).
* **Backups** (:mod:`.backups`): a CronJob per scheduled backup, a Velero Schedule for the cluster.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.artifacts import Rendered
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.lowering import Plan
from orion_dsl.model import Topology

from . import autoscaling, backups, config, ingress, monitoring, namespaces, notes, policies, rbac, services, workloads
from .layout import layout

__all__ = ["objects", "render"]


def objects(topology: Topology) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """Every Kubernetes object (unordered) and the diagnostics."""
    pols, policy_diags = policies.objects(topology, ingress.certificate_namespaces(topology))
    jobs, job_policies, backup_diags = backups.objects(topology)
    access, access_diags = rbac.shared_access(topology)
    scaling, scaling_diags = autoscaling.objects(topology)
    out: list[dict[str, Any]] = [
        *namespaces.objects(topology),
        *ingress.cluster_issuers(topology),
        *rbac.service_accounts(topology),
        *access,
        *config.config_maps(topology),
        *workloads.claims(topology),
        *services.services(topology),
        *workloads.objects(topology),
        *scaling,
        *pols,
        *(job_policies if pols else []),
        *ingress.certificates(topology),
        *ingress.ingresses(topology),
        *monitoring.service_monitors(topology),
        *monitoring.prometheus_rules(topology),
        *jobs,
    ]
    diags = [
        *access_diags,
        *config.secrets_diagnostic(topology),
        *scaling_diags,
        *policy_diags,
        *ingress.diagnostics(topology),
        *backup_diags,
        *notes.diagnostics(topology),
    ]
    return out, diags


def render(plan: Plan) -> Rendered:
    """The manifests of a topology."""
    objs, diags = objects(plan.topology)
    artifacts, stream = layout(objs)
    return Rendered(artifacts, stream, tuple(diags))
