"""Diagram views shared by the diagrams and docs backends (a shim while the views move here)."""

from __future__ import annotations

from orion_dsl.model import Topology

#: The views, in the order the docs present them.
VIEWS: tuple[str, ...] = ("topology", "namespaces", "network", "policies", "mesh", "ingress-egress", "scaling", "disaster-recovery")


def render_view(topology: Topology, view: str, fmt: str) -> str | bytes:
    """One diagram view of the topology as Mermaid, DOT, SVG or PNG."""
    from backends.diagrams import render_view as _render

    return _render(topology, view, fmt)
