"""A queue consumer scales from zero: KEDA's ScaledObject wakes it when its queue fills (keda.sh/docs/2.18
concepts/scaling-deployments, minReplicaCount 0), its CPU and memory triggers beside the queue's included; an HPA needs a pod to measure."""

from __future__ import annotations

from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of

from .helpers import find, objects

SPEC = """topology t { version "1.0.0" }
namespace q {
  statefulset broker { engine rabbitmq-operator; image "rabbitmq:4.2-management"; port amqp 5672; storage data 1Gi at "/var/lib/rabbitmq/mnesia" }
  service worker { image "x/worker:1"; port http 8080; calls broker:amqp; autoscale 0..10 { AUTOSCALE } }
}
"""


def test_a_queue_consumer_scales_from_zero_through_keda() -> None:
    objs = objects(topology_of(SPEC.replace("AUTOSCALE", 'queue "jobs" 20 on broker')))
    assert find(objs, "ScaledObject", "worker", "q")["spec"]["minReplicaCount"] == 0
    assert "replicas" not in find(objs, "Deployment", "worker", "q")["spec"]  # the ScaledObject owns the scale


def test_a_queue_consumer_guarding_cpu_too_scales_from_zero() -> None:
    """KEDA's cpu trigger beside a queue's: 'scale to 0 only when ... at least one additional scaler which is not CPU or Memory'."""
    objs = objects(topology_of(SPEC.replace("AUTOSCALE", 'cpu 70%; queue "jobs" 20 on broker')))
    assert find(objs, "ScaledObject", "worker", "q")["spec"]["minReplicaCount"] == 0


def test_scaling_from_zero_without_a_queue_is_refused() -> None:
    analysis = analyze_text(SPEC.replace("AUTOSCALE", "cpu 70%"), "zero.orion")
    assert [d.code for d in analysis.diagnostics if d.is_error] == ["E0206"]
