"""ServiceAccounts (one per workload) and read access to shared ConfigMaps and Secrets.

A ``shared_config``/``shared_secret`` gets a Role in its namespace granting ``get`` and
``watch`` on that one object (``resourceNames``), bound to each reader's ServiceAccount in the
reader's own namespace.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Topology

from . import labels as L


def service_accounts(topology: Topology) -> list[dict[str, Any]]:
    """One ServiceAccount per workload; the API token is mounted only when the model asks."""
    return [
        L.obj(
            "v1",
            "ServiceAccount",
            L.meta(w.name, w.namespace, L.workload_labels(topology, w)),
            automountServiceAccountToken=w.security.service_account_token,
        )
        for w in topology.workloads
    ]


def shared_access(topology: Topology) -> tuple[list[dict[str, Any]], list[Diagnostic]]:
    """Role + RoleBinding per shared ConfigMap/Secret."""
    out: list[dict[str, Any]] = []
    diags: list[Diagnostic] = []
    for ns in topology.namespaces:
        for shared in ns.shared:
            resource = "configmaps" if shared.kind == "config" else "secrets"
            name = f"{shared.name}-reader"
            labels = L.recommended(topology, name, "rbac")
            out.append(
                L.obj(
                    "rbac.authorization.k8s.io/v1",
                    "Role",
                    L.meta(name, ns.name, labels),
                    rules=[{"apiGroups": [""], "resources": [resource], "resourceNames": [shared.name], "verbs": ["get", "watch"]}],
                )
            )
            subjects = []
            tokenless = []
            for reader in shared.readers:
                w = topology.workload(reader)
                if w is None:
                    continue
                subjects.append({"kind": "ServiceAccount", "name": w.name, "namespace": w.namespace})
                if not w.security.service_account_token:
                    tokenless.append(w.name)
            out.append(
                L.obj(
                    "rbac.authorization.k8s.io/v1",
                    "RoleBinding",
                    L.meta(name, ns.name, labels),
                    roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
                    subjects=subjects,
                )
            )
            if tokenless:
                diags.append(
                    info(
                        "I1003",
                        None,
                        f"Role {ns.name}/{name} lets {', '.join(tokenless)} read {shared.name}, but their pods mount no API token",
                        "set `security { service_account_token true }` on the readers that call the Kubernetes API themselves",
                    )
                )
    return out, diags
