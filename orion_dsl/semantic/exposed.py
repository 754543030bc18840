"""A node-port or load-balancer Service on a meshed workload cannot work, so ``check`` refuses it (E0221).

A client outside the cluster sends plaintext and presents no mTLS identity. The workload's sidecar
admits callers by identity only: its AuthorizationPolicy lists principals (and the namespace's
``allow-nothing`` policy refuses the rest, whatever the mTLS mode), and under ``mtls strict`` its
PeerAuthentication refuses plaintext before that. Opening the ports to plaintext from any address
is what the mesh is there to prevent (see :mod:`orion_dsl.backends.istio.security`). Writing the
Service anyway would deploy an entry point that refuses every request, so this is an error, not a
warning: the way in from outside for a meshed workload is the ``ingress`` (Istio's gateway is in
the mesh, its pods are admitted by identity), or the workload leaves the mesh (``mesh off``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.analysis.exposed import exposed
from orion_dsl.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


def exposed_workloads_are_outside_the_mesh(ctx: Context) -> list[Diagnostic]:
    """E0221 for a meshed workload whose Service is a node port or a load balancer: Istio refuses every
    connection from outside the cluster, which has no mTLS identity."""
    t = ctx.topology
    strict = t.mesh is not None and t.mesh.mtls == "strict"
    why = "accepts only mutual TLS" if strict else "admits callers by their mTLS identity only"
    return [
        error(
            "E0221",
            ctx.span("service_type", w.name, w.span),
            f"{w.name} is in the mesh and {why}: clients outside the cluster reach its {w.service_type} Service without one, and Istio refuses them",
            f"expose {w.name} through the `ingress` (`controller istio`, whose gateway is in the mesh) and keep its Service `cluster-ip`, "
            f"or take {w.name} out of the mesh (`mesh off`)",
        )
        for w in t.workloads
        if w.meshed and exposed(t, w)
    ]
