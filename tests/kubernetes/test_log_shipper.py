"""The log shipper feeding Loki (issue 12): Grafana Alloy as a DaemonSet, on the seed and on
examples/monitoring.orion.

Upstream facts: github.com/grafana/alloy@ea30b1f7f5a1e46c647a5a62ee6a4579a8423b21 Dockerfile
(``ENTRYPOINT ["/bin/alloy"]``, ``CMD ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"]``,
root by default); grafana.com/docs/alloy/latest/collect/logs-in-kubernetes (the pipeline); Promtail is
end of life since 2026-03-02 (grafana.com/docs/loki/latest/send-data/promtail). No ``alloy`` binary is
packaged for Debian, PyPI or npm, so the configuration is checked against the model, not ``alloy validate``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from orion_dsl.lowering import names
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.pipeline import analyze_text
from tests.conftest import SEED_SPEC
from tests.support.netpol import Cluster, Pod
from tests.support.plans import planned

from .helpers import REPO_ROOT, find, load, main_container, objects, of_kind
from .test_image_contract import BY_IMAGE, repository

EXAMPLE = REPO_ROOT / "examples" / "monitoring.orion"
LOKI_NAMESPACE = {SEED_SPEC: "orion-monitoring", EXAMPLE: "monitoring"}


def _config(monitoring_objs: list[dict[str, Any]]) -> str:
    text: str = find(monitoring_objs, "ConfigMap", "alloy", "alloy")["data"]["config.alloy"]
    return text


def test_alloy_pushes_to_the_port_of_the_service_that_selects_loki(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> None:
    (url,) = re.findall(r'url = "([^"]+)"', _config(monitoring_objs))
    host, port, path = re.fullmatch(r"http://([^:/]+):(\d+)(/.*)", url).groups()  # type: ignore[union-attr]
    service_name, namespace = host.split(".")[:2]
    service = find(monitoring_objs, "Service", service_name, namespace)
    loki = find(monitoring_objs, "StatefulSet", "loki", LOKI_NAMESPACE[monitoring_spec])
    assert host == f"{service_name}.{namespace}.svc.cluster.local"
    assert service["spec"]["selector"].items() <= loki["spec"]["template"]["metadata"]["labels"].items()
    assert int(port) in {p["port"] for p in service["spec"]["ports"]}
    assert int(port) in {p["containerPort"] for p in main_container(loki)["ports"]}
    assert path == "/loki/api/v1/push"


def test_alloy_discovers_this_nodes_pods_and_reads_their_log_files(monitoring_objs: list[dict[str, Any]]) -> None:
    config = _config(monitoring_objs)
    for block in ('discovery.kubernetes "pods"', 'discovery.relabel "pods"', 'local.file_match "pods"', 'loki.source.file "pods"', 'loki.write "loki"'):
        assert block in config
    assert 'field = "spec.nodeName=" + sys.env("NODE_NAME")' in config
    assert 'replacement   = "/var/log/pods/*$1/*.log"' in config
    container = main_container(find(monitoring_objs, "DaemonSet", "alloy", "alloy"))
    assert {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}} in container["env"]


def test_alloy_runs_the_images_command_on_the_mounted_config_with_writable_storage(monitoring_objs: list[dict[str, Any]]) -> None:
    daemon_set = find(monitoring_objs, "DaemonSet", "alloy", "alloy")
    pod = daemon_set["spec"]["template"]["spec"]
    container = main_container(daemon_set)
    assert repository(container["image"]) == BY_IMAGE["grafana/alloy"].image  # its contract: test_image_contract.py
    assert "command" not in container  # the image's ENTRYPOINT /bin/alloy
    assert container["args"] == ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data", "--server.http.listen-addr=0.0.0.0:12345"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: volumes[m["name"]] for m in container["volumeMounts"]}
    assert mounts["/etc/alloy"]["configMap"]["name"] == "alloy"
    assert "emptyDir" in mounts["/var/lib/alloy/data"]
    assert mounts["/var/log/pods"]["hostPath"] == {"path": "/var/log/pods", "type": "Directory"}
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert all(m.get("readOnly") for m in container["volumeMounts"] if m["mountPath"] in ("/etc/alloy", "/var/log/pods"))
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/-/ready", "port": 12345}
    assert container["resources"]["limits"] and container["resources"]["requests"]


def test_only_alloys_own_namespace_is_privileged(monitoring_objs: list[dict[str, Any]]) -> None:
    levels = {o["metadata"]["name"]: o["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] for o in of_kind(monitoring_objs, "Namespace")}
    assert levels.pop("alloy") == "privileged"  # a hostPath volume: forbidden from baseline up
    assert set(levels.values()) == {"restricted"}
    assert [o["metadata"]["namespace"] for o in monitoring_objs if '"hostPath"' in json.dumps(o)] == ["alloy"]


def test_the_prerequisites_state_alloys_pod_security_level(monitoring_spec: Path) -> None:
    found = dict(prerequisites(planned(load(monitoring_spec))).pod_security)
    assert found["alloy"] == "privileged"


def test_alloy_may_discover_pods_nodes_and_namespaces_through_its_binding(monitoring_objs: list[dict[str, Any]]) -> None:
    binding = find(monitoring_objs, "ClusterRoleBinding", "alloy")
    role = find(monitoring_objs, "ClusterRole", binding["roleRef"]["name"])
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "alloy", "namespace": "alloy"}]
    daemon_set = find(monitoring_objs, "DaemonSet", "alloy", "alloy")
    assert daemon_set["spec"]["template"]["spec"]["serviceAccountName"] == "alloy"
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods", "nodes", "namespaces"], "verbs": ["get", "list", "watch"]}]


def _pods(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> tuple[Cluster, Pod, Pod, Pod]:
    alloy = find(monitoring_objs, "DaemonSet", "alloy", "alloy")
    loki = find(monitoring_objs, "StatefulSet", "loki", LOKI_NAMESPACE[monitoring_spec])
    grafana = find(monitoring_objs, "Deployment", "grafana", LOKI_NAMESPACE[monitoring_spec])
    shipper = Pod("alloy", "alloy-x", alloy["spec"]["template"]["metadata"]["labels"], {"http": (12345, "TCP")})
    store = Pod(LOKI_NAMESPACE[monitoring_spec], "loki-0", loki["spec"]["template"]["metadata"]["labels"], {"metrics": (3100, "TCP")})
    ui = Pod(LOKI_NAMESPACE[monitoring_spec], "grafana-0", grafana["spec"]["template"]["metadata"]["labels"], {"metrics": (3000, "TCP")})
    namespaces = {o["metadata"]["name"]: o["metadata"]["labels"] for o in of_kind(monitoring_objs, "Namespace")}
    return Cluster((shipper, store, ui), namespaces, of_kind(monitoring_objs, "NetworkPolicy")), shipper, store, ui


def test_alloy_reaches_loki_on_its_port_only(monitoring_objs: list[dict[str, Any]], monitoring_spec: Path) -> None:
    cluster, shipper, store, ui = _pods(monitoring_objs, monitoring_spec)
    assert cluster.allowed(shipper, store, 3100)
    assert not cluster.allowed(shipper, ui, 3000)
    assert not cluster.allowed(ui, shipper, 12345)


def test_without_logging_no_log_shipper_is_written() -> None:
    text = 'topology t { version "1.0.0" }\nnamespace a { service api { image "a/b:1"; port http 8080 } }\n'
    analysis = analyze_text(text, "t.orion")
    assert analysis.topology is not None
    assert [o for o in objects(analysis.topology) if o["metadata"].get("namespace") == names.LOG_SHIPPER_NAMESPACE or o["metadata"]["name"] == "alloy"] == []
