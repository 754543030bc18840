"""How the diagrams and the document write ranges and percentages: one way, the spec's own.

A range is written ``low..high`` (``3..10``, ``512Mi..1Gi``, ``10.0.10.10..10.0.10.20``) and
a percentage ``70%``, exactly as the spec writes them (and as the cluster autoscaler's
note, I1061, does): a value a reader sees in a diagram or a table can be looked up, and
copied back, in the spec as it stands. Both ends equal is one value (``500m``), as the spec reads a single value
where a range is expected. Durations and quantities are already shown as written.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from orion_dsl.values import Quantity

#: What joins the two ends of a range, as in the spec.
RANGE_SEPARATOR = ".."

RangeEnd = int | Quantity | IPv4Address


def _written(end: RangeEnd) -> str:
    """One end of a range as the spec writes it (a quantity keeps its spelling: ``1Gi``, ``500m``)."""
    return end.text if isinstance(end, Quantity) else str(end)


def value_range(low: RangeEnd, high: RangeEnd) -> str:
    """``low..high``, or the one value when both ends are written the same."""
    first, last = _written(low), _written(high)
    return first if first == last else f"{first}{RANGE_SEPARATOR}{last}"


def percent(value: int) -> str:
    """A whole percentage, ``70%``."""
    return f"{value}%"
