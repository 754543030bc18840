"""Who is in the mesh must agree with what the mesh is told (E0240, W0323).

A namespace that is ``mesh on`` is labelled (or its pods annotated) for Istio's sidecar injection; without a
``mesh istio`` block ORION writes no Istio object for it, so its sidecars would run with no mTLS, no
authorization and none of its workloads' mesh settings. And a controller outside the mesh (ingress-nginx) presents
no mTLS identity, so a meshed workload behind it refuses everything it forwards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error, warning

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def meshed_namespaces_have_a_mesh(ctx: Context) -> list[Diagnostic]:
    """E0240 for ``mesh on`` in a spec without a ``mesh istio`` block: the namespace would be labelled for sidecar
    injection while ORION writes no Istio object (no mTLS, no AuthorizationPolicy; the workloads' mesh settings dropped)."""
    if ctx.topology.mesh is not None:
        return []
    return [
        error(
            "E0240",
            ns.span,
            f"namespace {ns.name} is `mesh on`, but the spec has no `mesh istio` block: its sidecars would get no mTLS, "
            "no authorization and none of its workloads' mesh settings",
            "add `mesh istio { mtls strict }` at the top level, or drop `mesh on`",
        )
        for ns in ctx.topology.namespaces
        if ns.mesh  # an external namespace's meshed pods are injected too (they carry the annotation themselves)
    ]


def ingress_nginx_reaches_no_meshed_target(ctx: Context) -> list[Diagnostic]:
    """ingress-nginx runs outside the mesh: it presents no mTLS identity, so the AuthorizationPolicies of a
    meshed target (allow-nothing, then principals only) refuse every request it forwards (W0323)."""
    ing = ctx.topology.ingress
    if ing is None or ing.controller != "ingress-nginx":
        return []
    out = []
    for host in ing.hosts:
        w = ctx.topology.workload(host.target)
        if w is not None and w.meshed:
            out.append(
                warning(
                    "W0323",
                    host.span,
                    f'ingress-nginx is outside the mesh, so {w.name} (meshed) refuses every request it forwards for "{host.host}"',
                    f"write `controller istio` (its gateway is in the mesh and admitted by identity), or take {w.name} out of the mesh (`mesh off`)",
                )
            )
    return out
