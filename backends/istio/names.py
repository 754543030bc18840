"""Istio-specific helpers shared by the backend's modules: the object envelope and value conversions.

Every name, host, principal and pod selector comes from the plan (:mod:`orion_dsl.lowering`)
and :mod:`orion_dsl.lowering.names`; this module only writes them the way Istio reads them.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.lowering import Plan, Planned, Role, envelope
from orion_dsl.lowering import names as lowering_names
from orion_dsl.lowering.egress import port_protocol
from orion_dsl.model import Workload

#: A Kubernetes/Istio object as plain data.
Obj = dict[str, Any]

MANAGED_BY = {"app.kubernetes.io/managed-by": "orion"}

__all__ = ["MANAGED_BY", "Obj", "duration", "host", "obj", "port_protocol", "principal", "sidecar_import"]


def obj(entry: Planned, spec: Obj) -> Obj:
    """The object of a plan entry: its identity, ORION's managed-by label and the spec."""
    return envelope(entry, {"labels": dict(MANAGED_BY)}, {"spec": spec})


def host(service: Planned) -> str:
    """The cluster-local DNS name of a planned Service."""
    return lowering_names.service_host(service.name, service.namespace)


def principal(plan: Plan, workload: Workload) -> str:
    """The mTLS identity of a workload's pods: the principal of its planned ServiceAccount."""
    account = plan.get(Role.SERVICE_ACCOUNT, workload)
    return lowering_names.principal(account.name, account.namespace)


def sidecar_import(namespace: str, hosts: str) -> str:
    """A Sidecar egress entry importing ``hosts`` (a host, or ``*``) from a namespace: ``<namespace>/<hosts>``."""
    return f"{namespace}/{hosts}"


def duration(millis: int) -> str:
    """An Istio (protobuf) duration: whole seconds as ``15s``, else ``0.250s``.

    >>> duration(15000), duration(250)
    ('15s', '0.250s')
    """
    seconds, rest = divmod(millis, 1000)
    return f"{seconds}s" if rest == 0 else f"{seconds}.{rest:03d}s"
