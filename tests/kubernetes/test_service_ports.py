"""A Service port different from the container port (``port http 80 -> 8080``): callers through
the Service (Ingress backends, the Service itself) use 80, pod-to-pod rules (NetworkPolicies,
probes, the container) use 8080."""

from __future__ import annotations

import functools
from typing import Any

from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, main_container, objects

SPEC = (
    NETWORK
    + """ingress edge { namespace web; host "shop.example.com" -> front:http }
namespace web {
  subnet apps
  service front { image "shop/front:1.0"; port http 80 -> 8080; calls api:80 }
  service api { image "shop/api:1.0"; port http 80 -> 8080; port admin 9000 }
  service gateway {
    image "shop/gateway:1.0"
    port http 8000
    volume config config-map "gateway-config" at "/etc/gateway"
    route "/api/*" -> api:http
  }
}
namespace data {
  subnet apps
  service reader { image "shop/reader:1.0"; port http 8080; calls postgres:sql }
  statefulset postgres {
    image "postgres:16-alpine"
    port sql 5433 -> 5432
    storage data 1Gi at "/var/lib/postgresql/data"
    database { pooler pgbouncer { image "bitnami/pgbouncer:1.23.1" } }
  }
}
"""
)


@functools.cache
def _topology() -> Topology:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    return analysis.topology


def _objects() -> list[dict[str, Any]]:
    return objects(_topology())


def test_the_service_maps_its_port_to_the_container_port() -> None:
    service = find(_objects(), "Service", "api")
    assert service["spec"]["ports"][0] == {"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}
    assert validate_core(service, NEWEST_K8S) == []


def test_the_container_listens_on_the_container_port() -> None:
    deployment = find(_objects(), "Deployment", "api")
    assert main_container(deployment)["ports"][0] == {"name": "http", "containerPort": 8080, "protocol": "TCP"}
    assert validate_core(deployment, NEWEST_K8S) == []


def test_the_network_policy_allows_the_container_port() -> None:
    ingress = find(_objects(), "NetworkPolicy", "api-ingress")["spec"]["ingress"]
    assert [r["ports"] for r in ingress] == [[{"port": 8080, "protocol": "TCP"}]] * 2  # from front and from the gateway
    egress = find(_objects(), "NetworkPolicy", "front-egress")["spec"]["egress"]
    assert [{"port": 8080, "protocol": "TCP"}] in [r["ports"] for r in egress]


def test_a_reference_by_service_port_names_the_same_port() -> None:
    front = _topology().workload("front")
    assert front is not None and [(c.target, c.port.name) for c in front.calls] == [("api", "http")]


def test_the_ingress_backend_uses_the_service_port() -> None:
    rule = find(_objects(), "HTTPRoute", "edge-front-http")["spec"]["rules"][0]
    assert rule["backendRefs"] == [{"name": "front", "port": 80}]


def test_the_gateway_route_url_uses_the_service_port() -> None:
    routes = find(_objects(), "ConfigMap", "gateway-config")["data"]["routes.yaml"]
    assert 'url: "http://api.web.svc.cluster.local:80"' in routes


def test_the_pooler_listens_on_the_container_port_and_connects_to_the_service_port() -> None:
    ini = find(_objects(), "ConfigMap", "pgbouncer-config")["data"]["pgbouncer.ini"]
    assert "listen_port = 5432" in ini
    assert "host=postgres-primary.data.svc.cluster.local port=5433" in ini
    assert find(_objects(), "Service", "postgres-primary")["spec"]["ports"][0]["port"] == 5433
