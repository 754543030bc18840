"""Namespace, ResourceQuota and LimitRange for each namespace of the topology.

Every namespace enforces the ``restricted`` Pod Security Standard; a meshed namespace also
carries ``istio-injection: enabled``. The quota caps requests and limits alike (the model has
one figure per resource); the LimitRange gives ad-hoc containers (``kubectl run``, debug pods)
modest defaults so the quota never rejects them for lacking resources. The quota's claims admit
every claim the namespace's objects and operators make, with headroom
(:mod:`orion_dsl.lowering.claims`): a stated figure below that is raised, and I1084 says so.
"""

from __future__ import annotations

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role, claims, names
from orion_dsl.lowering.prerequisites import AUDITED_LEVEL, pod_security
from orion_dsl.model import Namespace

from . import meta
from .meta import Builder, Obj


def namespace(entry: Planned, plan: Plan) -> Obj:
    """The Namespace object."""
    ns = entry.of(Namespace)
    lab = meta.recommended(plan.topology, ns.name, "namespace")
    lab.update(dict(ns.labels))
    lab[f"{names.POD_SECURITY_PREFIX}enforce"] = pod_security(ns)
    for mode in ("audit", "warn"):
        lab[f"{names.POD_SECURITY_PREFIX}{mode}"] = AUDITED_LEVEL
    if ns.mesh:
        lab["istio-injection"] = "enabled"
    annotations = {"orion.dev/subnet": ns.subnet} if ns.subnet else None
    if ns.description:
        annotations = {**(annotations or {}), "orion.dev/description": ns.description}
    return meta.build(entry, lab, annotations)


def resource_quota(entry: Planned, plan: Plan) -> Obj | None:
    """The namespace's ResourceQuota, if the model sets a figure."""
    q = entry.of(Namespace).quota
    if q is None:
        return None
    hard: dict[str, str] = {}
    if q.cpu is not None:
        hard["requests.cpu"] = hard["limits.cpu"] = q.cpu.text
    if q.memory is not None:
        hard["requests.memory"] = hard["limits.memory"] = q.memory.text
    if q.pods is not None:
        hard["pods"] = str(q.pods)
    if q.volume_claims is not None:
        hard["persistentvolumeclaims"] = str(claims.quotas(plan)[entry.namespace])
    if not hard:
        return None
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "namespace"), spec={"hard": hard})


def limit_range(entry: Planned, plan: Plan) -> Obj:
    """Defaults for containers that state no resources."""
    spec = {
        "limits": [
            {
                "type": "Container",
                "default": {"cpu": "500m", "memory": "512Mi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
            }
        ]
    }
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "namespace"), spec=spec)


def diagnostics(plan: Plan) -> list[Diagnostic]:
    """I1084 for each namespace whose stated claim quota is below the claims its objects make plus headroom."""
    found = plan.index(claims.by_namespace)
    out = []
    for ns in plan.topology.namespaces:
        stated = ns.quota.volume_claims if ns.quota is not None else None
        made = found.get(ns.name)
        if stated is None or made is None or stated >= made.needed:
            continue
        out.append(
            info(
                "I1084",
                ns.span,
                f"namespace {ns.name}'s quota states {stated} PersistentVolumeClaims, but its objects make {made.count} "
                f"and may need {made.headroom} more: the ResourceQuota admits {made.needed}",
                f"state `volume_claims {made.needed}` (or more) in the namespace's quota",
            )
        )
    return out


BUILDERS: dict[Role, Builder] = {Role.NAMESPACE: namespace, Role.QUOTA: resource_quota, Role.LIMIT_RANGE: limit_range}
