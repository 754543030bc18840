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


def _independent_servers(spec: str) -> list[str]:
    analysis = analyze_text(NETWORK + spec, "store.orion")
    return [f"{d.span.line if d.span else None}: {d.summary}" for d in analysis.diagnostics if d.code == "W0318"]


STORE = """
namespace data {
  subnet apps
  statefulset STORE {
    image "IMAGE"
    REPLICAS
    port main 5432
    storage data 10Gi at "/data"
  }
}
"""


def _store(image: str, replicas: str, name: str = "store") -> str:
    return STORE.replace("STORE", name).replace("IMAGE", image).replace("REPLICAS", replicas)


def test_several_pods_of_a_database_image_without_an_engine_are_reported_at_replicas() -> None:
    """W0318 points at `replicas`, for every image family."""
    replicas_line = (NETWORK + _store("postgres:17-alpine", "replicas 2")).splitlines().index("    replicas 2") + 1
    for image in ("postgres:17-alpine", "redis:7.2-alpine", "rabbitmq:4.2-management"):
        (found,) = _independent_servers(_store(image, "replicas 2"))
        assert found.startswith(f'{replicas_line}: the 2 pods of "store" run independent {image.split(":")[0]} servers')


def test_one_pod_or_another_image_is_not_reported() -> None:
    assert not _independent_servers(_store("postgres:17-alpine", "replicas 1"))
    assert not _independent_servers(_store("example/ledger:1", "replicas 3"))


def test_an_autoscaled_database_image_is_reported() -> None:
    assert _independent_servers(_store("redis:7.2-alpine", "autoscale 1..3 { cpu 70% }"))
