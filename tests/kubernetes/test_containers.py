"""What a container runs (command, args, image pull policy, its name, init containers), where its
variables come from (strings, Secret and ConfigMap keys, env_from, Service addresses) and the type
of the workload's Service (node port, load balancer, headless)."""

from __future__ import annotations

import functools
from typing import Any

import pytest

from orion_dsl.lowering import Plan, Role
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, main_container, objects

DIGEST = "sha256:" + "0123456789abcdef" * 4

SPEC = (
    NETWORK
    + f"""namespace shop {{
  subnet apps
  service front {{
    image "shop/front:1.0"
    container server
    command "/app/front"
    args "--listen=:8080", "--verbose"
    port http 80 -> 8080 node_port 30080
    service_type node-port
    env MODE "fast"
    env CATALOG_ADDR address catalog:grpc
    env DB_PASSWORD secret "orders-db" key "db-password"
    env THEME config-map "front-settings" key "theme"
    env_from config-map "front-flags"
    env_from secret "front-credentials"
    init migrate {{
      image "shop/migrate:1.0"
      command "/app/migrate"
      args "up"
      env DB_ADDR address db:sql
    }}
  }}
  service catalog {{ image "shop/catalog@{DIGEST}"; port grpc 3550; headless on }}
  service cart {{ image "shop/cart:1.0"; image_pull_policy never; port grpc 7070 -> 7000 }}
  service balancer {{ image "shop/edge:1.0"; port http 8080; service_type load-balancer }}
  statefulset db {{ image "postgres:16"; port sql 5432; storage data 1Gi at "/var/lib/postgresql/data" }}
}}
"""
)


@functools.cache
def _plan() -> Plan:
    analysis = analyze_text(SPEC)
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return analysis.plan


def _objects() -> list[dict[str, Any]]:
    return objects(_plan().topology)


def _pod(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = find(_objects(), "Deployment", name)["spec"]["template"]["spec"]
    return spec


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_command_and_args_become_the_containers_command_and_args() -> None:
    server = main_container(find(_objects(), "Deployment", "front"))
    assert (server["command"], server["args"]) == (["/app/front"], ["--listen=:8080", "--verbose"])


def test_the_main_container_takes_its_container_name() -> None:
    assert main_container(find(_objects(), "Deployment", "front"))["name"] == "server"


@pytest.mark.parametrize(("workload", "policy"), [("front", "Always"), ("catalog", "IfNotPresent"), ("cart", "Never")])
def test_a_tag_is_always_pulled_a_digest_if_not_present_and_a_written_policy_wins(workload: str, policy: str) -> None:
    assert main_container(find(_objects(), "Deployment", workload))["imagePullPolicy"] == policy


def test_init_containers_run_hardened_and_mounted_like_the_main_container() -> None:
    pod = _pod("front")
    (init,) = pod["initContainers"]
    main = pod["containers"][0]
    assert (init["name"], init["command"], init["args"]) == ("migrate", ["/app/migrate"], ["up"])
    assert init["securityContext"] == main["securityContext"] and init["securityContext"]["readOnlyRootFilesystem"] is True
    assert init["resources"] == main["resources"] and init["volumeMounts"] == main["volumeMounts"]
    assert "ports" not in init and "livenessProbe" not in init


def test_env_reads_secret_and_config_map_keys_that_must_exist() -> None:
    env = _env(main_container(find(_objects(), "Deployment", "front")))
    assert env["MODE"] == "fast"
    assert env["DB_PASSWORD"] == {"secretKeyRef": {"name": "orders-db", "key": "db-password", "optional": False}}
    assert env["THEME"] == {"configMapKeyRef": {"name": "front-settings", "key": "theme", "optional": False}}


def test_env_from_reads_every_key_of_its_config_maps_and_secrets() -> None:
    assert main_container(find(_objects(), "Deployment", "front"))["envFrom"] == [
        {"configMapRef": {"name": "front-flags", "optional": False}},
        {"secretRef": {"name": "front-credentials", "optional": False}},
    ]


def test_an_address_is_the_services_dns_name_and_service_port() -> None:
    pod = _pod("front")
    assert _env(pod["containers"][0])["CATALOG_ADDR"] == "catalog.shop.svc.cluster.local:3550"
    assert _env(pod["initContainers"][0])["DB_ADDR"] == "db.shop.svc.cluster.local:5432"


def test_an_address_declares_the_call_its_value_names() -> None:
    graph = _plan().topology.allow_graph
    for target, port in (("catalog", 3550), ("db", 5432)):
        edge = graph.reach("front", target, port)
        assert edge is not None and edge.rule == "call", target
    egress = find(_objects(), "NetworkPolicy", "front-egress")["spec"]["egress"]
    pods = [(r["to"][0].get("podSelector", {}).get("matchLabels", {}), r["ports"][0]["port"]) for r in egress]
    opened = {(labels.get("app.kubernetes.io/name"), port) for labels, port in pods}
    assert {("catalog", 3550), ("db", 5432)} <= opened


def test_the_secrets_and_config_maps_env_reads_are_prerequisites() -> None:
    found = prerequisites(_plan())
    secrets = {s.name: s.keys for s in found.secrets}
    assert secrets["orders-db"] == ("db-password",) and secrets["front-credentials"] == ()
    provided = {(p.kind, p.name) for p in found.provided}
    assert {("ConfigMap", "front-settings"), ("ConfigMap", "front-flags")} <= provided
    assert {r.name for r in _plan().get(Role.DEPLOYMENT, _plan().topology.workload("front")).refs} >= {"orders-db", "front-settings", "front-flags"}


def test_a_node_port_service_carries_the_node_port_asked_for() -> None:
    spec = find(_objects(), "Service", "front")["spec"]
    assert spec["type"] == "NodePort" and spec["ports"] == [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP", "nodePort": 30080}]


def test_a_load_balancer_service_leaves_the_node_port_to_kubernetes() -> None:
    spec = find(_objects(), "Service", "balancer")["spec"]
    assert spec["type"] == "LoadBalancer" and "nodePort" not in spec["ports"][0]


def test_a_headless_service_has_no_cluster_ip_and_lists_only_ready_pods() -> None:
    spec = find(_objects(), "Service", "catalog")["spec"]
    assert spec["clusterIP"] == "None" and spec["type"] == "ClusterIP" and "publishNotReadyAddresses" not in spec


def test_a_statefulset_keeps_its_governing_headless_service() -> None:
    statefulset = find(_objects(), "StatefulSet", "db")
    assert statefulset["spec"]["serviceName"] == "db-headless"
    assert "clusterIP" not in find(_objects(), "Service", "db")["spec"]


@pytest.mark.parametrize(
    ("kind", "name"), [("Deployment", "front"), ("Deployment", "catalog"), ("Service", "front"), ("Service", "balancer"), ("Service", "catalog")]
)
def test_the_objects_pass_the_api_servers_schema(kind: str, name: str) -> None:
    assert validate_core(find(_objects(), kind, name), NEWEST_K8S) == []


def test_only_a_workload_that_reads_a_secret_into_its_environment_skips_the_scanners_secret_env_check() -> None:
    skip = find(_objects(), "Deployment", "front")["metadata"]["annotations"]["checkov.io/skip1"]
    assert skip.startswith("CKV_K8S_35=")
    assert "annotations" not in find(_objects(), "Deployment", "catalog")["metadata"]
