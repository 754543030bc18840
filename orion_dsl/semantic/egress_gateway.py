"""What the spec says goes through the egress gateway must be what the gateway can carry (W0327, E0241).

``via egress_gateway`` states a control: the external's traffic leaves through the gateway. Only a sidecar sends a
call there, so it holds only with a gateway and a meshed caller; otherwise the callers go out directly. And the
gateway forwards only to names it can resolve: a wildcard host's entry has resolution NONE, so the gateway would
forward to the connection's original destination, itself (istio.io/latest/docs/tasks/traffic-management/egress/
wildcard-egress-hosts: arbitrary subdomains need an SNI proxy behind the gateway).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error, warning
from orion_dsl.lowering.egress import routed_hosts

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def egress_gateways_exist(ctx: Context) -> list[Diagnostic]:
    """W0327 for an external stated ``via egress_gateway`` that no gateway carries: the spec has none (no
    ``mesh { egress_gateway }``), or none of its callers is meshed (only a sidecar sends a call to the gateway).
    Its callers would go out directly, past the control the spec states."""
    t = ctx.topology
    gateway = t.mesh.egress_gateway if t.mesh is not None else None
    out = []
    for e in t.externals:
        if not e.via_egress_gateway:
            continue
        callers = [w for w in t.workloads if any(c.target == e.name for c in w.calls)]
        namespaces = sorted({w.namespace for w in callers})
        meshing = f" and `mesh on` in {', '.join(namespaces)}, where its callers run" if namespaces else ""
        if gateway is None:
            where = "add `egress_gateway { ... }` to the `mesh istio` block" if t.mesh is not None else "add `mesh istio { egress_gateway { ... } }`"
            summary = f"external {e.name} is `via egress_gateway`, but the spec has no egress gateway: its callers go out directly"
            out.append(warning("W0327", e.span, summary, where + meshing))
        elif callers and not any(w.meshed for w in callers):
            out.append(
                warning(
                    "W0327",
                    e.span,
                    f"external {e.name} is `via egress_gateway`, but none of its callers is in the mesh: without a sidecar they go out directly",
                    f"put {', '.join(w.name for w in callers)} in the mesh (`mesh on` in {', '.join(namespaces)})",
                )
            )
    return out


def wildcard_hosts_stay_off_the_egress_gateway(ctx: Context) -> list[Diagnostic]:
    """E0241 for an external with a wildcard host that the egress gateway would carry (a meshed caller on a TLS port,
    or an opaque TCP port no other host shares: :func:`orion_dsl.lowering.egress.routed_hosts`).

    Istio resolves only whole names by DNS, so the entry's resolution is NONE and the gateway forwards to the
    connection's original destination, which at the gateway is the gateway itself: nothing reaches the external,
    its named hosts included. Istio's answer is an SNI proxy behind the gateway
    (istio.io/latest/docs/tasks/traffic-management/egress/wildcard-egress-hosts)."""
    out = []
    reported: set[str] = set()
    for e, host in routed_hosts(ctx.topology):
        if host.startswith("*") and e.name not in reported:
            reported.add(e.name)
            callers = sorted({edge.source.name for edge in ctx.topology.allow_graph.incoming(e.name) if edge.source.kind == "workload"})
            out.append(
                error(
                    "E0241",
                    e.span,
                    f"external {e.name}'s host {host} goes through the egress gateway, which cannot forward a wildcard: "
                    f"its entry has no DNS resolution, so the gateway would send {', '.join(callers)}'s connections back to itself",
                    f"name the hosts the workloads call instead of {host} (the gateway resolves named hosts), "
                    "or put an SNI proxy behind the gateway and name it",
                )
            )
    return out
