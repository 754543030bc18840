"""Lowering: the validated topology -> the plan of every object ORION emits (:mod:`.plan`).

:func:`lower` runs after analysis, in ``orion check`` too, so a name two objects would share is
an error at the spec lines that made both (E0203), never a crash in a writer. Every name is
made by a named function of :mod:`.names`; the planners of each target (:mod:`.kubernetes`,
:mod:`.istio`) decide which objects exist; backends build the body of each entry and
:func:`envelope` puts the identity on it.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.diagnostics import Diagnostic
from orion_dsl.model import Topology

from . import claims, istio, kubernetes, names
from .identities import collisions, dangling, lengths, shared_pods
from .plan import ObjectId, Plan, Planned, Ref, Role, Selects, Target

__all__ = ["ObjectId", "Plan", "Planned", "Ref", "Role", "Selects", "Target", "claims", "envelope", "lower", "names"]


def lower(topology: Topology) -> tuple[Plan, list[Diagnostic]]:
    """The plan of every object of every target, the identities two facts would share (E0203) and
    the names too long for their kind (E0204)."""
    entries = (*kubernetes.plan(topology), *istio.plan(topology))
    return Plan(topology, entries), [*collisions(entries), *shared_pods(entries), *lengths(entries), *dangling(entries)]


def envelope(entry: Planned, metadata: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The object of a plan entry: its apiVersion, kind, name and namespace, then ``metadata``'s
    other fields (labels, annotations) and the body. The one place identities are written."""
    meta: dict[str, Any] = {"name": entry.id.name}
    if entry.id.namespace is not None:
        meta["namespace"] = entry.id.namespace
    meta.update(metadata)
    return {"apiVersion": entry.id.api_version, "kind": entry.id.kind, "metadata": meta, **body}
