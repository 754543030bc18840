"""Monitoring that starts and works (issue 12): the Prometheus Operator's Prometheus and Alertmanager,
Grafana's data sources and Loki's configuration, on the seed and on examples/monitoring.orion.

Facts about the operator's pods are from github.com/prometheus-operator/prometheus-operator@
6adcebc5076c34f4f55f8f5f7b1e528929373ac7 (v0.93.0); about the images, from orion_dsl/images.py's sources.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from orion_dsl.receivers import RECEIVERS
from tests.conftest import SEED_SPEC
from tests.support.netpol import Cluster, Pod
from tests.support.plans import planned
from tests.support.schemas import validate_crd

from .helpers import REPO_ROOT, find, load, main_container, objects, of_kind, rendered

EXAMPLE = REPO_ROOT / "examples" / "monitoring.orion"
SPECS = [SEED_SPEC, EXAMPLE]
MONITORING = {SEED_SPEC: "orion-monitoring", EXAMPLE: "monitoring"}


def _operator_pod_labels(kind: str, name: str, cr: dict[str, Any]) -> dict[str, str]:
    """The labels the operator puts on a Prometheus's or Alertmanager's pods: makeSelectorLabels
    (pkg/prometheus/server/operator.go, pkg/alertmanager/operator.go) over spec.podMetadata.labels."""
    own = {
        "app.kubernetes.io/name": kind,
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/instance": name,
        kind: name,
    }
    if kind == "prometheus":
        own["operator.prometheus.io/name"] = name
    return {**cr["spec"].get("podMetadata", {}).get("labels", {}), **own}


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a matchLabels/matchExpressions(In) selector selects these labels."""
    if not all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()):
        return False
    return all(e["operator"] == "In" and labels.get(e["key"]) in e["values"] for e in selector.get("matchExpressions", []))


def test_every_monitoring_custom_resource_validates(monitoring_objs: list[dict[str, Any]]) -> None:
    kinds = ("Prometheus", "Alertmanager", "AlertmanagerConfig", "ServiceMonitor", "PodMonitor", "PrometheusRule")
    found = [o for o in monitoring_objs if o["kind"] in kinds]
    assert {o["kind"] for o in found} >= {"Prometheus", "Alertmanager", "AlertmanagerConfig", "PrometheusRule"}
    assert {o["metadata"]["name"]: validate_crd(o) for o in found} == {o["metadata"]["name"]: [] for o in found}


def test_prometheus_selects_every_monitor_and_rule_orion_writes(monitoring_objs: list[dict[str, Any]]) -> None:
    (prometheus,) = of_kind(monitoring_objs, "Prometheus")
    monitoring_spec = prometheus["spec"]
    namespaces = {
        o["metadata"]["name"]: o["metadata"]["labels"] | {"kubernetes.io/metadata.name": o["metadata"]["name"]} for o in of_kind(monitoring_objs, "Namespace")
    }
    for kind, field in (("ServiceMonitor", "serviceMonitor"), ("PodMonitor", "podMonitor"), ("PrometheusRule", "rule")):
        for o in of_kind(monitoring_objs, kind):
            assert _selects(monitoring_spec[f"{field}Selector"], o["metadata"]["labels"]), (kind, o["metadata"]["name"])
            assert _selects(monitoring_spec[f"{field}NamespaceSelector"], namespaces[o["metadata"]["namespace"]]), (kind, o["metadata"]["name"])


def test_prometheus_sends_alerts_to_the_alertmanagers_operated_service(monitoring_objs: list[dict[str, Any]]) -> None:
    (prometheus,) = of_kind(monitoring_objs, "Prometheus")
    (alertmanager,) = of_kind(monitoring_objs, "Alertmanager")
    # pkg/alertmanager/statefulset.go: defaultOperatedServiceName, and the web port's default name
    namespace = alertmanager["metadata"]["namespace"]
    assert prometheus["spec"]["alerting"]["alertmanagers"] == [{"namespace": namespace, "name": "alertmanager-operated", "port": "web", "apiVersion": "v2"}]


def test_the_alertmanager_is_configured_by_the_alertmanagerconfig_orion_writes_beside_it(monitoring_objs: list[dict[str, Any]]) -> None:
    # Documentation/developer/alerting.md, "Using AlertmanagerConfig for global configuration": the
    # AlertmanagerConfig spec.alertmanagerConfiguration names, in the Alertmanager's namespace.
    (alertmanager,) = of_kind(monitoring_objs, "Alertmanager")
    (config,) = of_kind(monitoring_objs, "AlertmanagerConfig")
    assert alertmanager["spec"]["alertmanagerConfiguration"] == {"name": config["metadata"]["name"]}
    assert config["metadata"]["namespace"] == alertmanager["metadata"]["namespace"]


def test_the_alert_receivers_url_or_key_is_read_from_a_secret_not_written(monitoring_objs: list[dict[str, Any]]) -> None:
    """The seed pages PagerDuty, examples/monitoring.orion posts to Slack: either way the receiver names
    its Secret key, which the operator reads (routingKey, apiURL), and holds no URL or key itself."""
    (config,) = of_kind(monitoring_objs, "AlertmanagerConfig")
    (receiver,) = config["spec"]["receivers"]
    (kind,) = [RECEIVERS[k] for k in RECEIVERS if RECEIVERS[k].configs in receiver]
    (settings,) = receiver[kind.configs]
    assert set(settings) == {kind.secret_field, "sendResolved"}
    assert settings[kind.secret_field] == {"name": f"{config['metadata']['name']}-receiver", "key": kind.key}
    assert of_kind(monitoring_objs, "Secret") == []


def test_the_seed_pages_through_pagerduty_with_the_routing_key_of_the_receiver_secret(seed: Topology) -> None:
    (config,) = of_kind(objects(seed), "AlertmanagerConfig")
    (receiver,) = config["spec"]["receivers"]
    assert receiver["pagerdutyConfigs"] == [{"routingKey": {"name": "alertmanager-receiver", "key": "routing-key"}, "sendResolved": True}]
    calls = {(e.target.name, e.port.number) for e in seed.allow_graph.edges if e.source.name == "alertmanager" and e.target.kind == "external"}
    assert calls == {("pagerduty", 443)}  # W0312 otherwise: no alert would leave the cluster


def test_the_receiver_secret_is_a_listed_prerequisite(seed: Topology) -> None:
    needs = prerequisites(planned(seed))
    (secret,) = [s for s in needs.secrets if s.name == "alertmanager-receiver"]
    assert (secret.namespace, secret.keys) == ("orion-monitoring", ("routing-key",))


def test_prometheus_may_discover_targets_in_every_namespace(monitoring_objs: list[dict[str, Any]]) -> None:
    (prometheus,) = of_kind(monitoring_objs, "Prometheus")
    account = prometheus["spec"]["serviceAccountName"]
    subject = {"kind": "ServiceAccount", "name": account, "namespace": prometheus["metadata"]["namespace"]}
    (binding,) = [b for b in of_kind(monitoring_objs, "ClusterRoleBinding") if subject in b["subjects"]]
    assert binding["subjects"] == [subject]
    role = find(monitoring_objs, "ClusterRole", binding["roleRef"]["name"])
    granted = {(g, r, v) for rule in role["rules"] for g in rule.get("apiGroups", [""]) for r in rule.get("resources", []) for v in rule["verbs"]}
    for group, resource in (("", "services"), ("", "endpoints"), ("", "pods"), ("", "nodes"), ("discovery.k8s.io", "endpointslices")):
        assert {(group, resource, verb) for verb in ("get", "list", "watch")} <= granted
    assert {"nonResourceURLs": ["/metrics"], "verbs": ["get"]} in role["rules"]
    assert prometheus["spec"]["automountServiceAccountToken"] is True


def test_operator_pods_run_as_the_images_user_with_their_claims(monitoring_objs: list[dict[str, Any]]) -> None:
    for kind in ("Prometheus", "Alertmanager"):
        (cr,) = of_kind(monitoring_objs, kind)
        # Documentation/platform/storage.md: the images' nobody user owns the mounted claim
        assert cr["spec"]["securityContext"] | {"seccompProfile": None} == {
            "runAsNonRoot": True,
            "runAsUser": 65534,
            "runAsGroup": 65534,
            "fsGroup": 65534,
            "seccompProfile": None,
        }
        claim = cr["spec"]["storage"]["volumeClaimTemplate"]["spec"]
        assert claim["storageClassName"] == "ssd" and claim["resources"]["requests"]["storage"]


def _operator_pods(monitoring_objs: list[dict[str, Any]]) -> dict[str, Pod]:
    """The Prometheus's and the Alertmanager's pods as the operator labels them, with their ports."""
    pods: dict[str, Pod] = {}
    for kind, ports in (("Prometheus", {"web": (9090, "TCP")}), ("Alertmanager", {"web": (9093, "TCP"), "mesh-tcp": (9094, "TCP"), "mesh-udp": (9094, "UDP")})):
        (cr,) = of_kind(monitoring_objs, kind)
        name = cr["metadata"]["name"]
        pods[kind] = Pod(cr["metadata"]["namespace"], f"{kind.lower()}-{name}-0", _operator_pod_labels(kind.lower(), name, cr), ports)
    return pods


def _cluster_of_operator_pods(monitoring_objs: list[dict[str, Any]]) -> tuple[Cluster, dict[str, Pod]]:
    pods = _operator_pods(monitoring_objs)
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(monitoring_objs, "Namespace")}
    return Cluster(pods.values(), namespaces, of_kind(monitoring_objs, "NetworkPolicy")), pods


def _cluster(monitoring_objs: list[dict[str, Any]]) -> tuple[Cluster, dict[str, Pod]]:
    """The monitoring pods as the operator and ORION label them."""
    pods = _operator_pods(monitoring_objs)
    grafana = find(monitoring_objs, "Deployment", "grafana")
    template = grafana["spec"]["template"]
    pods["Grafana"] = Pod(grafana["metadata"]["namespace"], "grafana-0", template["metadata"]["labels"], {"metrics": (3000, "TCP")})
    loki = find(monitoring_objs, "StatefulSet", "loki")
    pods["Loki"] = Pod(loki["metadata"]["namespace"], "loki-0", loki["spec"]["template"]["metadata"]["labels"], {"metrics": (3100, "TCP")})
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(monitoring_objs, "Namespace")}
    return Cluster(pods.values(), namespaces, of_kind(monitoring_objs, "NetworkPolicy")), pods


def test_prometheus_reaches_alertmanager_on_its_web_port_only(monitoring_objs: list[dict[str, Any]]) -> None:
    cluster, pods = _cluster(monitoring_objs)
    assert cluster.allowed(pods["Prometheus"], pods["Alertmanager"], 9093)
    assert not cluster.allowed(pods["Prometheus"], pods["Alertmanager"], 9094)
    assert not cluster.allowed(pods["Alertmanager"], pods["Prometheus"], 9090)


def test_grafana_reaches_its_data_sources_and_prometheus_scrapes_both(monitoring_objs: list[dict[str, Any]]) -> None:
    cluster, pods = _cluster(monitoring_objs)
    assert cluster.allowed(pods["Grafana"], pods["Prometheus"], 9090)
    assert cluster.allowed(pods["Grafana"], pods["Loki"], 3100)
    assert cluster.allowed(pods["Prometheus"], pods["Grafana"], 3000)
    assert cluster.allowed(pods["Prometheus"], pods["Loki"], 3100)


def test_the_services_clients_call_select_the_operators_pods(monitoring_objs: list[dict[str, Any]]) -> None:
    for kind, port in (("Prometheus", 9090), ("Alertmanager", 9093)):
        (cr,) = of_kind(monitoring_objs, kind)
        name = cr["metadata"]["name"]
        service = find(monitoring_objs, "Service", name, cr["metadata"]["namespace"])
        assert _selects({"matchLabels": service["spec"]["selector"]}, _operator_pod_labels(kind.lower(), name, cr))
        assert [p["port"] for p in service["spec"]["ports"]] == [port]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian package prometheus) is not installed")
def test_promtool_accepts_the_alert_rules(monitoring_objs: list[dict[str, Any]], tmp_path: Path) -> None:
    (rules,) = of_kind(monitoring_objs, "PrometheusRule")
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(rules["spec"]), encoding="utf-8")
    result = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _mounted(workload: dict[str, Any], config_map: str) -> str:
    """Where a workload's main container mounts a ConfigMap."""
    volumes = {v["name"]: v for v in workload["spec"]["template"]["spec"]["volumes"]}
    mounts = main_container(workload)["volumeMounts"]
    return next(m["mountPath"] for m in mounts if volumes[m["name"]].get("configMap", {}).get("name") == config_map)


def test_grafana_provisions_prometheus_and_loki_at_their_service_urls(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> None:
    namespace = MONITORING[monitoring_spec]
    grafana = find(monitoring_objs, "Deployment", "grafana", namespace)
    # grafana.com/docs/grafana/latest/setup-grafana/configure-docker: GF_PATHS_PROVISIONING=/etc/grafana/provisioning
    assert _mounted(grafana, "grafana-datasources") == "/etc/grafana/provisioning/datasources"
    provisioned = yaml.safe_load(find(monitoring_objs, "ConfigMap", "grafana-datasources", namespace)["data"]["datasources.yaml"])
    assert provisioned["apiVersion"] == 1
    urls = {d["type"]: d["url"] for d in provisioned["datasources"]}
    assert urls == {"prometheus": f"http://prometheus.{namespace}.svc.cluster.local:9090", "loki": f"http://loki.{namespace}.svc.cluster.local:3100"}
    for service, port in (("prometheus", 9090), ("loki", 3100)):
        assert port in [p["port"] for p in find(monitoring_objs, "Service", service, namespace)["spec"]["ports"]]


def test_grafana_writes_only_to_volumes(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> None:
    grafana = find(monitoring_objs, "Deployment", "grafana", MONITORING[monitoring_spec])
    container = main_container(grafana)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert {"/var/lib/grafana", "/var/log/grafana"} <= writable  # GF_PATHS_DATA, GF_PATHS_LOGS
    env = {e["name"]: e.get("value") for e in container["env"]}
    password = env["GF_SECURITY_ADMIN_PASSWORD__FILE"]
    secrets = {v["name"] for v in grafana["spec"]["template"]["spec"]["volumes"] if "secret" in v}
    assert any(m["name"] in secrets and password.startswith(m["mountPath"] + "/") for m in container["volumeMounts"])


def test_loki_reads_a_single_binary_configuration_on_its_claim(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> None:
    namespace = MONITORING[monitoring_spec]
    loki = find(monitoring_objs, "StatefulSet", "loki", namespace)
    # github.com/grafana/loki cmd/loki/Dockerfile: CMD -config.file=/etc/loki/local-config.yaml, USER 10001
    assert _mounted(loki, "loki-config") == "/etc/loki"
    assert main_container(loki)["securityContext"]["runAsUser"] == 10001
    config = yaml.safe_load(find(monitoring_objs, "ConfigMap", "loki-config", namespace)["data"]["local-config.yaml"])
    assert config["auth_enabled"] is False
    claim = next(m["mountPath"] for m in main_container(loki)["volumeMounts"] if m["name"] == loki["spec"]["volumeClaimTemplates"][0]["metadata"]["name"])
    assert config["common"]["path_prefix"] == claim
    assert config["common"]["storage"]["filesystem"] == {"chunks_directory": f"{claim}/chunks", "rules_directory": f"{claim}/rules"}
    assert config["common"]["replication_factor"] == 1 and config["common"]["ring"] == {"kvstore": {"store": "inmemory"}}
    (schema,) = config["schema_config"]["configs"]
    assert (schema["store"], schema["object_store"], schema["schema"]) == ("tsdb", "filesystem", "v13")
    assert config["server"]["http_listen_port"] == 3100


def test_loki_configuration_keys_are_loki_3s() -> None:
    """Only top-level blocks of Loki 3's configuration reference (grafana.com/docs/loki/latest/configure)."""
    config = yaml.safe_load(find(objects(load(EXAMPLE)), "ConfigMap", "loki-config", "monitoring")["data"]["local-config.yaml"])
    assert set(config) <= {"auth_enabled", "server", "common", "schema_config", "analytics", "limits_config", "ruler", "storage_config"}


ALONE = """
topology t { version "1.0.0" }
namespace monitoring {
  statefulset prometheus { engine prometheus-operator; image "quay.io/prometheus/prometheus:v3.13.2"; storage data 1Gi at "/prometheus" }
}
monitoring { scraper prometheus }
"""


def test_without_an_alertmanager_prometheus_sends_alerts_nowhere() -> None:
    analysis = analyze_text(ALONE, "t.orion")
    topology: Topology | None = analysis.topology
    assert topology is not None, analysis.diagnostics
    (prometheus,) = of_kind(objects(topology), "Prometheus")
    assert "alerting" not in prometheus["spec"]


def test_the_seed_states_what_its_monitoring_needs_from_the_cluster(seed: Topology) -> None:
    (summary,) = [d.summary for d in rendered(seed).diagnostics if d.code == "I1080"]
    assert "Prometheus Operator 0.93" in summary
    assert "kube-state-metrics, whose kube_* metrics PodCrashLooping reads" in summary
    assert "log shipper" not in summary  # ORION writes it (tests/kubernetes/test_log_shipper.py)
    assert "the Secret orion-monitoring/alertmanager-receiver with key routing-key" in summary


def test_a_topology_without_monitoring_needs_nothing_for_it() -> None:
    analysis = analyze_text('topology t { version "1.0.0" }\nnamespace a { service api { image "a/b:1"; port http 8080 } }\n', "t.orion")
    assert analysis.topology is not None
    assert [d for d in rendered(analysis.topology).diagnostics if d.code == "I1080"] == []


def test_alertmanager_replicas_gossip_and_prometheus_replicas_do_not_talk() -> None:
    edges = {(e.source.name, e.target.name, e.port.number, e.port.protocol) for e in load(EXAMPLE).allow_graph.edges if e.rule == "peer"}
    # pkg/alertmanager/statefulset.go: cluster.peer on 9094, TCP and UDP
    assert {("alertmanager", "alertmanager", 9094, "TCP"), ("alertmanager", "alertmanager", 9094, "UDP")} <= edges
    assert not any(source == "prometheus" for source, *_ in edges)


def test_the_allow_graph_says_prometheus_reaches_alertmanager_to_send_alerts() -> None:
    (edge,) = [e for e in load(EXAMPLE).allow_graph.edges if (e.source.name, e.target.name) == ("prometheus", "alertmanager")]
    assert (edge.port.number, edge.rule) == (9093, "alerting")


def test_prometheus_reaches_an_alertmanager_it_does_not_scrape() -> None:
    monitoring_spec = ALONE.replace(
        "}\nmonitoring { scraper prometheus }",
        '  statefulset am { engine prometheus-operator; image "quay.io/prometheus/alertmanager:v0.33.1"; scrape off; storage data 1Gi at "/alertmanager" }\n'
        "}\nmonitoring { scraper prometheus; alerting am }",
    )
    analysis = analyze_text(monitoring_spec, "t.orion")
    assert analysis.topology is not None, analysis.diagnostics
    monitoring_objs = objects(analysis.topology)
    assert of_kind(monitoring_objs, "PodMonitor") == []
    cluster, pods = _cluster_of_operator_pods(monitoring_objs)
    assert cluster.allowed(pods["Prometheus"], pods["Alertmanager"], 9093)
