"""Plans of topologies for backend tests: a test that edits a model lowers it as the compiler would."""

from __future__ import annotations

from orion_dsl.lowering import Plan, lower
from orion_dsl.model import Topology


def planned(topology: Topology) -> Plan:
    """The lowering plan of a topology that must lower without errors."""
    plan, diagnostics = lower(topology)
    errors = [d for d in diagnostics if d.is_error]
    assert not errors, errors
    return plan
