"""The Kubernetes target: plain manifests for ``kubectl apply -k`` / ``kubectl kustomize``.

``render(plan)`` builds one object per entry of the plan's Kubernetes target (one builder per
:class:`~orion_dsl.lowering.Role`, in the sibling modules; the identity is the entry's) and
returns one file per object under ``kubernetes/<namespace>/`` (cluster-
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
* **Backups** (:mod:`.backups`): a CronJob per scheduled backup, an archiver per continuous one,
  a Velero Schedule for the cluster.
"""

from __future__ import annotations

from collections.abc import Iterator

from orion_dsl.artifacts import Rendered
from orion_dsl.diagnostics import Diagnostic
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.patches.apply import patched

from . import (
    autoscaling,
    backups,
    config,
    gateway_api,
    grafana,
    ingress,
    logs,
    monitoring,
    namespaces,
    notes,
    operators,
    policies,
    prometheus,
    rbac,
    services,
    workloads,
)
from .layout import layout
from .meta import Builder, Obj

__all__ = ["BUILDERS", "objects", "render"]

#: The builder of every role the Kubernetes target emits.
BUILDERS: dict[Role, Builder] = {
    **namespaces.BUILDERS,
    **rbac.BUILDERS,
    **config.BUILDERS,
    **workloads.BUILDERS,
    **services.BUILDERS,
    **autoscaling.BUILDERS,
    **policies.BUILDERS,
    **ingress.BUILDERS,
    **gateway_api.BUILDERS,
    **monitoring.BUILDERS,
    **backups.BUILDERS,
    **operators.BUILDERS,
    **prometheus.BUILDERS,
    **grafana.BUILDERS,
    **logs.BUILDERS,
}


def _built(plan: Plan, written: list[Planned]) -> Iterator[Obj]:
    """Each object, patched, in plan order, one at a time; the entries that built one are appended to ``written``."""
    for entry in plan.for_target("kubernetes"):
        obj = BUILDERS[entry.role](entry, plan)
        if obj is not None:
            written.append(entry)
            yield obj


def _diagnostics(plan: Plan, written: list[Planned]) -> list[Diagnostic]:
    """What Kubernetes cannot express, and the Secrets the written objects need."""
    topology = plan.topology
    return [
        *namespaces.diagnostics(plan),
        *rbac.diagnostics(plan),
        *config.secrets_diagnostic(plan, written),
        *autoscaling.diagnostics(plan),
        *policies.diagnostics(topology, written),
        *ingress.diagnostics(topology),
        *gateway_api.diagnostics(topology),
        *backups.diagnostics(plan),
        *notes.diagnostics(topology),
        *prometheus.prerequisites(topology),
    ]


def objects(plan: Plan) -> tuple[list[Obj], list[Diagnostic]]:
    """Every Kubernetes object (in plan order), one per plan entry that has something to say, with the spec's
    patches applied last, and the diagnostics."""
    written: list[Planned] = []
    out = list(patched(plan.patches, _built(plan, written)))
    return out, _diagnostics(plan, written)


def render(plan: Plan) -> Rendered:
    """The manifests of a topology: each object is spelled as it is built, so they are never all held at once."""
    written: list[Planned] = []
    artifacts, stream = layout(patched(plan.patches, _built(plan, written)))
    return Rendered(artifacts, stream, tuple(_diagnostics(plan, written)))
