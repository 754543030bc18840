"""ServiceAccounts (one per workload, or one per name the spec gives, shared by the workloads that name it) and read access to shared ConfigMaps and Secrets.

A ``shared_config``/``shared_secret`` gets a Role in its namespace granting ``get`` and
``watch`` on that one object (``resourceNames``), bound to each reader's ServiceAccount in the
reader's own namespace.
"""

from __future__ import annotations

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.model import Namespace, Shared, Workload

from . import meta
from .meta import Builder, Obj


def service_account(entry: Planned, plan: Plan) -> Obj:
    """A workload's ServiceAccount; the API token is mounted only when the model asks. An account the
    spec names (``service_account``, perhaps shared by several workloads) is labelled with its own name,
    and mounts the token if one of its workloads does (each pod says again whether it mounts it)."""
    w = entry.of(Workload)
    users = (w, *(u for u in entry.shared_by if isinstance(u, Workload)))
    token = any(u.security.service_account_token for u in users)
    labels = meta.workload_labels(plan.topology, w) if w.service_account is None else meta.recommended(plan.topology, entry.name, meta.component(w))
    return meta.build(entry, labels, automountServiceAccountToken=token)


def reader_role(entry: Planned, plan: Plan) -> Obj:
    """``get`` and ``watch`` on one shared ConfigMap or Secret."""
    shared = entry.of(Shared)
    resource = "configmaps" if shared.kind == "config" else "secrets"
    rules = [{"apiGroups": [""], "resources": [resource], "resourceNames": [shared.name], "verbs": ["get", "watch"]}]
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "rbac"), rules=rules)


def _readers(plan: Plan, shared: Shared) -> list[Workload]:
    return [w for w in map(plan.topology.workload, shared.readers) if w is not None]


def reader_binding(entry: Planned, plan: Plan) -> Obj:
    """The reader Role bound to each reader's ServiceAccount."""
    shared = entry.of(Shared)
    role = plan.get(Role.READER_ROLE, shared, entry.part)
    accounts = [plan.get(Role.SERVICE_ACCOUNT, w) for w in _readers(plan, shared)]
    subjects = [{"kind": "ServiceAccount", "name": a.name, "namespace": a.namespace} for a in accounts]
    return meta.build(
        entry,
        meta.recommended(plan.topology, entry.name, "rbac"),
        roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role.name},
        subjects=subjects,
    )


def diagnostics(plan: Plan) -> list[Diagnostic]:
    """I1003: readers of a shared object whose pods mount no API token."""
    out = []
    for entry in plan.of_role(Role.READER_ROLE):
        shared = entry.of(Shared)
        tokenless = [w.name for w in _readers(plan, shared) if not w.security.service_account_token]
        if tokenless:
            out.append(
                info(
                    "I1003",
                    None,
                    f"Role {entry.part_of(Namespace).name}/{entry.name} lets {', '.join(tokenless)} read {shared.name}, but their pods mount no API token",
                    "set `security { service_account_token true }` on the readers that call the Kubernetes API themselves",
                )
            )
    return out


BUILDERS: dict[Role, Builder] = {Role.SERVICE_ACCOUNT: service_account, Role.READER_ROLE: reader_role, Role.READER_BINDING: reader_binding}
