"""Mesh-wide Telemetry (S45, S49) and the egress monitoring settings Istio has no resource for."""

from __future__ import annotations

from orion_dsl.backends.istio.names import Obj, obj
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned
from orion_dsl.model import Mesh

#: Istio's built-in access log provider (Envoy's stdout log).
ACCESS_LOG_PROVIDER = "envoy"


def telemetry(entry: Planned, plan: Plan) -> Obj:
    """Tracing sample rate and access logging for the whole mesh (root namespace); planned only when the spec asks for either."""
    mesh = entry.of(Mesh)
    spec: Obj = {}
    if mesh.tracing_sampling is not None:
        spec["tracing"] = [{"randomSamplingPercentage": mesh.tracing_sampling}]
    if mesh.access_log:
        spec["accessLogging"] = [{"providers": [{"name": ACCESS_LOG_PROVIDER}]}]
    return obj(entry, spec)


def unsupported(mesh: Mesh) -> list[Diagnostic]:
    """Egress rate limiting and cost tracking: no Istio resource expresses them (reported, not dropped)."""
    out = []
    if mesh.egress_rate_limit is not None:
        amount, unit = mesh.egress_rate_limit
        out.append(
            info(
                "I0708",
                None,
                f"egress rate limit {amount} per {unit} has no Istio resource",
                "Istio rate limits need an EnvoyFilter or an external rate-limit service; configure it at the egress gateway",
            )
        )
    if mesh.cost_tracking:
        out.append(
            info(
                "I0709",
                None,
                "egress cost tracking has no Istio resource",
                "the egress gateway's access log (Telemetry) records every outbound request",
            )
        )
    return out
