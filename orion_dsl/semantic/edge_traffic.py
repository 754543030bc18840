"""W0319: an ingress host that reaches a service whose ``traffic`` block routes between its versions.

The edge sends a request to the target's Service, which selects every version's pods: Istio's Gateway API
gateway sends an HTTPRoute's ``backendRefs`` Service to all its endpoints, and ingress-nginx reads the same
endpoints. The weights, matches, mirroring and faults of ``traffic`` live in the workload's VirtualService,
which binds to the mesh's sidecars only (it has no ``gateways`` field, and the VirtualService reference says it
then applies to ``mesh`` alone), so public requests reach the versions by their share of the pods.

A blue-green pair needs no such warning: its Service selects the active colour's pods alone
(``orion_dsl/lowering/kubernetes.py`` ``_services``), so the edge reaches only them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.model import Traffic, Workload

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def _routes_between_versions(w: Workload, traffic: Traffic) -> bool:
    """Whether the block sends a request anywhere but where the edge does: between several versions, or with a
    mirror or a fault (a service of one version and a plain split gets every request on its one version either way)."""
    rules = [traffic.rules, *(m.rules for m in traffic.matches)]
    return len(w.versions) > 1 or any(r.mirror is not None or r.delay is not None or r.abort is not None for r in rules)


def edge_honours_the_traffic_split(ctx: Context) -> list[Diagnostic]:
    """W0319 at each ingress host whose target's ``traffic`` block the edge does not apply."""
    ing = ctx.topology.ingress
    if ing is None:
        return []
    out = []
    for host in ing.hosts:
        w = ctx.topology.workload(host.target)
        if w is None or w.traffic is None or not _routes_between_versions(w, w.traffic):
            continue
        out.append(
            warning(
                "W0319",
                host.span,
                f'host "{host.host}" reaches "{w.name}" past its `traffic` block: the edge sends requests to every version\'s '
                "pods by their share of them, without the split, matches, mirroring or faults (the mesh's sidecars apply those alone)",
                f'send the host to a service without versions that calls "{w.name}" in the mesh, or give "{w.name}" one version',
            )
        )
    return out
