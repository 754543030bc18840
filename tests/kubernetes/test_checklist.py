"""One test per SEED-CHECKLIST row with a Kubernetes column: find the object, check the fact."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from orion_dsl.backends.kubernetes import autoscaling
from orion_dsl.choices import Engine
from orion_dsl.engines import facts
from orion_dsl.lowering import Role
from orion_dsl.model import Budget, Topology, Workload
from tests.support.plans import planned
from tests.support.schemas import is_core, validate_core

from .helpers import SPECS, containers, find, load, main_container, objects, of_kind, rendered

EXAMPLES_BY_NAME = {p.stem: p for p in SPECS}


@pytest.fixture()
def objs(seed: Topology) -> list[dict[str, Any]]:
    return objects(seed)


def codes(seed: Topology, *wanted: str) -> list[str]:
    """Summaries of the diagnostics with these codes."""
    return [d.summary for d in rendered(seed).diagnostics if d.code in wanted]


def env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", [])}


def test_s01_valid_for_kubernetes_1_28(objs: list[dict[str, Any]]) -> None:
    core = [o for o in objs if is_core(o)]
    assert core and all(validate_core(o, "1.28.0") == [] for o in core)


def test_s02_namespaces_labelled_and_meshed(objs: list[dict[str, Any]]) -> None:
    names = ["orion-gateway", "orion-auth", "orion-user", "orion-notification", "orion-data", "orion-monitoring", "orion-ingress", "orion-system"]
    assert sorted(o["metadata"]["name"] for o in of_kind(objs, "Namespace")) == sorted([*names, "alloy"])  # the log shipper's
    for name in names:
        labels = find(objs, "Namespace", name)["metadata"]["labels"]
        assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
        assert labels["app.kubernetes.io/part-of"] == "orion" and labels["app.kubernetes.io/managed-by"] == "orion"
        # the seed's four, and orion-system: its admin UI calls the gateway, which admits only mTLS identities
        meshed = name in ("orion-gateway", "orion-auth", "orion-user", "orion-notification", "orion-system")
        assert (labels.get("istio-injection") == "enabled") == meshed
    assert find(objs, "Namespace", "orion-gateway")["metadata"]["labels"]["tier"] == "edge"


def test_s03_service_accounts_and_rbac(objs: list[dict[str, Any]], seed: Topology) -> None:
    for w in seed.workloads:
        if w.engine == "cloudnative-pg":  # CloudNativePG makes the ServiceAccount <cluster> itself
            assert not [o for o in of_kind(objs, "ServiceAccount") if o["metadata"]["name"] == w.name]
            continue
        sa = find(objs, "ServiceAccount", w.name, w.namespace)
        assert sa["automountServiceAccountToken"] is (w.name == "dashboard")  # Headlamp's in-cluster config reads it
    role = find(objs, "Role", "orion-shared-config-reader", "orion-system")
    assert role["rules"] == [{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["orion-shared-config"], "verbs": ["get", "watch"]}]
    find(objs, "ConfigMap", "orion-shared-config", "orion-system")


def test_s04_resource_quota_per_namespace(objs: list[dict[str, Any]], seed: Topology) -> None:
    for ns in seed.namespaces:
        hard = find(objs, "ResourceQuota", "quota", ns.name)["spec"]["hard"]
        assert hard["requests.cpu"] == "20" and hard["limits.memory"] == "40Gi"
        # the stated 10 claims; orion-data's are raised to its 9 claims and 3 spare (I1084, test_quota_claims.py)
        assert hard["pods"] == "50" and hard["persistentvolumeclaims"] == ("12" if ns.name == "orion-data" else "10")
        find(objs, "LimitRange", "defaults", ns.name)


def _service_port(objs: list[dict[str, Any]], name: str, namespace: str) -> dict[str, Any]:
    svc = find(objs, "Service", name, namespace)
    assert svc["spec"]["type"] == "ClusterIP"
    return {p["name"]: p for p in svc["spec"]["ports"]}


def test_s05_gateway_deployment_and_service(objs: list[dict[str, Any]]) -> None:
    # 3 replicas: the autoscaler's floor for the active colour (KEDA's, on its pods metric), the idle colour's count
    assert find(objs, "ScaledObject", "gateway", "orion-gateway")["spec"]["minReplicaCount"] == 3
    assert find(objs, "Deployment", "gateway-green", "orion-gateway")["spec"]["replicas"] == 3
    for colour in ("blue", "green"):
        d = find(objs, "Deployment", f"gateway-{colour}", "orion-gateway")
        assert main_container(d)["ports"][0] == {"name": "http", "containerPort": 3000, "protocol": "TCP"}
    assert main_container(find(objs, "Deployment", "gateway-blue"))["image"] == "orion/gateway:1.0"
    assert _service_port(objs, "gateway", "orion-gateway")["http"]["port"] == 3000


@pytest.mark.parametrize(
    ("name", "namespace", "replicas", "port"),
    [("auth", "orion-auth", 3, 3001), ("user", "orion-user", 3, 3002), ("notification", "orion-notification", 2, 3003)],
)
def test_s06_s07_s08_service_deployments(objs: list[dict[str, Any]], name: str, namespace: str, replicas: int, port: int) -> None:
    d = find(objs, "Deployment", name, namespace)
    # the HPA owns the count: its floor is the stated replicas, and the Deployment leaves it out
    assert "replicas" not in d["spec"]
    # KEDA scales notification on its queue, auth and user on their pods metrics
    assert find(objs, "ScaledObject", name, namespace)["spec"]["minReplicaCount"] == replicas
    assert main_container(d)["image"] == f"orion/{name}:1.0"
    assert main_container(d)["ports"][0]["containerPort"] == port
    assert _service_port(objs, name, namespace)["http"]["port"] == port


def test_s09_analytics_admin_ui_dashboard(objs: list[dict[str, Any]]) -> None:
    assert _service_port(objs, "analytics", "orion-user")["http"]["port"] == 3004
    admin = find(objs, "Deployment", "admin-ui", "orion-system")
    assert admin["spec"]["template"]["spec"]["serviceAccountName"] == "admin-ui"
    # Kubernetes Dashboard was archived in January 2026: SIG UI's Headlamp, in-cluster, bound to no role
    dashboard = find(objs, "Deployment", "dashboard", "orion-system")["spec"]["template"]["spec"]
    container = main_container(find(objs, "Deployment", "dashboard", "orion-system"))
    assert container["image"] == "ghcr.io/headlamp-k8s/headlamp:v0.45.0"
    assert container["args"][:2] == ["-in-cluster", "-in-cluster-context-name=main"]  # no kubeadm-config lookup
    assert {"name": "HOME", "value": "/tmp"} in container["env"]  # its plugin folders, on the /tmp emptyDir
    assert dashboard["automountServiceAccountToken"] is True  # rest.InClusterConfig reads the token
    # it reads no /etc/dashboard: the defaults' config and secrets volumes are dropped (`volume config none`), and
    # no placeholder ConfigMap or Secret to provide is left behind
    assert {v["name"] for v in dashboard["volumes"]} == {"logs", "tmp"}
    assert not [o for o in objs if o["metadata"]["name"] in ("dashboard-config", "dashboard-secrets")]
    assert not [o for o in objs if o["kind"] in ("RoleBinding", "ClusterRoleBinding") and any(s.get("name") == "dashboard" for s in o.get("subjects", []))]


def test_s10_app_container_resources(objs: list[dict[str, Any]]) -> None:
    for name in ("gateway-blue", "auth", "user", "notification"):
        res = main_container(find(objs, "Deployment", name))["resources"]
        assert res == {"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "1000m", "memory": "1Gi"}}
    for o in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet"):
        assert all("limits" in c["resources"] and "requests" in c["resources"] for c in containers(o))


def test_s11_probes(objs: list[dict[str, Any]], seed: Topology) -> None:
    gw = main_container(find(objs, "Deployment", "gateway-blue"))
    assert gw["livenessProbe"]["httpGet"]["path"] == "/health" and gw["readinessProbe"]["httpGet"]["path"] == "/health"
    auth = main_container(find(objs, "Deployment", "auth"))
    assert auth["livenessProbe"]["httpGet"]["path"] == "/api/auth/health"
    ready = auth["readinessProbe"]
    assert (ready["periodSeconds"], ready["timeoutSeconds"], ready["failureThreshold"], ready["successThreshold"]) == (10, 5, 3, 2)
    assert auth["livenessProbe"]["successThreshold"] == 1  # the API requires 1
    assert codes(seed, "I1068", "I1071")


def test_s12_volumes(objs: list[dict[str, Any]], seed: Topology) -> None:
    d = find(objs, "Deployment", "auth")
    vols = {v["name"]: v for v in d["spec"]["template"]["spec"]["volumes"]}
    assert vols["config"]["configMap"]["name"] == "auth-config"
    assert vols["secrets"]["secret"] == {"secretName": "auth-secrets", "optional": False}
    assert vols["logs"] == {"name": "logs", "emptyDir": {}}
    mounts = {m["name"]: m["mountPath"] for m in main_container(d)["volumeMounts"]}
    assert mounts["logs"] == "/var/log/auth" and mounts["config"] == "/etc/auth"
    find(objs, "ConfigMap", "auth-config", "orion-auth")
    assert of_kind(objs, "Secret") == []
    assert any("orion-auth/auth-secrets" in s for s in codes(seed, "I1010"))


def test_s13_sidecar_resource_annotations(objs: list[dict[str, Any]]) -> None:
    ann = find(objs, "Deployment", "auth")["spec"]["template"]["metadata"]["annotations"]
    assert ann["sidecar.istio.io/proxyCPU"] == "100m" and ann["sidecar.istio.io/proxyCPULimit"] == "200m"
    assert ann["sidecar.istio.io/proxyMemory"] == "128Mi" and ann["sidecar.istio.io/proxyMemoryLimit"] == "256Mi"
    # the operator-made data pods stay outside the mesh: no sidecar, so no sidecar resources
    inherited = find(objs, "Cluster", "postgres", "orion-data")["spec"]["inheritedMetadata"]
    assert inherited == {"labels": {"app.kubernetes.io/part-of": "orion", "sidecar.istio.io/inject": "false"}}


def test_s14_postgres_cluster(objs: list[dict[str, Any]]) -> None:
    cluster = find(objs, "Cluster", "postgres", "orion-data")["spec"]
    assert cluster["instances"] == 3 and cluster["imageName"] == "ghcr.io/cloudnative-pg/postgresql:16-standard-trixie"
    assert cluster["resources"] == {"requests": {"cpu": "1000m", "memory": "2Gi"}, "limits": {"cpu": "2000m", "memory": "4Gi"}}
    assert "probes" not in cluster  # the instance manager's own startup, liveness and readiness probes
    assert find(objs, "Service", "postgres", "orion-data")["spec"]["ports"] == [{"name": "sql", "port": 5432, "protocol": "TCP", "targetPort": 5432}]
    assert not of_kind(objs, "StatefulSet") or not [o for o in of_kind(objs, "StatefulSet") if o["metadata"]["name"] == "postgres"]


def test_s15_postgres_metrics_from_the_instance_manager(objs: list[dict[str, Any]]) -> None:
    """CloudNativePG's instance manager is the exporter: metrics on 9187 (port ``metrics``) in the
    postgres container, scraped through a PodMonitor and allowed from Prometheus."""
    monitor = find(objs, "PodMonitor", "postgres", "orion-data")["spec"]
    assert monitor["selector"]["matchLabels"] == {"cnpg.io/cluster": "postgres", "cnpg.io/podRole": "instance"}
    assert monitor["podMetricsEndpoints"] == [{"path": "/metrics", "port": "metrics"}]
    ingress = find(objs, "NetworkPolicy", "postgres-ingress", "orion-data")["spec"]["ingress"]
    assert {"from": [PROMETHEUS], "ports": [{"port": 9187, "protocol": "TCP"}]} in ingress


def test_s16_postgres_storage_is_a_claim_per_instance(objs: list[dict[str, Any]]) -> None:
    assert find(objs, "Cluster", "postgres")["spec"]["storage"] == {"size": "100Gi", "storageClass": "ssd"}
    # postgresql.conf and the bootstrap are the operator's: ORION writes no ConfigMap for them
    assert not [c for c in of_kind(objs, "ConfigMap") if c["metadata"].get("namespace") == "orion-data" and "postgres" in c["metadata"]["name"]]


def test_s17_redis_replicates_with_a_claim_per_pod(objs: list[dict[str, Any]]) -> None:
    spec = find(objs, "RedisReplication", "redis-replication", "orion-data")["spec"]
    assert spec["clusterSize"] == 3
    assert spec["storage"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "10Gi"
    assert find(objs, "RedisSentinel", "redis", "orion-data")["spec"]["redisSentinelConfig"]["redisReplicationName"] == "redis-replication"
    assert _service_port(objs, "redis", "orion-data")["redis"]["port"] == 6379


def test_s18_rabbitmq_cluster(objs: list[dict[str, Any]], seed: Topology) -> None:
    cluster = find(objs, "RabbitmqCluster", "rabbitmq", "orion-data")["spec"]
    assert cluster["replicas"] == 3 and cluster["image"] == "rabbitmq:4.2-management"
    assert cluster["persistence"] == {"storage": "20Gi", "storageClassName": "ssd"}
    # the operator makes the Service clients call (amqp 5672): ORION plans it and writes none
    service = planned(seed).get(Role.SERVICE, seed.workload("rabbitmq"))
    assert not service.emitted and (service.namespace, service.name) == ("orion-data", "rabbitmq")
    assert not [o for o in of_kind(objs, "Service") if o["metadata"]["name"] == "rabbitmq"]


def test_s19_monitoring_workloads(objs: list[dict[str, Any]]) -> None:
    assert find(objs, "Prometheus", "prometheus", "orion-monitoring")["spec"]["storage"]["volumeClaimTemplate"]
    assert main_container(find(objs, "Deployment", "grafana", "orion-monitoring"))["ports"][0]["containerPort"] == 3000
    assert find(objs, "Alertmanager", "alertmanager", "orion-monitoring")["spec"]["storage"]["volumeClaimTemplate"]
    find(objs, "StatefulSet", "loki", "orion-monitoring")
    for name in ("prometheus", "grafana", "alertmanager", "loki"):
        find(objs, "Service", name, "orion-monitoring")


def test_s20_service_monitors(objs: list[dict[str, Any]], seed: Topology) -> None:
    scraped = [w for w in seed.workloads if w.scraped and w.port("metrics") and w.engine is None]
    # and kube-state-metrics's, for PodCrashLooping's kube_* metrics (tests/kubernetes/test_alert_metrics.py)
    assert {o["metadata"]["name"] for o in of_kind(objs, "ServiceMonitor")} == {w.name for w in scraped} | {"kube-state-metrics"}
    for w in scraped:
        sm = find(objs, "ServiceMonitor", w.name, w.namespace)
        endpoint = {"port": "metrics", "path": "/metrics", "scheme": "http"}
        if w.meshed:  # Istio metrics merging: the agent's 15020 serves the app's metrics with Envoy's, outside mTLS
            agent = {"sourceLabels": ["__address__"], "regex": r"(.+):\d+", "targetLabel": "__address__", "replacement": "$1:15020", "action": "replace"}
            endpoint |= {"path": "/stats/prometheus", "relabelings": [agent]}
        assert sm["spec"]["endpoints"] == [endpoint]
        selected = [
            s
            for s in of_kind(objs, "Service")
            if s["metadata"].get("namespace") == w.namespace
            and all(s["metadata"]["labels"].get(k) == v for k, v in sm["spec"]["selector"]["matchLabels"].items())
        ]
        assert len(selected) == 1 and any(p["name"] == "metrics" for p in selected[0]["spec"]["ports"])
    # the operators' pods are scraped where they are, and Istio's edge gateway pods from beside Prometheus, through PodMonitors
    monitors = {o["metadata"]["name"] for o in of_kind(objs, "PodMonitor")}
    assert monitors == {"postgres", "pgbouncer", "rabbitmq", "alertmanager", "redis", "edge-istio"}


def _scaled(objs: list[dict[str, Any]], name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A ScaledObject's spec and its triggers by type: KEDA reads the pods metrics from Prometheus (no custom metrics adapter)."""
    assert not [o for o in of_kind(objs, "HorizontalPodAutoscaler") if o["metadata"]["name"] == name]
    spec = find(objs, "ScaledObject", name)["spec"]
    return spec, {t["type"]: t for t in spec["triggers"]}


def test_s21_gateway_scales_on_its_pods_metric_through_keda(objs: list[dict[str, Any]]) -> None:
    spec, t = _scaled(objs, "gateway")
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (3, 10)
    assert t["cpu"] == {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}}
    assert t["memory"]["metadata"]["value"] == "80"
    assert t["prometheus"]["metadata"]["query"] == 'sum(http_requests_per_second{namespace="orion-gateway",pod=~"gateway-blue-[a-z0-9]+-[a-z0-9]+"})'
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "gateway-blue"}


def test_s22_auth_scales_on_its_pods_metric_through_keda(objs: list[dict[str, Any]]) -> None:
    spec, t = _scaled(objs, "auth")
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (3, 8)
    assert (t["cpu"]["metadata"]["value"], t["memory"]["metadata"]["value"]) == ("75", "80")
    assert t["prometheus"]["metadata"] == {
        "serverAddress": "http://prometheus.orion-monitoring.svc.cluster.local:9090",
        "query": 'sum(logins_per_second{namespace="orion-auth",pod=~"auth-[a-z0-9]+-[a-z0-9]+"})',
        "threshold": "50",
    }
    assert t["prometheus"]["metricType"] == "AverageValue"


def test_s23_user_scales_on_its_pods_metric_through_keda(objs: list[dict[str, Any]]) -> None:
    spec, t = _scaled(objs, "user")
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (3, 10)
    assert (t["cpu"]["metadata"]["value"], t["memory"]["metadata"]["value"]) == ("70", "80")
    assert t["prometheus"]["metadata"]["query"].startswith("sum(api_requests_per_second{")
    assert t["prometheus"]["metadata"]["threshold"] == "100"


def test_s24_notification_scales_on_queue_depth_through_keda(objs: list[dict[str, Any]]) -> None:
    # KEDA makes the HPA (keda-hpa-notification) and serves the queue's depth as its external metric:
    # no adapter to install, and the metric names its queue (kedacore/keda-docs 2.18 scalers/rabbitmq-queue.md)
    assert not [o for o in of_kind(objs, "HorizontalPodAutoscaler") if o["metadata"]["name"] == "notification"]
    spec = find(objs, "ScaledObject", "notification", "orion-notification")["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (2, 6)
    assert spec["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "notification"}
    cpu, memory, queue = spec["triggers"]
    assert (cpu, memory) == (
        {"type": "cpu", "metricType": "Utilization", "metadata": {"value": "70"}},
        {"type": "memory", "metricType": "Utilization", "metadata": {"value": "75"}},
    )
    assert queue == {
        "type": "rabbitmq",
        "metadata": {
            "protocol": "amqp",
            "host": "amqp://rabbitmq.orion-data.svc.cluster.local:5672/",
            "queueName": "notifications",
            "mode": "QueueLength",
            "value": "100",
        },
        "authenticationRef": {"name": "notification-rabbitmq"},
    }


def test_s24_keda_reads_the_brokers_default_user_from_a_secret(objs: list[dict[str, Any]]) -> None:
    auth = find(objs, "TriggerAuthentication", "notification-rabbitmq", "orion-notification")["spec"]
    assert auth == {
        "secretTargetRef": [
            {"parameter": "username", "name": "rabbitmq-default-user", "key": "username"},
            {"parameter": "password", "name": "rabbitmq-default-user", "key": "password"},
        ]
    }


def test_s24_the_broker_admits_the_keda_operator_on_amqp(objs: list[dict[str, Any]]) -> None:
    rules = find(objs, "NetworkPolicy", "rabbitmq-ingress", "orion-data")["spec"]["ingress"]
    keda = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "keda"}}, "podSelector": {"matchLabels": {"app": "keda-operator"}}}
    assert {"from": [keda], "ports": [{"port": 5672, "protocol": "TCP"}]} in rules


def test_s25_vpa_auto_without_fighting_the_hpa(objs: list[dict[str, Any]], seed: Topology) -> None:
    vpas = of_kind(objs, "VerticalPodAutoscaler")
    # the operators size their own pods: no VPA for them
    assert {v["metadata"]["name"] for v in vpas} == {w.name for w in seed.workloads if w.engine is None}
    assert find(objs, "VerticalPodAutoscaler", "analytics")["spec"]["updatePolicy"]["updateMode"] == "Auto"
    for w in seed.workloads:
        if w.autoscale is None:
            continue
        vpa = find(objs, "VerticalPodAutoscaler", w.name)["spec"]
        scaled = {r for r, v in (("cpu", w.autoscale.cpu), ("memory", w.autoscale.memory)) if v is not None}
        star = next(p for p in vpa["resourcePolicy"]["containerPolicies"] if p["containerName"] == "*")
        assert vpa["updatePolicy"]["updateMode"] == "Off" or not scaled & set(star["controlledResources"])
    assert codes(seed, "I1021")


def test_s25_a_stateful_sets_vpa_never_evicts(objs: list[dict[str, Any]], seed: Topology) -> None:
    """``vertical auto`` would evict database and queue members at the autoscaler's moment: a
    StatefulSet's VPA sizes pods when they are created, and ORION says so."""
    stateful = [w for w in seed.workloads if w.kind == "statefulset" and w.engine is None]
    assert stateful
    for w in stateful:
        assert find(objs, "VerticalPodAutoscaler", w.name, w.namespace)["spec"]["updatePolicy"]["updateMode"] == "Initial"
        assert any(s.startswith(f"the VPA of {w.name} sizes its pods only when they are created") for s in codes(seed, "I1081"))


def test_s25_the_vpa_of_a_single_replica_deployment_never_evicts_its_only_pod(objs: list[dict[str, Any]], seed: Topology) -> None:
    """Grafana runs one replica: ``Auto`` would evict its only pod to resize it (downtime, and no PDB can help with one
    pod); ``Initial`` sizes it when created. A workload with several replicas keeps the stated mode."""
    grafana = next(w for w in seed.workloads if w.name == "grafana")
    assert (grafana.kind, grafana.replicas, grafana.autoscale) == ("deployment", 1, None)
    assert find(objs, "VerticalPodAutoscaler", "grafana", grafana.namespace)["spec"]["updatePolicy"]["updateMode"] == "Initial"
    summary = "the VPA of grafana sizes its pods only when they are created (updateMode Initial): it may run a single pod, which evicting would take down"
    assert summary in codes(seed, "I1081")
    modes = {o["metadata"]["name"]: o["spec"]["updatePolicy"]["updateMode"] for o in objs if o["kind"] == "VerticalPodAutoscaler"}
    several = [w.name for w in seed.workloads if w.kind == "deployment" and w.replicas > 1 and w.name in modes and (w.autoscale is None or w.autoscale.min > 1)]
    several = [n for n in several if modes[n] != "Off"]  # Off: its HPA scales on CPU and memory (I1021)
    assert several and {modes[n] for n in several} == {"Auto"}


def test_s27_rolling_update_and_grace(objs: list[dict[str, Any]]) -> None:
    d = find(objs, "Deployment", "auth")
    assert d["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert d["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] == 30
    assert "readinessProbe" in main_container(d)
    # CloudNativePG updates the replicas first, then switches the primary over
    cluster = find(objs, "Cluster", "postgres")["spec"]
    assert (cluster["primaryUpdateStrategy"], cluster["primaryUpdateMethod"]) == ("unsupervised", "switchover")


def test_s28_blue_green(objs: list[dict[str, Any]]) -> None:
    blue = find(objs, "Deployment", "gateway-blue")
    green = find(objs, "Deployment", "gateway-green")
    assert blue["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == "1.0"
    assert green["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == "1.1"
    assert green["spec"]["template"]["metadata"]["labels"]["orion.dev/colour"] == "green"
    assert main_container(green)["image"] == "orion/gateway:1.1"
    # the HPA owns the active colour's count; the idle colour stays warm at the stated count
    assert "replicas" not in blue["spec"]
    assert green["spec"]["replicas"] == 3
    selector = find(objs, "Service", "gateway")["spec"]["selector"]
    assert selector == {"app.kubernetes.io/name": "gateway", "app.kubernetes.io/version": "1.0"}


def test_s29_disruption_budgets(objs: list[dict[str, Any]], seed: Topology) -> None:
    for w in seed.workloads:
        if w.engine is not None:  # the operators write their own budgets
            assert not [p for p in of_kind(objs, "PodDisruptionBudget") if p["metadata"]["name"] == w.name]
        elif w.max_replicas > 1 and w.blue_green is None:
            pdb = find(objs, "PodDisruptionBudget", w.name, w.namespace)
            assert pdb["spec"] == {"selector": {"matchLabels": {"app.kubernetes.io/name": w.name}}, "maxUnavailable": 1}
    assert [p for p in of_kind(objs, "PodDisruptionBudget") if p["metadata"]["name"] == "grafana"] == []
    assert not codes(seed, "I1022")  # no budget of the seed blocks evictions


#: Prometheus as a NetworkPolicy peer.
PROMETHEUS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "orion-monitoring"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/instance": "prometheus", "app.kubernetes.io/managed-by": "prometheus-operator"}},
}


def _peer(peer: dict[str, Any]) -> str:
    """The seed workload a NetworkPolicy peer selects: by its name label, or by the labels
    CloudNativePG puts on its instances (``postgres``) and poolers (``pgbouncer``)."""
    labels = peer.get("podSelector", {}).get("matchLabels", {})
    role = labels.get("cnpg.io/podRole")
    if role is not None:
        return "pgbouncer" if role == "pooler" else str(labels["cnpg.io/cluster"])
    # the Prometheus Operator's pods: by their instance label
    return str(labels.get("app.kubernetes.io/name") or labels.get("app.kubernetes.io/instance", ""))


def _sources(policy: dict[str, Any]) -> set[str]:
    """The workloads an ingress NetworkPolicy admits."""
    return {_peer(p) for rule in policy["spec"]["ingress"] for p in rule["from"]}


def _selects(selector: dict[str, str], pod_labels: dict[str, str]) -> bool:
    return all(pod_labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_s29_every_replicated_workload_has_a_budget_that_selects_its_pods(spec: Path) -> None:
    objs = objects(load(spec))
    pods = {o["metadata"]["name"]: o["spec"]["template"]["metadata"]["labels"] for o in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet")}
    for w in load(spec).workloads:
        owners = [n for n, labels in pods.items() if labels["app.kubernetes.io/name"] == w.name]
        budgets = [p for p in of_kind(objs, "PodDisruptionBudget") if p["metadata"]["namespace"] == w.namespace]
        for owner in owners:
            covering = [p for p in budgets if _selects(p["spec"]["selector"]["matchLabels"], pods[owner])]
            # one budget per controller: a budget spanning both blue-green colours would count the idle colour's pods,
            # one spanning a service's versions could let every pod of one version go at once
            version = next((v for v in w.versions if owner == f"{w.name}-{v.name}"), None)
            most = version.replicas if version is not None else w.max_replicas
            assert len(covering) == (1 if most > 1 else 0), (w.name, owner)
            if covering:
                selected = [n for n, labels in pods.items() if _selects(covering[0]["spec"]["selector"]["matchLabels"], labels)]
                assert selected == [owner]


def test_s29_blue_green_budget_per_colour() -> None:
    objs = objects(load(EXAMPLES_BY_NAME["blue-green"]))
    for colour in ("blue", "green"):
        pdb = find(objs, "PodDisruptionBudget", f"catalog-{colour}", "storefront")
        assert pdb["spec"] == {"selector": {"matchLabels": {"app.kubernetes.io/name": "catalog", "orion.dev/colour": colour}}, "minAvailable": 2}


def test_s29_budget_blocking_every_eviction_is_reported(seed: Topology) -> None:
    auth = next(w for w in seed.workloads if w.name == "auth")
    blocking = attrs.evolve(auth, budget=Budget(max_unavailable=None, min_available=3))
    plan = planned(attrs.evolve(seed, workloads=tuple(blocking if w is auth else w for w in seed.workloads)))
    (entry,) = [e for e in plan.of_role(Role.PDB) if e.name == "auth"]
    assert autoscaling.pdb(entry, plan)["spec"]["minAvailable"] == 3
    diags = autoscaling.budget_diagnostics(blocking)
    assert [d.code for d in diags] == ["I1022"] and "allows no eviction" in diags[0].summary
    assert [d.code for d in autoscaling.budget_diagnostics(attrs.evolve(auth, budget=Budget(max_unavailable=0, min_available=None)))] == ["I1022"]
    assert autoscaling.budget_diagnostics(attrs.evolve(auth, budget=Budget(max_unavailable=None, min_available=2))) == []


def test_s30_subnets_pin_no_pod_to_an_ip_pool(objs: list[dict[str, Any]], seed: Topology) -> None:
    """Nothing defines IP pools, so no pod may ask for one (on Calico it would stay in ContainerCreating)."""
    assert any(w.subnet for w in seed.workloads)
    assert "projectcalico" not in json.dumps(objs)
    assert any("10.0.20.0/24" in s and "no pod is pinned" in s for s in codes(seed, "I1066"))


def test_s31_addresses_reported(seed: Topology) -> None:
    (summary,) = [s for s in codes(seed, "I1067") if "address ranges" in s]
    assert "gateway 10.0.10.10-10.0.10.20" in summary and "postgres 10.0.20.10-10.0.20.12" in summary
    assert any("10.0.1.10" in s for s in codes(seed, "I1048"))  # the gateway's Service's loadBalancerIP


def test_s32_default_deny_and_same_namespace(objs: list[dict[str, Any]], seed: Topology) -> None:
    for ns in seed.namespaces:
        assert find(objs, "NetworkPolicy", "default-deny", ns.name)["spec"]["policyTypes"] == ["Ingress", "Egress"]
    redis_in = find(objs, "NetworkPolicy", "redis-ingress", "orion-data")
    assert {"postgres", "rabbitmq", "pgbouncer"} <= _sources(redis_in)


def test_s33_ingress_controller_policy(objs: list[dict[str, Any]]) -> None:
    pol = find(objs, "NetworkPolicy", "edge-istio-ingress", "orion-ingress")
    assert pol["spec"]["podSelector"] == {"matchLabels": {"gateway.networking.k8s.io/gateway-name": "edge"}}
    # behind Cloudflare: its published ranges alone (https://www.cloudflare.com/ips-v4; 15 in 2026)
    cloudflare = [rule["ipBlock"]["cidr"] for rule in pol["spec"]["ingress"][0]["from"]]
    assert len(cloudflare) == 15 and {"104.16.0.0/13", "104.24.0.0/14", "131.0.72.0/22"} <= set(cloudflare)
    assert pol["spec"]["ingress"][0]["ports"] == [{"port": 443, "protocol": "TCP"}]
    # the rest: load balancers' health checks of Istio's status port, from private addresses, and Prometheus's
    # scrape of the agent's metrics (tests/kubernetes/test_gateway_metrics.py)
    assert {p["port"] for rule in pol["spec"]["ingress"][1:] for p in rule["ports"]} == {15020, 15021}
    egress = find(objs, "NetworkPolicy", "edge-istio-egress", "orion-ingress")["spec"]["egress"]
    assert {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "orion-gateway"}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}},
            }
        ],
        "ports": [{"port": 3000, "protocol": "TCP"}],
    } in egress


def test_s34_gateway_egress_to_services(objs: list[dict[str, Any]]) -> None:
    egress = find(objs, "NetworkPolicy", "gateway-egress", "orion-gateway")["spec"]["egress"]
    targets = {rule["to"][0].get("podSelector", {}).get("matchLabels", {}).get("app.kubernetes.io/name"): rule["ports"] for rule in egress}
    assert targets["auth"] == [{"port": 3001, "protocol": "TCP"}]
    assert targets["user"] == [{"port": 3002, "protocol": "TCP"}]
    assert targets["notification"] == [{"port": 3003, "protocol": "TCP"}]


def test_s35_data_tier_ingress(objs: list[dict[str, Any]]) -> None:
    def sources(name: str) -> set[str]:
        return _sources(find(objs, "NetworkPolicy", f"{name}-ingress", "orion-data"))

    assert {"auth", "user", "notification", "analytics"} <= sources("pgbouncer")
    assert {"auth", "user", "notification"} <= sources("redis")
    assert {"user", "notification"} <= sources("rabbitmq") and "auth" not in sources("rabbitmq")
    assert "gateway" not in sources("pgbouncer") | sources("redis") | sources("rabbitmq")


def test_s36_prometheus_egress(objs: list[dict[str, Any]]) -> None:
    egress = find(objs, "NetworkPolicy", "prometheus-egress", "orion-monitoring")["spec"]["egress"]
    scraped = {(_peer(r["to"][0]), p["port"]) for r in egress for p in r["ports"]}
    # meshed workloads at their Istio agent's merged metrics (15020), outside mTLS
    assert {("gateway", 15020), ("auth", 15020), ("user", 15020), ("notification", 15020)} <= scraped
    # the operators' pods where they serve metrics: CloudNativePG 9187, PgBouncer 9127, RabbitMQ 15692, the Redis exporter 9121
    assert {("postgres", 9187), ("pgbouncer", 9127), ("rabbitmq", 15692), ("redis", 9121)} <= scraped


def test_s37_notification_reaches_dns_and_opens_only_what_the_egress_gateway_cannot_carry(objs: list[dict[str, Any]], seed: Topology) -> None:
    """443 and 465 go to the egress gateway; SMTP 587 (opaque, shared by two providers: I0711) and NTP (UDP: I0706) go out directly."""
    egress = find(objs, "NetworkPolicy", "notification-egress", "orion-notification")["spec"]["egress"]
    dns = next(r for r in egress if r["to"][0].get("podSelector", {}).get("matchLabels") == {"k8s-app": "kube-dns"})
    assert dns["to"][0]["namespaceSelector"] == {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}
    assert dns["ports"] == [{"port": 53, "protocol": "TCP"}, {"port": 53, "protocol": "UDP"}]
    public = next(r for r in egress if "ipBlock" in r["to"][0])
    assert public["to"][0]["ipBlock"]["cidr"] == "0.0.0.0/0" and "10.0.0.0/8" in public["to"][0]["ipBlock"]["except"]
    assert {(p["port"], p["protocol"]) for p in public["ports"]} == {(123, "UDP"), (587, "TCP")}
    assert codes(seed, "I1030")


def test_s55_the_unmeshed_alertmanager_reaches_pagerduty_directly(objs: list[dict[str, Any]]) -> None:
    """The operator's Alertmanager has no sidecar to send it through the egress gateway, which has no listener
    for PagerDuty (tests/istio/test_checklist.py): its NetworkPolicy lets 443 out to public addresses."""
    egress = find(objs, "NetworkPolicy", "alertmanager-egress", "orion-monitoring")["spec"]["egress"]
    [out] = [r for r in egress if "ipBlock" in r["to"][0]]
    assert out["ports"] == [{"port": 443, "protocol": "TCP"}] and out["to"][0]["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert not [r for r in egress if r["to"][0].get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "istio-system"}]


def test_s39_ingress_controller_replicas_round_robin_and_cors(objs: list[dict[str, Any]], seed: Topology) -> None:
    gateway = find(objs, "Gateway", "edge", "orion-ingress")
    assert gateway["spec"]["gatewayClassName"] == "istio"  # ingress-nginx was retired in March 2026
    options = yaml.safe_load(find(objs, "ConfigMap", "edge-options", "orion-ingress")["data"]["deployment"])
    assert options["spec"]["replicas"] == 3
    route = find(objs, "HTTPRoute", "edge-gateway-http", "orion-gateway")
    [cors] = route["spec"]["rules"][0]["filters"]
    assert cors["cors"] == {"allowOrigins": ["https://*.orion.com"], "allowMethods": ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]}


def test_s39_the_istio_gateway_applies_every_setting_of_the_seed(seed: Topology) -> None:
    """The rate limit, buffering and compression are the gateway's EnvoyFilter (tests/istio/test_gateway_filters.py),
    ModSecurity with the OWASP core rules its WasmPlugin (tests/istio/test_gateway_waf.py): none is reported as not
    applied. Its agent pulls the module from ghcr.io beside `internet deny`, which is reported (I1087)."""
    assert codes(seed, "I1046", "I1047") == []
    (pull,) = codes(seed, "I1087")
    assert "ghcr.io" in pull


def test_s40_tls_via_cert_manager(objs: list[dict[str, Any]], seed: Topology) -> None:
    issuer = find(objs, "ClusterIssuer", "letsencrypt")["spec"]["acme"]
    assert issuer["server"] == "https://acme-v02.api.letsencrypt.org/directory" and issuer["email"] == "ops@orion.com"
    # *.orion.com can only be issued over DNS-01: the seed's issuer answers through Cloudflare
    assert issuer["solvers"] == [{"dns01": {"cloudflare": {"apiTokenSecretRef": {"name": "letsencrypt-cloudflare-api-token", "key": "api-token"}}}}]
    cert = find(objs, "Certificate", "edge-tls", "orion-ingress")["spec"]
    assert cert["renewBefore"] == "720h" and cert["issuerRef"]["name"] == "letsencrypt"
    assert sorted(cert["dnsNames"]) == ["*.orion.com", "admin.orion.com", "api.orion.com", "grafana.orion.com"]
    [listener] = find(objs, "Gateway", "edge")["spec"]["listeners"]
    assert listener["tls"]["certificateRefs"] == [{"group": "", "kind": "Secret", "name": "edge-tls"}]
    assert any("TLSV1_3" in d.help for d in rendered(seed).diagnostics if d.code == "I1045")  # Istio sets the minimum mesh-wide


def test_s41_ingress_hosts(objs: list[dict[str, Any]]) -> None:
    def route(namespace: str, name: str) -> tuple[list[str], tuple[str, int]]:
        spec = find(objs, "HTTPRoute", name, namespace)["spec"]
        [backend] = spec["rules"][0]["backendRefs"]
        return spec["hostnames"], (backend["name"], backend["port"])

    assert route("orion-gateway", "edge-gateway-http") == (["*.orion.com", "api.orion.com"], ("gateway", 3000))
    assert route("orion-system", "edge-admin-ui-http") == (["admin.orion.com"], ("admin-ui", 3004))
    assert route("orion-monitoring", "edge-grafana-metrics") == (["grafana.orion.com"], ("grafana", 3000))


def test_s42_gateway_route_table(objs: list[dict[str, Any]]) -> None:
    routes = yaml.safe_load(find(objs, "ConfigMap", "gateway-config", "orion-gateway")["data"]["routes.yaml"])["routes"]
    table = {r["path"]: r["url"] for r in routes}
    assert table["/api/auth/*"] == "http://auth.orion-auth.svc.cluster.local:3001"
    assert table["/api/user/*"] == "http://user.orion-user.svc.cluster.local:3002"
    assert table["/api/notification/*"] == "http://notification.orion-notification.svc.cluster.local:3003"
    assert table["/api/analytics/*"] == "http://analytics.orion-user.svc.cluster.local:3004"
    assert {"/health", "/metrics"} <= set(table)


def test_s50_pooler_and_read_write_services(objs: list[dict[str, Any]]) -> None:
    # clients call postgres:sql, the read-write pooler; postgres-read is the read-only pooler
    assert find(objs, "Service", "postgres")["spec"]["selector"] == {"cnpg.io/poolerName": "pgbouncer"}
    assert find(objs, "Service", "postgres-read")["spec"]["selector"] == {"cnpg.io/poolerName": "pgbouncer-read"}
    rw, ro = find(objs, "Pooler", "pgbouncer", "orion-data")["spec"], find(objs, "Pooler", "pgbouncer-read", "orion-data")["spec"]
    assert (rw["type"], ro["type"]) == ("rw", "ro") and rw["cluster"] == ro["cluster"] == {"name": "postgres"}
    assert rw["instances"] == ro["instances"] == 2
    assert rw["pgbouncer"] == ro["pgbouncer"] == {"poolMode": "transaction"}
    # one primary takes the writes; the two replicas behind the read-only pooler share the reads
    # evenly (the seed's 50/50); synchronous replication to at least one of them
    cluster = find(objs, "Cluster", "postgres")["spec"]
    assert cluster["instances"] == 3
    assert cluster["postgresql"]["synchronous"] == {"method": "any", "number": 1, "dataDurability": "required"}


def test_s52_rbac_for_shared_objects(objs: list[dict[str, Any]]) -> None:
    binding = find(objs, "RoleBinding", "orion-shared-secrets-reader", "orion-system")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "orion-shared-secrets-reader"}
    assert {(s["name"], s["namespace"]) for s in binding["subjects"]} == {
        ("gateway", "orion-gateway"),
        ("auth", "orion-auth"),
        ("user", "orion-user"),
        ("notification", "orion-notification"),
    }
    rule = find(objs, "Role", "orion-shared-secrets-reader")["rules"][0]
    assert rule["resources"] == ["secrets"] and rule["resourceNames"] == ["orion-shared-secrets"]


def test_s54_secrets_only_referenced(objs: list[dict[str, Any]], seed: Topology) -> None:
    assert of_kind(objs, "Secret") == []
    for o in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet"):
        for c in containers(o):
            assert all("valueFrom" not in e for e in c.get("env", []))
    (summary,) = codes(seed, "I1010")
    assert "orion-system/orion-shared-secrets" in summary and "orion-data/s3-primary-credentials" in summary


def test_s55_prometheus_rule(objs: list[dict[str, Any]]) -> None:
    rule = find(objs, "PrometheusRule", "orion-alerts", "orion-monitoring")
    (group,) = rule["spec"]["groups"]
    alerts = {r["alert"]: r for r in group["rules"]}
    assert set(alerts) == {"HighErrorRate", "PodCrashLooping", "BackupMissing"}
    assert alerts["HighErrorRate"]["for"] == "5m" and alerts["HighErrorRate"]["labels"] == {"severity": "critical"}
    assert "partial_response_strategy" not in group


def test_s56_hardened_pods(objs: list[dict[str, Any]]) -> None:
    pods = [o["spec"]["template"]["spec"] for o in of_kind(objs, "Deployment") + of_kind(objs, "StatefulSet")]
    pods += [o["spec"]["jobTemplate"]["spec"]["template"]["spec"] for o in of_kind(objs, "CronJob")]
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] >= 10000
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for c in pod["containers"] + pod.get("initContainers", []):
            sc = c["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"] == {"drop": ["ALL"]}
            assert sc["readOnlyRootFilesystem"] is True
            assert c["resources"]["limits"] and c["resources"]["requests"]
            assert any(m["mountPath"] == "/tmp" for m in c["volumeMounts"])


def test_s57_postgres_backups(objs: list[dict[str, Any]], seed: Topology) -> None:
    full = find(objs, "ScheduledBackup", "postgres-backup-full", "orion-data")["spec"]
    assert full["schedule"] == "0 0 2 * * *" and full["cluster"] == {"name": "postgres"}  # CloudNativePG's cron has seconds first
    assert (full["method"], full["pluginConfiguration"]) == ("plugin", {"name": "barman-cloud.cloudnative-pg.io"})
    incremental = find(objs, "ScheduledBackup", "postgres-backup-incremental")["spec"]
    assert incremental["schedule"] == "0 0 */6 * * *" and incremental["method"] == "volumeSnapshot"
    assert find(objs, "Cluster", "postgres")["spec"]["backup"] == {"volumeSnapshot": {"className": "ssd", "online": True}}
    assert any("incremental backup of postgres" in s for s in codes(seed, "I1057"))
    assert not [o for o in of_kind(objs, "CronJob") if o["metadata"]["name"].startswith("postgres-")]


def test_s57_wal_is_archived_continuously(objs: list[dict[str, Any]]) -> None:
    plugins = find(objs, "Cluster", "postgres", "orion-data")["spec"]["plugins"]
    assert plugins == [{"name": "barman-cloud.cloudnative-pg.io", "isWALArchiver": True, "parameters": {"barmanObjectName": "s3-primary"}}]
    store = find(objs, "ObjectStore", "s3-primary", "orion-data")["spec"]["configuration"]
    assert store["destinationPath"] == "s3://orion-backups/orion-data" and store["endpointURL"] == "https://s3.us-east-1.amazonaws.com"
    assert store["wal"]["encryption"] == store["data"]["encryption"] == "AES256"  # S59 encrypted on
    assert not [o for o in of_kind(objs, "Deployment") if "wal" in o["metadata"]["name"]]


def test_s58_redis_rabbitmq_and_velero(objs: list[dict[str, Any]]) -> None:
    assert find(objs, "CronJob", "redis-backup-snapshot", "orion-data")["spec"]["schedule"] == "0 * * * *"
    assert find(objs, "CronJob", "rabbitmq-backup-definitions", "orion-data")["spec"]["schedule"] == "0 3 * * *"


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_s57_s58_backup_jobs_connect_to_an_address_that_serves_their_port(spec: Path) -> None:
    """BACKUP_HOST:BACKUP_PORT is a Service port, or a StatefulSet pod (via its headless Service) listening there."""
    objs = objects(load(spec))
    archivers = [o for o in of_kind(objs, "Deployment") if o["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "backup"]
    pods = [(o, o["spec"]["jobTemplate"]["spec"]["template"]["spec"]) for o in of_kind(objs, "CronJob")]
    pods += [(o, o["spec"]["template"]["spec"]) for o in archivers]
    for job, pod in pods:
        e = env(pod["containers"][0])
        host, port, ns = e["BACKUP_HOST"], int(e["BACKUP_PORT"]), job["metadata"]["namespace"]
        name = host.removesuffix(f".{ns}.svc.cluster.local")
        first, _, rest = name.partition(".")
        if rest:  # <statefulset>-<i>.<headless service>
            sts = find(objs, "StatefulSet", first.rsplit("-", 1)[0], ns)
            assert sts["spec"]["serviceName"] == rest and find(objs, "Service", rest, ns)["spec"]["clusterIP"] == "None"
        else:
            assert port in _service_ports(spec, name, ns), (job["metadata"]["name"], name, port)


def _service_ports(spec: Path, name: str, namespace: str) -> list[int]:
    """The ports of a Service ORION writes, or of one an operator makes (its pods' ports)."""
    plan = planned(load(spec))
    service = next(e for e in plan.entries if e.id.kind == "Service" and (e.namespace, e.name) == (namespace, name))
    if service.emitted:
        return [p["port"] for p in find(objects(load(spec)), "Service", name, namespace)["spec"]["ports"]]
    return [p.number for p in facts(_engine(service.of(Workload))).ports]


def _engine(w: Workload) -> Engine:
    assert w.engine is not None, w.name
    return w.engine


def test_s58_rabbitmq_definitions_backup_uses_the_management_api_with_the_default_user(objs: list[dict[str, Any]]) -> None:
    pod = find(objs, "CronJob", "rabbitmq-backup-definitions", "orion-data")["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    e = env(pod["containers"][0])
    assert (e["BACKUP_HOST"], e["BACKUP_PORT"]) == ("rabbitmq.orion-data.svc.cluster.local", "15672")  # the operator's Service
    (dump,) = pod["initContainers"]
    assert "rabbitmqadmin -H \"$BACKUP_HOST\" -P \"$BACKUP_PORT\" definitions export --file /backup/out/definitions.json" in dump["command"][-1]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["store-credentials"]["secret"]["secretName"] == "rabbitmq-default-user"  # keys username, password
    velero = find(objs, "Schedule", "orion-cluster", "velero")["spec"]
    assert velero["schedule"] == "0 1 * * *" and velero["template"]["storageLocation"] == "s3-primary"
    assert "orion-data" in velero["template"]["includedNamespaces"]


@pytest.mark.parametrize(
    ("code", "fact"), [("I1061", "cluster autoscaler"), ("I1060", "edge"), ("I1065", "application-layer"), ("I1063", "glacier"), ("I1062", "RTO")]
)
def test_facts_without_objects_are_reported(seed: Topology, code: str, fact: str) -> None:
    assert any(fact in s for s in codes(seed, code))


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_s21_s28_hpa_scales_the_deployment_its_service_sends_traffic_to(spec: Path) -> None:
    objs = objects(load(spec))
    for hpa in [*of_kind(objs, "HorizontalPodAutoscaler"), *of_kind(objs, "ScaledObject")]:  # KEDA makes a ScaledObject's HPA
        ns, ref = hpa["metadata"]["namespace"], hpa["spec"]["scaleTargetRef"]
        target = find(objs, ref["kind"], ref["name"], ns)
        selector = find(objs, "Service", hpa["metadata"]["name"], ns)["spec"]["selector"]
        assert _selects(selector, target["spec"]["template"]["metadata"]["labels"]), ref["name"]
        # kubectl apply would reset the HPA's count on every run (the active colour of a blue-green pair too)
        assert "replicas" not in target["spec"], ref["name"]


def test_s28_blue_green_instance_label_names_the_colour(objs: list[dict[str, Any]]) -> None:
    for colour in ("blue", "green"):
        d = find(objs, "Deployment", f"gateway-{colour}")
        assert d["metadata"]["labels"]["app.kubernetes.io/instance"] == f"gateway-{colour}"
        assert d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/instance"] == f"gateway-{colour}"


def test_s50_replicas_of_a_stateful_set_reach_each_other(objs: list[dict[str, Any]]) -> None:
    policy = find(objs, "NetworkPolicy", "postgres-ingress")
    peers = [f for rule in policy["spec"]["ingress"] for f in rule["from"]]
    itself = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "orion-data"}},
        "podSelector": {"matchLabels": {"cnpg.io/cluster": "postgres", "cnpg.io/podRole": "instance"}},
    }
    assert itself in peers


def test_an_http01_issuer_solves_through_the_gateways_http_listener(seed: Topology) -> None:
    """The seed's wildcard under HTTP-01 would be `check`'s E0243 (and no listen 80, E0238): tests/diagnostics."""
    http01 = attrs.evolve(seed, issuers=tuple(attrs.evolve(i, dns01=None) for i in seed.issuers))
    solvers = find(objects(http01), "ClusterIssuer", "letsencrypt")["spec"]["acme"]["solvers"]
    parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge", "namespace": "orion-ingress", "sectionName": "http"}
    assert solvers == [{"http01": {"gatewayHTTPRoute": {"parentRefs": [parent]}}}]
