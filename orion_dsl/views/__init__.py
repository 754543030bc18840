"""Diagram views: each a neutral graph built once from the model, shared by every output.

The diagrams backend writes them as Mermaid, DOT and SVG; the docs backend embeds their
Mermaid text (both through :mod:`orion_dsl.backends.formats.mermaid`). Building them here
(not in a backend) keeps backends from calling each other; how a format writes them is not
this package's business.
A topology of more than :data:`~orion_dsl.views.grouping.DETAIL_LIMIT` workloads is drawn
one zoom level out, a box per namespace or subnet (:mod:`orion_dsl.views.grouping`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from orion_dsl.lowering import Plan
from orion_dsl.model import Topology
from orion_dsl.views import grouping, ingress_egress, mesh, namespaces, network, policies, recovery, scaling, topology
from orion_dsl.views.graph import Graph

BUILDERS: dict[str, Callable[[Topology], Graph]] = {
    "topology": topology.build,
    "namespaces": namespaces.build,
    "network": network.build,
    "policies": policies.build,
    "mesh": mesh.build,
    "ingress-egress": ingress_egress.build,
    "scaling": scaling.build,
    "disaster-recovery": recovery.build,
}

#: The view names, in the order they are written and documented.
VIEWS: tuple[str, ...] = tuple(BUILDERS)


def build_view(topology: Topology, view: str, plan: Plan | None = None) -> Graph:
    """The neutral graph of one view, drawn by group for a big topology; an unknown view raises KeyError.

    ``plan``, the topology's lowering plan when the caller has one, spares the namespaces view
    (which counts claims as the plan does) lowering the topology again.
    """
    if view not in BUILDERS:
        raise KeyError(f"unknown view {view!r}; expected one of {', '.join(VIEWS)}")
    graph = namespaces.build(topology, plan) if view == "namespaces" else BUILDERS[view](topology)
    return grouping.collapse(graph, _grouping_note(topology)) if grouping.is_grouped(topology) else graph


def planned_view(plan: Plan, view: str) -> Graph:
    """:func:`build_view` of the plan's topology, built once per plan (:meth:`Plan.index`).

    The diagrams and the docs targets of one compile draw the same graphs (a graph is
    immutable); at 1,000 services building them is about a third of each target's time.
    """
    return plan.index(_PLANNED[view])


def _from_plan(view: str, plan: Plan) -> Graph:
    return build_view(plan.topology, view, plan)


#: Per view, the function :meth:`Plan.index` remembers its graph by.
_PLANNED: dict[str, Callable[[Plan], Graph]] = {view: functools.partial(_from_plan, view) for view in VIEWS}


def _grouping_note(topology: Topology) -> tuple[str, ...]:
    """What a grouped view says about itself."""
    return (
        f"{len(topology.workloads):,} workloads in {len(topology.namespaces):,} namespaces:",
        f"more than {grouping.DETAIL_LIMIT} are drawn by group, not one by one",
        "a box is a namespace (or subnet) and counts what it holds;",
        "an arrow's x N counts the connections it stands for",
        "docs/architecture.md lists every workload",
    )
