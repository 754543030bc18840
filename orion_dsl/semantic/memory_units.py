"""A memory figure written without its unit (W0328).

``memory 2`` is 2 bytes: runc refuses a limit that small and the pod never starts, so a bare number under 4Mi
is a unit left out, as a rule. A small figure with its unit (a sidecar's 3Mi request) is meant, and left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.model import Resources
from orion_dsl.source import Span
from orion_dsl.values import Quantity

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context


#: Below this a container's memory is a unit left out (``memory 2`` for ``2Gi``): runc refuses such a limit, the pod never starts.
MEMORY_FLOOR_BYTES = 4 * 1024 * 1024


def _unitless(r: Resources) -> Quantity | None:
    """A memory request or limit under 4Mi written as a bare number (``2``; not ``0``, which asks for nothing), if the resources have one."""
    return next((q for q in (r.memory_request, r.memory_limit) if not r.none and 0 < q.amount < MEMORY_FLOOR_BYTES and q.text.isdigit()), None)


def _unit_warning(span: Span | None, what: str, q: Quantity) -> Diagnostic:
    return warning(
        "W0328", span, f"{what} asks for {q.text} bytes of memory: no process starts in under 4Mi", f"write the unit: `memory {q.text}Mi` or `{q.text}Gi`"
    )


def memory_has_a_unit(ctx: Context) -> list[Diagnostic]:
    """W0328 for memory under 4Mi written without a unit (a container's, or the mesh's sidecars'): a number whose unit
    was left out, as a rule. A small figure with its unit (a 3Mi request) is meant, and left alone."""
    out = [
        _unit_warning(w.span, f"container {c.name} of {w.name}", q)
        for w in ctx.topology.workloads
        for c in (*w.containers, *w.init_containers)
        if (q := _unitless(c.resources)) is not None
    ]
    mesh = ctx.topology.mesh
    if mesh is not None and mesh.sidecar_resources is not None and (q := _unitless(mesh.sidecar_resources)) is not None:
        out.append(_unit_warning(mesh.span, "the mesh's Envoy sidecar", q))
    return out
