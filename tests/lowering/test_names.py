"""Every naming function of the lowering (orion_dsl/lowering/names.py) on model fixtures, and why names are checked for collisions."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from orion_dsl.lowering import lower, names
from orion_dsl.model import RouteRules, TrafficMatch, Version, Volume
from tests.support.models import (
    SPAN,
    backup,
    call,
    database,
    egress_gateway,
    external,
    ingress,
    issuer,
    mesh,
    namespace,
    port,
    shared,
    storage,
    topology,
    workload,
)

API = workload("api", namespace="web", ports=[port("http", 8080)])
EXTERNAL = attrs.evolve(namespace("shared"), external=True)
DB = workload("orders-db", namespace="data", kind="statefulset", ports=[port("sql", 5432)], database=database(read_replicas=2))
FULL = backup("store", "full")
WAL = backup("store", "wal", continuous=True)
EDGE = ingress("edge")
NGINX = ingress("edge", controller="ingress-nginx")
ISSUER = issuer("letsencrypt", dns01="cloudflare")
SHOP = topology(workloads=[API, DB], name="shop")
PG = attrs.evolve(DB, engine="cloudnative-pg")
BOUNCER = attrs.evolve(workload("bouncer", namespace="data"), pooler_of="orders-db", engine="cloudnative-pg")
BROKER = attrs.evolve(workload("queue", namespace="data", kind="statefulset"), engine="rabbitmq-operator")
SCRAPER = attrs.evolve(workload("prom", namespace="monitoring", kind="statefulset"), engine="prometheus-operator")
V2 = Version("v2", "shop/api-v2:1.0", 1, span=SPAN)
CACHE = attrs.evolve(workload("cache", namespace="data", kind="statefulset"), engine="redis-operator")

#: (naming function, its arguments, the name it gives): every public function of names.py, at least once.
CASES: list[tuple[Callable[..., Any], tuple[Any, ...], object]] = [
    (names.service, (API,), "api"),
    (names.service_account, (API,), "api"),
    (names.service_account, (attrs.evolve(API, service_account="shop"),), "shop"),
    (names.namespace_pods, (None,), {}),
    (names.namespace_pods, (EXTERNAL,), {"app.kubernetes.io/managed-by": "orion"}),
    (names.isolated_pods, (None,), {}),
    (names.isolated_pods, (EXTERNAL,), {"app.kubernetes.io/managed-by": "orion"}),
    (names.isolated_pods, (attrs.evolve(EXTERNAL, external=False, default_deny="orion"),), {"app.kubernetes.io/managed-by": "orion"}),
    (names.isolated_pods, (attrs.evolve(EXTERNAL, external=False),), {}),
    (names.headless_service, (DB,), "orders-db-headless"),
    (names.primary_service, (DB,), "orders-db-primary"),
    (names.replica_service, (DB, 2), "orders-db-replica-2"),
    (names.colour_deployment, (API, "green"), "api-green"),
    (names.version_deployment, (API, V2), "api-v2"),
    (names.version_service, (API, V2), "api-v2"),
    (names.claim, (API, storage("data")), "api-data"),
    (names.template_claim, (DB, storage("data"), 2), "data-orders-db-2"),
    (names.reader, (shared("settings"),), "settings-reader"),
    (names.ingress_policy, ("api",), "api-ingress"),
    (names.egress_policy, ("api",), "api-egress"),
    (names.ingress_controller, (EDGE,), "edge-istio"),
    (names.ingress_controller, (NGINX,), "edge-controller"),
    (names.ingress_controller_pods, (EDGE,), {"gateway.networking.k8s.io/gateway-name": "edge"}),
    (names.ingress_controller_pods, (NGINX,), {"app.kubernetes.io/name": "ingress-nginx"}),
    (names.ingress, (NGINX, "web"), "edge-web"),
    (names.certificate, (NGINX, "web"), "edge-web-tls"),
    (names.certificate, (EDGE, "web"), "edge-tls"),
    (names.gateway_options, (EDGE,), "edge-options"),
    (names.http_route, (EDGE, "api", "http"), "edge-api-http"),
    (names.https_redirect, (EDGE,), "edge-https-redirect"),
    (names.ingress_balance, (EDGE, "api"), "edge-api"),
    (names.gateway_filters, (EDGE,), "edge-http-filters"),
    (names.gateway_waf, (EDGE,), "edge-waf"),
    (names.account_key, (ISSUER,), "letsencrypt-account-key"),
    (names.dns01_token, (ISSUER,), "letsencrypt-cloudflare-api-token"),
    (names.alert_rules, (SHOP,), "shop-alerts"),
    (names.backup_pods, (DB,), "orders-db-backup"),
    (names.backup_job, (DB, FULL), "orders-db-backup-full"),
    (names.archiver, (DB, WAL), "orders-db-wal-archive"),
    (names.backup_egress_policy, (DB,), "orders-db-backup-egress"),
    (names.from_backup_policy, (DB,), "orders-db-from-backup"),
    (names.from_log_shipper_policy, (DB,), "orders-db-from-alloy"),
    (names.backup_credentials, ("store",), "store-credentials"),
    (names.cluster_backup, (SHOP,), "shop-cluster"),
    (names.backup_storage_location, ("store",), "store"),
    (names.volume_snapshot_location, ("store",), "store"),
    (names.allow_callers, (API,), "api-allow"),
    (names.ingress_access, (EDGE,), "edge-istio-allow"),
    (names.jwt_authentication, (API,), "api-jwt"),
    (names.require_jwt, (API,), "api-require-jwt"),
    (names.dns_label, ("*.Example.com",), "wildcard-example-com"),
    (names.dns_label, ("/api/orders/",), "api-orders"),
    (names.dns_label, ("a" * 62 + ".one.example.com",), "a" * 54 + "-" + names.bounded_digest("a" * 62 + "-one-example-com")),
    (names.bounded, ("short",), "short"),
    (names.bounded_digest, ("x",), "2d711642"),
    (names.gateway_service_entry, ("sendgrid",), "sendgrid-gateway"),
    (names.egress_route, ("*.Example.com",), "egress-wildcard-example-com"),
    (names.egress_subset, ("api.stripe.com", 443), "api-stripe-com-443"),
    (names.egress_server_port, ("api.stripe.com", 443), "tls-api-stripe-com-443"),
    (names.route_name, ("gateway", "/api/orders/*"), "gateway-api-orders"),
    (names.route_name, ("gateway", "/*"), "gateway-root"),
    (names.idempotent_route_name, ("gateway-api-orders",), "gateway-api-orders-idempotent"),
    (names.service_host, ("api", "web"), "api.web.svc.cluster.local"),
    (names.pod_host, (DB, 1), "orders-db-1.orders-db-headless"),
    (names.principal, ("api", "web"), "cluster.local/ns/web/sa/api"),
    (names.pod_selector, (API,), {"app.kubernetes.io/name": "api"}),
    (names.pod_selector, (API, "blue"), {"app.kubernetes.io/name": "api", "orion.dev/colour": "blue"}),
    (names.pooler_config, ("pgbouncer",), "pgbouncer-config"),
    (names.hba_config, (DB,), "orders-db-hba"),
    (names.cluster_state_monitor, (), "kube-state-metrics"),
    (names.gateway_monitor, (EDGE,), "edge-istio"),
    (names.pooler_secrets, ("pgbouncer",), "pgbouncer-secrets"),
    (names.colour_of, ("green",), "green"),
    (names.colour_of, (2,), None),
    (names.version_of, (V2,), V2),
    (names.version_of, ("v2",), None),
    (names.version_pods, (API, V2), {"app.kubernetes.io/name": "api", "app.kubernetes.io/version": "v2"}),
    (names.match_route_name, (TrafficMatch("header", "End-User", "Jason.B", "v2", RouteRules(), None, span=SPAN),), "header-end-user-jason-b"),
    (names.replication_slot, (DB,), "orders_db_wal_archive"),
    (names.pod_selector, (PG,), {"cnpg.io/cluster": "orders-db", "cnpg.io/podRole": "instance"}),
    (names.pod_selector, (BOUNCER,), {"cnpg.io/cluster": "orders-db", "cnpg.io/podRole": "pooler"}),
    (names.pod_selector, (BROKER,), {"app.kubernetes.io/name": "queue", "app.kubernetes.io/component": "rabbitmq"}),
    (names.database_cluster, (PG,), "orders-db"),
    (names.database_pooler, (BOUNCER, "rw"), "bouncer"),
    (names.database_pooler, (BOUNCER, "ro"), "bouncer-read"),
    (names.read_service, (PG,), "orders-db-read"),
    (names.object_store, ("store",), "store"),
    (names.scheduled_backup, (PG, FULL), "orders-db-backup-full"),
    (
        names.operator_made,
        (BROKER,),
        (("Service", "queue-nodes"), ("Secret", "queue-default-user"), ("Secret", "queue-erlang-cookie"), ("ServiceAccount", "queue-server")),
    ),
    (names.pod_selector, (CACHE,), {"app.kubernetes.io/name": "cache"}),
    (names.redis_replication, (CACHE,), "cache-replication"),
    (names.redis_sentinel_pods, (CACHE,), "cache-sentinel"),
    (names.redis_password, (CACHE,), "cache-auth"),
    (
        names.operator_made,
        (CACHE,),
        (
            ("StatefulSet", "cache-replication"),
            *(("Service", f"cache-replication{s}") for s in ("", "-headless", "-additional", "-master", "-replica", "-metrics")),
            ("StatefulSet", "cache-sentinel"),
            *(("Service", f"cache-sentinel{s}") for s in ("", "-headless", "-additional")),
            ("PodDisruptionBudget", "cache-replication-replication"),
            ("PodDisruptionBudget", "cache-sentinel"),
        ),
    ),
    (names.credentials_volume, (CACHE,), Volume("store-credentials", "secret", "cache-auth", "/etc/cache/credentials", True)),
    (names.operator_made, (API,), ()),
    # github.com/prometheus-operator/prometheus-operator@6adcebc pkg/prometheus/common.go, pkg/alertmanager/statefulset.go
    (names.pod_selector, (SCRAPER,), {"app.kubernetes.io/managed-by": "prometheus-operator", "app.kubernetes.io/instance": "prom"}),
    (
        names.operator_made,
        (SCRAPER,),
        (
            ("StatefulSet", "prometheus-prom"),
            ("Service", "prometheus-operated"),
            ("Secret", "prometheus-prom-web-config"),
            ("Secret", "prometheus-prom-tls-assets-0"),
            ("Secret", "prometheus-prom"),
            ("ConfigMap", "prometheus-prom-rulefiles-0"),
        ),
    ),
    (
        names.operator_made,
        (SCRAPER, True),
        (
            ("StatefulSet", "alertmanager-prom"),
            ("Service", "alertmanager-operated"),
            ("Secret", "alertmanager-prom-generated"),
            ("Secret", "alertmanager-prom-web-config"),
            ("Secret", "alertmanager-prom-tls-assets-0"),
        ),
    ),
    (names.operated_service, (True,), "alertmanager-operated"),
    (names.operated_service, (False,), "prometheus-operated"),
    (names.discovery_role, (SHOP, SCRAPER), "shop-prom-discovery"),
    (names.alert_routing, (SCRAPER,), "prom"),
    (names.alert_receiver, (SCRAPER,), "prom-receiver"),
    (names.credentials_volume, (API,), None),
    (names.queue_authentication, (API, "rabbitmq"), "api-rabbitmq"),
    (names.broker_credentials, ("rabbitmq",), "rabbitmq-default-user"),
    (names.volume_snapshot_class, (attrs.evolve(PG, storage=(storage(storage_class="fast"),), backups=(backup("store", "incremental"),)),), "fast"),
    (names.volume_snapshot_class, (attrs.evolve(PG, storage=(storage(storage_class="fast"),), backups=(FULL,)),), None),
]


def _case_id(function: Callable[..., Any], args: tuple[Any, ...]) -> str:
    """``replica_service(Workload,2)``: the function and its arguments, fixtures by their type."""
    shown = (repr(a) if isinstance(a, (str, int)) else type(a).__name__ for a in args)
    return f"{function.__name__}({','.join(shown)})"


@pytest.mark.parametrize(("function", "args", "expected"), CASES, ids=[_case_id(f, args) for f, args, _ in CASES])
def test_each_naming_function_gives_its_documented_name(function: Callable[..., Any], args: tuple[Any, ...], expected: object) -> None:
    assert function(*args) == expected


def test_every_public_naming_function_has_a_case() -> None:
    public = {n for n, f in inspect.getmembers(names, inspect.isfunction) if f.__module__ == names.__name__ and not n.startswith("_")}
    assert public <= {f.__name__ for f, _, _ in CASES}


def test_egress_routes_of_hosts_differing_only_in_dot_or_dash_share_one_name() -> None:
    assert names.egress_route("api.example.com") == names.egress_route("api-example.com")


def test_the_plan_reports_two_egress_hosts_that_would_share_one_route_name() -> None:
    dotted = external("dotted", ["api.example.com"], [port("https", 443)], via_egress_gateway=True)
    dashed = external("dashed", ["api-example.com"], [port("https", 443)], via_egress_gateway=True)
    https = port("https", 443)
    caller = workload("app", ports=[port("http", 8080)], meshed=True, calls=[call("dotted", https), call("dashed", https)])
    _, diagnostics = lower(topology(workloads=[caller], externals=[dotted, dashed], mesh=mesh(egress_gateway=egress_gateway())))
    (found,) = [d for d in diagnostics if d.code == "E0203"]
    assert "VirtualService istio-system/egress-api-example-com" in found.summary
