"""The document names the Services a workload really gets: none without ports but a StatefulSet's headless one."""

from __future__ import annotations

from orion_dsl.backends.docs.context.text import NONE, service_kind
from orion_dsl.pipeline import analyze_text

SPEC = """
topology t { version "1" }
namespace a {
  service worker { image "x:1" }
  statefulset queue { image "x:1" }
  service api { image "x:1"; port http 8080 }
  statefulset db { image "x:1"; port sql 5432 }
}
"""


def test_service_kind_names_only_the_services_rendered() -> None:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None
    kinds = {w.name: service_kind(w) for w in analysis.topology.workloads}
    assert kinds == {"worker": NONE, "queue": "headless", "api": "ClusterIP", "db": "headless + ClusterIP"}
