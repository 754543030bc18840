"""The Istio backend: mesh security, traffic, egress and telemetry resources for Istio 1.20+.

``render(topology)`` is a pure function of the model: it builds one dict per object (one small
function per kind, in the sibling modules), orders them for applying and lays them out as
``istio/<namespace>/<kind>-<name>.yaml`` with ``istio/kustomization.yaml`` listing them all.
Settings Istio cannot express come back as info diagnostics.
"""

from __future__ import annotations

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio.egress import egress
from orion_dsl.backends.istio.layout import layout
from orion_dsl.backends.istio.names import Obj
from orion_dsl.backends.istio.security import authorization, peer_authentications
from orion_dsl.backends.istio.sidecar import sidecars
from orion_dsl.backends.istio.telemetry import telemetry, unsupported
from orion_dsl.backends.istio.traffic import traffic
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan
from orion_dsl.model import Topology

__all__ = ["objects", "render"]


def objects(topology: Topology) -> tuple[list[Obj], list[Diagnostic]]:
    """Every Istio object of the topology (unordered) and what could not be expressed."""
    mesh = topology.mesh
    if mesh is None:
        return [], [info("I0701", None, "the spec has no mesh, so there are no Istio resources", "add a `mesh istio { ... }` block")]
    found: list[Obj] = [*peer_authentications(topology), *telemetry(mesh), *sidecars(topology)]
    diagnostics: list[Diagnostic] = []
    for part in (traffic, egress, authorization):
        built, reported = part(topology)
        found += built
        diagnostics += reported
    return found, diagnostics + unsupported(mesh)


def render(plan: Plan) -> Rendered:
    """The ``istio/`` folder, the apply-ordered stream and the info diagnostics."""
    found, diagnostics = objects(plan.topology)
    artifacts, stream = layout(found)
    return Rendered(artifacts, stream, tuple(diagnostics))
