"""The Istio backend: mesh security, traffic, egress and telemetry resources for Istio 1.20+.

``render(plan)`` is a pure function of the lowering plan: each Istio entry of the plan is
built by the one builder of its role (:data:`BUILDERS`, small functions in the sibling
modules), which may find nothing to say for it; the objects are ordered for applying and
laid out as ``istio/<namespace>/<kind>-<name>.yaml`` with ``istio/kustomization.yaml``
listing them all. Settings Istio cannot express come back as info diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio import egress, gateway_filters, gateway_waf, security, sidecar, telemetry, traffic
from orion_dsl.backends.istio.layout import layout
from orion_dsl.backends.istio.names import Obj
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.model import Topology
from orion_dsl.patches.apply import patched

__all__ = ["BUILDERS", "diagnostics", "objects", "render"]

#: Builds the object of one plan entry, or None when the entry has nothing to say.
Builder = Callable[[Planned, Plan], Obj | None]

#: The one builder of each role the Istio planner gives its entries.
BUILDERS: dict[Role, Builder] = {
    Role.MESH_MTLS: security.mesh_mtls,
    Role.NAMESPACE_MTLS: security.namespace_mtls,
    Role.ALLOW_NOTHING: security.allow_nothing,
    Role.ALLOW_CALLERS: security.allow_callers,
    Role.INGRESS_ACCESS: security.ingress_access,
    Role.JWT_AUTHENTICATION: security.jwt_authentication,
    Role.REQUIRE_JWT: security.require_jwt,
    Role.TELEMETRY: telemetry.telemetry,
    Role.SIDECAR: sidecar.sidecar,
    Role.DESTINATION_RULE: traffic.destination_rule,
    Role.VIRTUAL_SERVICE: traffic.virtual_service,
    Role.INGRESS_BALANCE: traffic.ingress_balance,
    Role.GATEWAY_FILTERS: gateway_filters.envoy_filter,
    Role.GATEWAY_WAF: gateway_waf.wasm_plugin,
    Role.SERVICE_ENTRY: egress.service_entry,
    Role.EGRESS_GATEWAY: egress.egress_gateway,
    Role.EGRESS_SUBSETS: egress.egress_destination_rule,
    Role.EGRESS_ROUTE: egress.egress_virtual_service,
    Role.EGRESS_ACCESS: egress.egress_access_control,
}


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What the mesh's settings ask for that Istio cannot express, or that no object is made for."""
    mesh = topology.mesh
    if mesh is None:
        return [info("I0701", None, "the spec has no mesh, so there are no Istio resources", "add a `mesh istio { ... }` block")]
    return [*traffic.diagnostics(topology), *egress.diagnostics(topology), *security.diagnostics(topology), *telemetry.unsupported(mesh)]


def _built(plan: Plan) -> Iterator[Obj]:
    """Each Istio object of the plan, patched, one at a time (one per emitted entry that has something to say)."""
    built = (BUILDERS[entry.role](entry, plan) for entry in plan.for_target("istio"))
    return patched(plan.patches, (o for o in built if o is not None))


def objects(plan: Plan) -> tuple[list[Obj], list[Diagnostic]]:
    """Every Istio object of the plan (one per emitted entry that has something to say, unordered), with the spec's
    patches applied last, and what could not be expressed."""
    return list(_built(plan)), diagnostics(plan.topology)


def render(plan: Plan) -> Rendered:
    """The ``istio/`` folder, the apply-ordered stream and the info diagnostics; each object is spelled as it is built."""
    artifacts, stream = layout(_built(plan))
    return Rendered(artifacts, stream, tuple(diagnostics(plan.topology)))
