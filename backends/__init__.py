"""The registry of backends: target name -> render function, imported lazily.

A backend is a pure function ``render(plan) -> Rendered`` of the lowering plan (which holds the
validated model as ``plan.topology``).
Backends never parse, never write files and never import each other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import attrs

from orion_dsl.artifacts import Rendered
from orion_dsl.diagnostics import did_you_mean

if TYPE_CHECKING:  # the registry is read before anything is planned (a re-compile whose stamp holds plans nothing)
    from orion_dsl.lowering import Plan, Planned

Render = Callable[["Plan"], Rendered]

#: Every target name and the module that renders it, in the order `orion compile` runs them.
BACKENDS: dict[str, str] = {
    "kubernetes": "orion_dsl.backends.kubernetes",
    "istio": "orion_dsl.backends.istio",
    "diagrams": "orion_dsl.backends.diagrams",
    "docs": "orion_dsl.backends.docs",
}


@attrs.frozen
class UnknownTarget(Exception):
    """A target name that is not registered."""

    message: str

    def __str__(self) -> str:
        return self.message


def known(name: str) -> None:
    """Raise :class:`UnknownTarget`, with a did-you-mean, unless ``name`` is a target (without importing its backend)."""
    if name not in BACKENDS:
        raise UnknownTarget(f'unknown target "{name}"; {did_you_mean(name, BACKENDS)}')


def lookup(name: str) -> Render:
    """The render function of a target; an unknown name gets a did-you-mean."""
    known(name)
    render: Render = importlib.import_module(BACKENDS[name]).render
    return render


def build(entry: Planned, plan: Plan) -> dict[str, Any] | None:
    """The object one plan entry's backend builds for it (None: nothing to say), unpatched: what ``orion check``
    applies a patch to, before any backend renders."""
    builders: dict[Any, Callable[[Planned, Plan], dict[str, Any] | None]] = importlib.import_module(BACKENDS[entry.id.target]).BUILDERS
    return builders[entry.role](entry, plan)
