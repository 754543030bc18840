"""The model fixtures have the decoder's defaults: a fixture is the model a minimal spec of the same facts gives."""

from __future__ import annotations

from orion_dsl.pipeline import analyze_text
from tests.support.models import call, mesh, namespace, port, topology, workload

SPEC = """
topology shop { version "1.0.0" }
namespace web {
  service api { image "registry.example/app:1.0"; port http 8080; calls db:sql }
  statefulset db { image "registry.example/app:1.0"; port sql 5432 }
}
mesh istio { mtls strict }
"""


def test_a_fixture_topology_equals_the_decoded_spec_of_the_same_facts() -> None:
    analysis = analyze_text(SPEC, "models.orion")
    assert analysis.topology is not None, analysis.diagnostics
    sql = port("sql", 5432)
    api = workload("api", namespace="web", ports=[port("http", 8080)], calls=[call("db", sql)])
    db = workload("db", namespace="web", kind="statefulset", ports=[sql])
    assert topology(workloads=[api, db], namespaces=[namespace("web")], mesh=mesh()) == analysis.topology


def test_a_fixture_topology_builds_its_allow_graph_from_the_calls_unless_given_edges() -> None:
    sql = port("sql", 5432)
    api = workload("api", ports=[port("http", 8080)], calls=[call("db", sql)])
    db = workload("db", ports=[sql])
    built = topology(workloads=[api, db])
    assert built.allow_graph.reach("api", "db", 5432) is not None
    assert topology(workloads=[api, db], edges=[]).allow_graph.edges == ()
