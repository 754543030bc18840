"""A meshed pooled database: its Service selects the pooler, so the pooler's traffic objects carry that host and the database gets none."""

from __future__ import annotations

from typing import Any

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio import render
from orion_dsl.pipeline import analyze_text
from tests.istio.conftest import documents, find

SPEC = """
topology t { version "1" }
mesh istio { mtls strict }
network { default deny; dns allow; internet deny; subnet data 10.0.20.0/24 }
namespace data {
  subnet data
  mesh on
  service api { image "x:1"; port http 8080; calls postgres:sql }
  statefulset postgres {
    image "postgres:16-alpine"
    port sql 5432
    storage data 1Gi at "/var/lib/postgresql/data"
    database { pooler pgbouncer { image "bitnami/pgbouncer:1.23.1"; mode transaction } }
  }
}
"""


def _rendered() -> Rendered:
    analysis = analyze_text(SPEC)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return render(analysis.plan)


def _traffic(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in objects if o["kind"] in ("DestinationRule", "VirtualService")}


def test_the_poolers_destination_rule_is_for_the_databases_service() -> None:
    assert find(documents(_rendered()), "DestinationRule", "pgbouncer", "data")["spec"]["host"] == "postgres.data.svc.cluster.local"


def test_the_pooled_database_gets_no_traffic_objects_and_is_reported() -> None:
    rendered = _rendered()
    assert ("DestinationRule", "postgres") not in _traffic(documents(rendered))
    assert [d.code for d in rendered.diagnostics] == ["I0710"]
