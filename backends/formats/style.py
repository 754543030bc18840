"""The colours of the style classes: the seed figures' palette, one colour set per tier or role.

Node classes use the seed's strong colours (fill, stroke, text); clusters use a pale tint
of the same hue with the strong stroke, so a namespace reads as its tier at a glance.
The classes themselves are the graph's (:data:`~orion_dsl.views.graph.StyleClass`); how
they look is the formats' (Mermaid ``classDef``, DOT fill and stroke).
"""

from __future__ import annotations

import attrs

from orion_dsl.views.graph import StyleClass


@attrs.frozen
class Colours:
    """Fill, stroke and text colour of a node class, plus the pale fill for a cluster."""

    fill: str
    stroke: str
    text: str
    pale: str


RED = Colours("#ff6b6b", "#c92a2a", "#ffffff", "#fff5f5")
YELLOW = Colours("#ffd43b", "#f59f00", "#000000", "#fff9db")
BLUE = Colours("#4dabf7", "#1971c2", "#ffffff", "#e7f5ff")
GREEN = Colours("#51cf66", "#2f9e44", "#ffffff", "#ebfbee")
PURPLE = Colours("#9775fa", "#5f3dc4", "#ffffff", "#f3f0ff")
GREY = Colours("#868e96", "#495057", "#ffffff", "#f1f3f5")
NOTE = Colours("#fff9db", "#f59f00", "#000000", "#fffdf0")
CLUSTER = Colours("#ffffff", "#adb5bd", "#000000", "#f8f9fa")

#: The colours of every style class a view may use (names are Mermaid classDef names).
CLASSES: dict[StyleClass, Colours] = {
    "external": RED,
    "ingress": YELLOW,
    "service": BLUE,
    "data": GREEN,
    "monitoring": PURPLE,
    "storage": GREY,
    "system": GREY,
    "edge": YELLOW,
    "control": RED,
    "feature": GREEN,
    "policy": RED,
    "egress": YELLOW,
    "hpa": BLUE,
    "vpa": GREEN,
    "autoscaler": YELLOW,
    "metrics": PURPLE,
    "rollout": GREEN,
    "source": BLUE,
    "backup": GREEN,
    "target": YELLOW,
    "objective": RED,
    "note": NOTE,
    "plain": CLUSTER,
}

FONT = "DejaVu Sans"
#: Line and text colours of a normal and of a faint link.
LINK = ("#495057", "#343a40")
FAINT_LINK = ("#ced4da", "#868e96")
