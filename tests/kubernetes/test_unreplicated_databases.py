"""I1083: a database ORION writes itself does not replicate, and ORION says so."""

from __future__ import annotations

from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK

from .helpers import rendered

HAND_WRITTEN = """
namespace data {
  subnet apps
  statefulset postgres {
    image "postgres:17"
    replicas 3
    port sql 5432
    storage data 10Gi at "/var/lib/postgresql/data"
    database { primary 1; read_replicas 2; replication synchronous }
  }
}
"""


def test_a_database_without_an_engine_is_reported_as_independent_servers() -> None:
    analysis = analyze_text(NETWORK + HAND_WRITTEN, "hand-written.orion")
    assert analysis.topology is not None, analysis.diagnostics
    (note,) = [d for d in rendered(analysis.topology).diagnostics if d.code == "I1083"]
    assert note.summary.startswith("postgres: the pods ORION writes run independent servers")


def test_a_database_on_cloudnative_pg_replicates(seed: Topology) -> None:
    assert not [d for d in rendered(seed).diagnostics if d.code == "I1083"]
