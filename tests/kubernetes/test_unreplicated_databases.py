"""I1083: a database ORION writes itself does not replicate, and ORION says so."""

from __future__ import annotations

from orion_dsl.model import Topology
from tests.conftest import ROOT, load_topology

from .helpers import rendered


def test_a_database_without_an_engine_is_reported_as_independent_servers() -> None:
    hand_written = load_topology(ROOT / "examples" / "data-tier.orion")
    (note,) = [d for d in rendered(hand_written).diagnostics if d.code == "I1083"]
    assert note.summary.startswith("postgres: the pods ORION writes run independent servers")


def test_a_database_on_cloudnative_pg_replicates(seed: Topology) -> None:
    assert not [d for d in rendered(seed).diagnostics if d.code == "I1083"]
