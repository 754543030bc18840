"""KEDA reads a broker's queues on its AMQP port whatever the spec names it (engines.amqp_port, the
one lookup of the allow-graph's KEDA edge and the ScaledObject's address), and the log shipper and
Grafana address Loki at the Service the plan names."""

from __future__ import annotations

import attrs

from orion_dsl.backends.kubernetes.logs import push_url
from orion_dsl.controllers import KEDA
from orion_dsl.lowering import Role
from orion_dsl.model import Peer, Topology, Workload
from orion_dsl.pipeline import analyze_text
from tests.conftest import SEED_SPEC
from tests.support.plans import planned

from .helpers import load, objects, of_kind

SPEC = """topology t { version "1.0.0" }
namespace a {
  statefulset mq { engine rabbitmq-operator; image "rabbitmq:4.2-management"; replicas 3; port queue 5672; storage data 1Gi at "/var/lib/rabbitmq/mnesia" }
  service api { image "a/b:1"; port http 8080; autoscale 1..3 { queue "jobs" 10 on mq } }
}
"""


def _topology() -> Topology:
    analysis = analyze_text(SPEC, "t.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return analysis.topology


def test_keda_reaches_a_broker_whose_amqp_port_has_another_name() -> None:
    keda = Peer("operator", KEDA.name, KEDA.namespace)
    edges = [e for e in _topology().allow_graph.edges if e.source == keda]
    assert [(e.target.name, e.port.name, e.port.number) for e in edges] == [("mq", "queue", 5672)]


def test_the_scaled_object_reads_the_queue_at_the_amqp_port_whatever_its_name() -> None:
    (scaled,) = of_kind(objects(_topology()), "ScaledObject")
    (trigger,) = [t for t in scaled["spec"]["triggers"] if t["type"] == "rabbitmq"]
    assert trigger["metadata"]["host"] == "amqp://mq.a.svc.cluster.local:5672/"


def test_the_log_shipper_pushes_to_the_service_the_plan_names_for_loki() -> None:
    plan = planned(load(SEED_SPEC))
    entries = tuple(
        attrs.evolve(e, id=attrs.evolve(e.id, name="logs")) if e.role == Role.SERVICE and isinstance(e.subject, Workload) and e.subject.name == "loki" else e
        for e in plan.entries
    )
    renamed = type(plan)(plan.topology, entries)
    loki = plan.topology.workload("loki")
    assert loki is not None
    assert push_url(renamed, loki) == "http://logs.orion-monitoring.svc.cluster.local:3100/loki/api/v1/push"
