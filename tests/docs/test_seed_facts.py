"""Every row of shared/SEED-CHECKLIST.md (S01-S60, all marked Docs) found in the seed's document.

Expected values are the spec's facts as the checklist states them, written out here; they
are never read back from the renderer.
"""

from __future__ import annotations

import pytest

import orion_dsl
from orion_dsl.model import Topology

from .markdown import Document, Table

APP_SERVICES = ("gateway", "auth", "user", "notification")
APP_NAMESPACES = ("orion-gateway", "orion-auth", "orion-user", "orion-notification")
DATA_STORES = ("postgres", "redis", "rabbitmq")
RESTRICTED = (
    "runs as non-root",
    "no privilege escalation",
    "all capabilities dropped",
    "seccomp RuntimeDefault",
    "read-only root filesystem",
)


def workloads(doc: Document) -> dict[str, dict[str, str]]:
    """The deployment topology's workload table, by workload."""
    return doc.table("Deployment topology").keyed()


def containers(doc: Document, workload: str) -> dict[str, dict[str, str]]:
    """A workload's container table, by container."""
    return doc.section(workload, level=3).tables[0].keyed()


def section_table(doc: Document, workload: str, header0: str) -> Table:
    """The table of a workload's container section whose first column is ``header0``."""
    return next(t for t in doc.section(workload, level=3).tables if t.header[0] == header0)


def matrix(doc: Document) -> dict[str, dict[str, str]]:
    """The policy matrix: source -> destination -> ports."""
    return doc.table("Allowed connections").keyed()


def hpa(doc: Document) -> dict[str, dict[str, str]]:
    return doc.table("Horizontal pod autoscaling").keyed()


def bullets(doc: Document, title: str) -> list[str]:
    return doc.section(title).text.splitlines()


# ------------------------------------------------------------------ cluster and namespaces


def test_s01_kubernetes_and_istio_versions(doc: Document) -> None:
    version = doc.table("Version").keyed()
    # the seed says 1.28+ and 1.20+; the ingress's Istio Gateway needs Istio 1.30, which supports Kubernetes 1.32+
    assert (version["Kubernetes"]["Value"], version["Istio"]["Value"]) == ("1.32+", "1.30+")
    assert (version["Topology"]["Value"], version["Spec version"]["Value"]) == ("orion", "1.0.0")
    assert version["Generator"]["Value"] == f"orion_dsl {orion_dsl.__version__}"


def test_s02_namespaces(doc: Document) -> None:
    table = doc.table("Namespace organisation")
    expected = [*APP_NAMESPACES, "orion-data", "orion-monitoring", "orion-ingress", "orion-system"]
    assert table.column("Namespace") == expected
    assert {ns: r["Mesh injection"] for ns, r in table.keyed().items() if ns in APP_NAMESPACES} == dict.fromkeys(APP_NAMESPACES, "on")


def test_s03_orion_system_holds_shared_config_and_secrets(doc: Document) -> None:
    shared = doc.table("Shared configuration and secrets")
    readers = "gateway, auth, user, notification"
    assert shared.row(Name="orion-shared-config") == {
        "Namespace": "orion-system",
        "Name": "orion-shared-config",
        "Kind": "ConfigMap",
        "Readers (read access by RBAC)": readers,
    }
    assert shared.row(Name="orion-shared-secrets")["Kind"] == "Secret"
    assert "ServiceAccount" in doc.section("Shared configuration and secrets").text


def test_s04_resource_quota_per_namespace(doc: Document) -> None:
    quotas = doc.table("Resource quotas")
    assert len(quotas.rows) == 8
    assert {tuple(r[1:]) for r in quotas.rows if r[0] != "orion-data"} == {("20 cores", "40Gi", "50", "10")}
    assert [r[1:] for r in quotas.rows if r[0] == "orion-data"] == [["20 cores", "40Gi", "50", "12"]]  # raised to its claims (I1084)


# ------------------------------------------------------------------ workloads


@pytest.mark.parametrize(
    ("name", "replicas", "image", "port"),
    [("gateway", "3", "orion/gateway:1.0", "http 3000")],
)
def test_s05_gateway_deployment(doc: Document, name: str, replicas: str, image: str, port: str) -> None:
    row = workloads(doc)[name]
    assert (row["Kind"], row["Replicas"].split()[0], row["Image"], row["Service"]) == ("Deployment", replicas, image, "ClusterIP")
    assert port in row["Ports"].split(", ")


def test_s06_auth_deployment(doc: Document) -> None:
    row = workloads(doc)["auth"]
    assert (row["Kind"], row["Replicas"].split()[0], row["Image"]) == ("Deployment", "3", "orion/auth:1.0")
    assert "http 3001" in row["Ports"].split(", ")


def test_s07_user_deployment(doc: Document) -> None:
    row = workloads(doc)["user"]
    assert (row["Kind"], row["Replicas"].split()[0]) == ("Deployment", "3")
    assert "http 3002" in row["Ports"].split(", ")


def test_s08_notification_deployment(doc: Document) -> None:
    row = workloads(doc)["notification"]
    assert (row["Kind"], row["Replicas"].split()[0]) == ("Deployment", "2")
    assert "http 3003" in row["Ports"].split(", ")


def test_s09_analytics_admin_ui_and_dashboard(doc: Document) -> None:
    table = workloads(doc)
    assert "http 3004" in table["analytics"]["Ports"].split(", ")
    assert doc.table("Routes").row(Path="/api/analytics/*")["Workload"] == "analytics"
    assert "http 3004" in table["admin-ui"]["Ports"].split(", ")
    assert doc.table("Address plan").row(Workload="admin-ui")["Subnet"] == "management"
    assert table["dashboard"]["Image"].startswith("ghcr.io/headlamp-k8s/headlamp:")  # the archived Kubernetes Dashboard's successor


@pytest.mark.parametrize("name", APP_SERVICES)
def test_s10_app_container_resources(doc: Document, name: str) -> None:
    main = containers(doc, name)[f"{name} (main)"]
    assert (main["CPU"], main["Memory"]) == ("500m..1000m", "512Mi..1Gi")


@pytest.mark.parametrize(("name", "port", "path"), [("gateway", "http 3000", "/health"), ("auth", "http 3001", "/api/auth/health")])
def test_s11_http_probes_and_timing(doc: Document, name: str, port: str, path: str) -> None:
    probes = section_table(doc, name, "Probe").keyed()
    assert probes["Liveness"]["Check"] == probes["Readiness"]["Check"] == f"HTTP GET {path} on {port}"
    assert probes["Timing"]["Check"] == "every 10s, timeout 5s, failure threshold 3, success threshold 2"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_s12_pod_volumes(doc: Document, name: str) -> None:
    volumes = section_table(doc, name, "Volume")
    assert volumes.row(Kind="ConfigMap")["Source"] == f"{name}-config"
    assert volumes.row(Kind="Secret")["Source"] == f"{name}-secrets"
    assert volumes.row(Kind="emptyDir")["Mount"] == f"/var/log/{name}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_s13_istio_sidecar(doc: Document, name: str) -> None:
    proxy = containers(doc, name)["istio-proxy (injected)"]
    assert proxy["Image"].startswith("istio/proxyv2")
    assert (proxy["CPU"], proxy["Memory"]) == ("100m..200m", "128Mi..256Mi")


def test_s14_postgres_cluster(doc: Document) -> None:
    row = workloads(doc)["postgres"]
    assert (row["Kind"], row["Replicas"], row["Image"], row["Service"]) == (
        "Cluster",
        "3",
        "ghcr.io/cloudnative-pg/postgresql:16-standard-trixie",
        "ClusterIP",
    )
    main = containers(doc, "postgres")["postgres (main)"]
    assert (main["Ports"], main["CPU"], main["Memory"]) == ("sql 5432, metrics 9187, status 8000", "1000m..2000m", "2Gi..4Gi")
    assert "CloudNativePG makes these pods: their probes" in doc.section("postgres", level=3).text


def test_s15_postgres_metrics_port(doc: Document) -> None:
    """CloudNativePG's instance manager serves the exporter's metrics in the postgres container."""
    assert "metrics 9187" in containers(doc, "postgres")["postgres (main)"]["Ports"].split(", ")
    assert matrix(doc)["prometheus"]["postgres"] == "9187"


def test_s16_postgres_storage(doc: Document) -> None:
    claim = section_table(doc, "postgres", "Claim").row(Claim="data")
    assert (claim["Size"], claim["Storage class"], claim["Access"]) == ("100Gi", "ssd", "read-write-once")


def test_s17_redis(doc: Document) -> None:
    row = workloads(doc)["redis"]
    assert (row["Kind"], row["Replicas"]) == ("RedisReplication", "3")  # on the redis-operator: a claim per pod
    assert "redis 6379" in row["Ports"].split(", ")
    assert section_table(doc, "redis", "Claim").column("Claim") == ["data"]


def test_s18_rabbitmq(doc: Document) -> None:
    row = workloads(doc)["rabbitmq"]
    assert (row["Kind"], row["Replicas"], row["Service"]) == ("RabbitmqCluster", "3", "headless + ClusterIP")
    assert "amqp 5672" in row["Ports"].split(", ")
    assert section_table(doc, "rabbitmq", "Claim").column("Claim") == ["data"]


def test_s19_monitoring_workloads(doc: Document) -> None:
    table = workloads(doc)
    kinds = {n: table[n]["Kind"] for n in ("prometheus", "grafana", "alertmanager", "loki")}
    assert kinds == {"prometheus": "Prometheus", "grafana": "Deployment", "alertmanager": "Alertmanager", "loki": "StatefulSet"}
    assert "metrics 3000" in table["grafana"]["Ports"].split(", ")
    assert section_table(doc, "prometheus", "Claim").column("Claim") == ["data"]


def test_s20_prometheus_scrapes_every_service_and_store(doc: Document) -> None:
    settings = doc.table("Monitoring").keyed()
    assert (settings["Scrape path"]["Value"], settings["Scrape port"]["Value"]) == ("/metrics", "metrics 9090")
    scraped = settings["Scraped workloads"]["Value"].split(", ")
    assert set(APP_SERVICES + DATA_STORES) <= set(scraped)


# ------------------------------------------------------------------ scaling


def test_s21_gateway_hpa(doc: Document) -> None:
    row = hpa(doc)["gateway"]
    assert (row["Replicas"], row["CPU target"], row["Memory target"]) == ("3..10", "70%", "80%")
    assert row["Custom metrics"] == "http_requests_per_second per pod, target 100 (KEDA, from prometheus)"  # no adapter HPA


def test_s22_auth_hpa(doc: Document) -> None:
    row = hpa(doc)["auth"]
    assert (row["Replicas"], row["CPU target"], row["Memory target"]) == ("3..8", "75%", "80%")
    assert row["Custom metrics"].startswith("logins_per_second")


def test_s23_user_hpa(doc: Document) -> None:
    row = hpa(doc)["user"]
    assert (row["Replicas"], row["CPU target"], row["Memory target"]) == ("3..10", "70%", "80%")
    assert row["Custom metrics"].startswith("api_requests_per_second")


def test_s24_notification_hpa(doc: Document) -> None:
    row = hpa(doc)["notification"]
    assert (row["Replicas"], row["CPU target"], row["Memory target"]) == ("2..6", "70%", "75%")
    assert row["Custom metrics"] == "queue notifications on rabbitmq: 100 per replica (KEDA)"


def test_s25_vpa_mode_auto_where_evicting_is_safe(doc: Document) -> None:
    """The seed's VPA Auto, per workload: recommend-only beside an HPA on CPU and memory, never evicting a StatefulSet's or a single pod."""
    modes = {r["Workload"]: (r["Update mode"], r["Why"]) for r in doc.table("Vertical pod autoscaling").records()}
    assert modes["analytics"] == ("Auto", "as the spec states")
    assert modes["gateway"] == ("Off", "its HPA already scales on CPU and memory")
    assert modes["loki"] == ("Initial", "a StatefulSet's pods are not evicted to resize them")


def test_s26_cluster_autoscaler(doc: Document) -> None:
    table = doc.table("Cluster autoscaler").keyed()
    assert (table["Nodes"]["Value"], table["Scale down below"]["Value"]) == ("3..20", "50%")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_s27_rolling_update(doc: Document, name: str) -> None:
    row = doc.table("Rolling updates").keyed()[name]
    assert (row["Strategy"], row["Max surge"], row["Max unavailable"], row["Graceful shutdown"]) == ("rolling", "1", "0", "30s")
    assert "readiness probe" in doc.section("Rolling updates").text


def test_s28_blue_green(doc: Document) -> None:
    row = doc.table("Blue-green").keyed()["gateway"]
    assert (row["Blue version"], row["Green version"], row["Active"]) == ("1.0", "1.1", "blue (1.0)")
    assert "switching back" in doc.section("Blue-green").text


def test_s28_the_blue_green_section_says_the_edge_reaches_the_active_colour(doc: Document) -> None:
    """What tests/kubernetes/test_edge_versions.py evaluates on the objects: the HTTPRoute's Service selects the active colour."""
    assert "the Service selects the active version, so the ingress's routes and the mesh's calls reach it alone" in doc.section("Blue-green").text


def test_s29_disruption_budget_for_replicated_services(doc: Document, seed: Topology) -> None:
    rows = doc.table("Rolling updates").keyed()
    own = [n for n in (*APP_SERVICES, *DATA_STORES) if getattr(seed.workload(n), "engine", None) is None]  # an operator budgets its own pods
    assert {rows[n]["Disruption budget"] for n in own} == {"max 1 unavailable"}
    assert (rows["postgres"]["Disruption budget"], rows["rabbitmq"]["Disruption budget"]) == ("CloudNativePG's", "RabbitMQ Cluster Operator's")


# ------------------------------------------------------------------ network


def test_s30_subnets(doc: Document) -> None:
    table = doc.table("Subnets")
    expected = {
        "public": "10.0.1.0/24",
        "application": "10.0.10.0/24",
        "data": "10.0.20.0/24",
        "monitoring": "10.0.30.0/24",
        "management": "10.0.40.0/24",
    }
    assert {r["Subnet"]: r["CIDR"] for r in table.records()} == expected


@pytest.mark.parametrize(
    ("workload", "addresses", "pool", "max_replicas"),
    [
        ("edge (ingress controller)", "10.0.1.10 (the ingress's address behind the load balancer public)", "—", "3"),
        ("gateway", "10.0.10.10..10.0.10.20", "11", "10"),
        ("auth", "10.0.10.30..10.0.10.40", "11", "8"),
        ("user", "10.0.10.50..10.0.10.60", "11", "10"),
        ("notification", "10.0.10.70..10.0.10.80", "11", "6"),
        ("postgres", "10.0.20.10..10.0.20.12", "3", "3"),
        ("redis", "10.0.20.20..10.0.20.22", "3", "3"),
        ("rabbitmq", "10.0.20.30..10.0.20.32", "3", "3"),
        ("prometheus", "10.0.30.10", "1", "1"),
        ("grafana", "10.0.30.20", "1", "1"),
        ("loki", "10.0.30.30", "1", "1"),
        ("admin-ui", "10.0.40.10", "1", "1"),
        ("dashboard", "10.0.40.20", "1", "1"),
    ],
)
def test_s31_addresses(doc: Document, workload: str, addresses: str, pool: str, max_replicas: str) -> None:
    row = doc.table("Address plan").row(Workload=workload)
    assert (row["Address range"], row["Pool size"], row["Max replicas"]) == (addresses, pool, max_replicas)


def test_s31_every_address_pool_holds_its_workload_at_max_replicas(doc: Document) -> None:
    """The table's own promise: a fixed pool (Pool size given) is never smaller than Max replicas."""
    rows = [r for r in doc.table("Address plan").records() if r["Pool size"] != "—"]
    assert rows and all(int(r["Pool size"]) >= int(r["Max replicas"]) for r in rows)


def test_s32_default_deny_and_same_namespace_in_data(doc: Document) -> None:
    text = doc.section("Network policy matrix").text
    assert "Default deny: every pod's ingress and egress is denied unless a rule below allows it." in text
    assert "Same-namespace traffic is allowed in: orion-data." in text
    assert matrix(doc)["postgres"]["redis"] == "6379"  # an operator's pods open their client ports only


def test_s33_internet_to_ingress_to_gateway(doc: Document) -> None:
    m = matrix(doc)
    assert m["internet"]["edge (ingress controller)"] == "443"
    assert m["edge (ingress controller)"]["gateway"] == "3000"


def test_s34_gateway_to_services(doc: Document) -> None:
    row = matrix(doc)["gateway"]
    assert (row["auth"], row["user"], row["notification"]) == ("3001", "3002", "3003")


@pytest.mark.parametrize(
    ("source", "rabbitmq"),
    [("auth", "—"), ("user", "5672"), ("notification", "5672")],
)
def test_s35_services_to_data_stores(doc: Document, source: str, rabbitmq: str) -> None:
    row = matrix(doc)[source]
    assert (row["pgbouncer"], row["postgres"], row["redis"], row["rabbitmq"]) == ("5432 (for postgres)", "—", "6379", rabbitmq)
    by_source = doc.section("Allowed connections by source").text
    assert "pgbouncer\npostgres: sql 5432 (connection pooler)\nredis: redis 6379 (same-namespace allowance)\n" in by_source


def _peer_name(label: str) -> str:
    """The allow-graph name of a peer from its label in the document."""
    if label == "Kubernetes API server":
        return "kubernetes-api"
    for suffix in (" (ingress controller)", " (external)", " (object store)", " operator"):
        label = label.removesuffix(suffix)
    return label


def test_s32_s37_by_source_list_names_every_in_cluster_and_external_destination(doc: Document, seed: Topology) -> None:
    """Every non-DNS peer pair of the allow-graph appears once, under its source, in matrix order."""
    lines = doc.section("Allowed connections by source").text.splitlines()[1:]  # after the intro sentence
    pairs = {(e.source.name, e.target.name) for e in seed.allow_graph.edges if e.target.kind != "dns"}
    found: set[tuple[str, str]] = set()
    source = ""
    for line in lines:
        if ": " not in line:
            source = _peer_name(line)
            continue
        target = _peer_name(line.split(": ", 1)[0])
        assert (source, target) not in found
        found.add((source, target))
    assert found == pairs


def test_s35_gateway_never_reaches_the_data_tier(doc: Document) -> None:
    row = matrix(doc)["gateway"]
    assert {row[n] for n in (*DATA_STORES, "pgbouncer")} == {"—"}


def test_s36_prometheus_scrapes_services_on_9090(doc: Document) -> None:
    row = matrix(doc)["prometheus"]
    assert {row[n] for n in APP_SERVICES} == {"9090"}


def test_s37_dns_and_restricted_egress(doc: Document) -> None:
    assert doc.section("DNS").text == "Every workload (15) may query kube-dns (kube-system) on 53/UDP and 53/TCP."
    assert (
        "Internet egress: NetworkPolicies open only the external services' ports below, to public addresses (they cannot match "
        "host names); the Istio ServiceEntry and Sidecar resources (the istio target) hold meshed callers to the allow-listed hosts, "
        "except on 587/TCP, which smtp.mailgun.org, smtp.sendgrid.net share; on 123/UDP (pool.ntp.org), which Istio does not proxy; "
        "for callers outside the mesh (alertmanager), which no sidecar checks: there any public address is reachable on the port."
    ) in doc.section("Network policy matrix").text
    egress = doc.table("Egress to external services")
    assert egress.row(Source="notification", External_service="sendgrid")["Ports"] == "465, 587"
    assert egress.row(Source="user", External_service="stripe")["Ports"] == "443"


def test_s38_edge(doc: Document) -> None:
    table = doc.table("Edge")
    assert table.row(Component="CDN")["Details"] == "provides DDoS protection, WAF"
    assert table.row(Component="Load balancer")["Name"] == "public"
    assert table.row(Component="GeoDNS")["Details"] == "routes to regions us-east, us-west, eu"
    assert [r["Details"] for r in table.records() if r["Component"] == "Region"] == [
        f"regional load balancer AWS ELB {r}" for r in ("us-east", "us-west", "eu")
    ]


# ------------------------------------------------------------------ ingress and egress


def test_s39_ingress_controller_features(doc: Document) -> None:
    features = {k: v["Setting"] for k, v in doc.table("Ingress").keyed().items()}
    coraza = " — requests it matches are refused with 403; Coraza on the gateway's pods (WasmPlugin edge-waf, module "
    envoy = "; Envoy filter on the gateway's pods (EnvoyFilter edge-http-filters)"
    per_client = " — per client address (X-Forwarded-For past the proxies in front), one bucket per gateway pod: "
    expected = {
        "Controller": "Istio's Gateway API implementation (Gateway, HTTPRoutes)",
        "Replicas": "3",
        "Balancing": "Round robin",
        "Rate limit": "100 per second" + per_client + "with 3 replicas a client may get up to 3 times the rate" + envoy,
        "Request buffering": "on — whole requests up to 1 MiB (larger ones get 413)" + envoy,
        "Compression": "on — gzip for clients that accept it" + envoy,
        "CORS origins": "https://*.orion.com",
        "WAF": "ModSecurity (OWASP core rules)" + coraza + "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.6.0)",
    }
    assert {k: features[k] for k in expected} == expected


def test_s40_tls_and_certificates(doc: Document) -> None:
    features = doc.table("Ingress").keyed()
    assert features["TLS minimum version"]["Setting"] == "TLS 1.3 (mesh-wide: Istio's meshConfig.tlsDefaults)"
    assert features["TLS issuer"]["Setting"] == "letsencrypt (cert-manager)"
    assert doc.table("Certificates").row(Issuer="letsencrypt")["Renewal"] == "720h before expiry"


def test_s41_hosts(doc: Document) -> None:
    hosts = {r["Host"]: r["Workload"] for r in doc.table("Hosts").records()}
    assert hosts == {"*.orion.com": "gateway", "api.orion.com": "gateway", "admin.orion.com": "admin-ui", "grafana.orion.com": "grafana"}


def test_s42_paths(doc: Document) -> None:
    routes = {r["Path"]: r["Workload"] for r in doc.table("Routes").records()}
    expected = {
        "/api/auth/*": "auth",
        "/.well-known/jwks.json": "auth",  # S51: the JWT keys istiod fetches through the edge (W0321)
        "/api/user/*": "user",
        "/api/notification/*": "notification",
        "/api/analytics/*": "analytics",
        "/health": "gateway",
        "/metrics": "gateway",
    }
    assert routes == expected


def test_s43_egress_gateway(doc: Document) -> None:
    table = doc.table("Egress gateway").keyed()
    assert table["Sidecar to gateway"]["Value"].startswith("Istio mutual TLS") and table["SNI routing"]["Value"] == "on"
    assert "nothing originates TLS to the external" in table["Gateway to external"]["Value"]
    assert table["Access control"]["Value"].startswith("only the allow-listed hosts below, each for its callers only")


def test_s44_the_route_of_each_external_is_the_egress_gateway_but_for_shared_smtp_587_udp_ntp_and_unmeshed_callers(doc: Document) -> None:
    routes = {r["External service"]: r["Route"] for r in doc.table("Allow-listed external services").records()}
    assert routes.pop("sendgrid") == routes.pop("mailgun") == "egress gateway (465); direct (587)"
    assert routes.pop("ntp") == "direct"
    assert routes.pop("pagerduty") == "direct"  # only the Alertmanager calls it, outside the mesh: no sidecar sends it to the gateway
    assert set(routes.values()) == {"egress gateway"}


def test_s44_allow_listed_externals(doc: Document) -> None:
    hosts = {r["External service"]: r["Hosts"] for r in doc.table("Allow-listed external services").records()}
    assert hosts == {
        "sendgrid": "smtp.sendgrid.net",
        "mailgun": "smtp.mailgun.org",
        "twilio": "api.twilio.com",
        "google-oauth": "oauth2.googleapis.com, accounts.google.com",
        "github-oauth": "github.com",
        "stripe": "api.stripe.com",
        "s3": "s3.amazonaws.com",
        "datadog": "api.datadoghq.com",
        "sentry": "sentry.io",
        "ntp": "pool.ntp.org",
        "pagerduty": "events.pagerduty.com",  # where the Alertmanager pages (S55), beside the seed's S44 list
    }


def test_s45_egress_monitoring(doc: Document) -> None:
    table = {k: v["Setting"] for k, v in doc.table("Egress monitoring").keyed().items()}
    """I0708, I0709: no Istio resource rate-limits or tracks the cost of egress, so the table says they are not applied."""
    assert table == {
        "Access log of every outbound request": "on",
        "Egress rate limit": "100 per second — not applied: no Istio resource expresses it",
        "Cost tracking": "on — not applied: no Istio resource expresses it; the access log records outbound requests",
    }


def test_s53_the_spec_perimeter_layer_is_followed_by_what_the_istio_gateway_applies(doc: Document) -> None:
    """The seed's perimeter layer says "Web application firewall (ModSecurity)" and "Rate limiting (nginx)"; the Istio
    gateway applies the rate limit, buffering and gzip by EnvoyFilter and the WAF by WasmPlugin (Coraza, blocking)."""
    intro, *found = bullets(doc, "Applied at the edge")
    assert intro.startswith("The layers above are the spec's own words, not a list of what ORION generates.")
    assert [line.split(":")[0] for line in found] == ["Rate limit", "Request buffering", "Compression", "WAF"]
    assert found[-1].startswith("WAF: ModSecurity (OWASP core rules) — requests it matches are refused with 403; Coraza")
    assert "EnvoyFilter" in found[0]


# ------------------------------------------------------------------ mesh and load balancing


def test_s46_istiod_and_envoy_sidecars(doc: Document) -> None:
    roles = doc.table("Service mesh").column("istiod role")
    assert roles == ["Traffic management", "Certificates", "Configuration validation", "Telemetry"]
    meshed = next(line for line in bullets(doc, "Service mesh") if line.startswith("Envoy sidecar in: "))
    assert set(APP_SERVICES) <= set(meshed.removeprefix("Envoy sidecar in: ").rstrip(".").split(", "))


def test_s47_strict_mtls(doc: Document) -> None:
    assert "mTLS: STRICT between all meshed services." in bullets(doc, "Service mesh")


@pytest.mark.parametrize(
    ("name", "algorithm", "affinity"),
    [
        ("gateway", "Least connection", "none"),
        ("auth", "Round robin", "none"),
        ("user", "Least connection", "none"),
        ("notification", "Consistent hash", "cookie orion-notification (1h) (sticky sessions)"),
    ],
)
def test_s48_load_balancing(doc: Document, name: str, algorithm: str, affinity: str) -> None:
    row = doc.table("Load balancing").row(Service=name)
    assert (row["Algorithm"], row["Session affinity"]) == (algorithm, affinity)
    assert doc.table("Traffic policy per service").row(Service=name)["Load balancing"] == algorithm


def test_s48_health_checks_in_load_balancing(doc: Document) -> None:
    row = doc.table("Load balancing").row(Service="gateway")
    assert row["Health check"] == "HTTP GET /health on http 3000; every 10s, timeout 5s, failure threshold 3, success threshold 2"


def test_s49_resilience_and_tracing(doc: Document) -> None:
    row = doc.table("Traffic policy per service").row(Service="gateway")
    assert (row["Timeout"], row["Retries"]) == ("15s", "3 attempts, 5s per try, on 5xx,reset,connect-failure")
    assert row["Circuit breaking"] == "eject after 5 consecutive errors, for 30s, max 1000 connections"
    assert "Distributed tracing: 10% of requests sampled." in bullets(doc, "Service mesh")


def test_s50_pgbouncer_and_replication(doc: Document) -> None:
    table = {k: v["Value"] for k, v in doc.table("postgres replication").keyed().items()}
    assert table["Connection pooler"].startswith("pgbouncer (")
    assert (table["Pool mode"], table["Primary"], table["Read replicas"]) == ("transaction", "1 (takes every write)", "2")
    assert (table["Read weights"], table["Replication"]) == ("replica 1: 50%, replica 2: 50%", "synchronous")


# ------------------------------------------------------------------ security layers


def test_s51_jwt_at_gateway(doc: Document) -> None:
    table = {k: v["Value"] for k, v in doc.table("JWT validation").keyed().items()}
    assert (table["Validated at"], table["Issuer"], table["Protected paths"]) == ("gateway", "https://auth.orion.com", "/api/*")
    assert "JWT validation at the API gateway" in bullets(doc, "Layer 3: Identity")


def test_s52_service_to_service_auth_and_rbac(doc: Document) -> None:
    assert bullets(doc, "Layer 3: Identity")[1:] == ["Service-to-service auth: mTLS + API keys", "RBAC"]


def test_s53_application_layer(doc: Document) -> None:
    assert bullets(doc, "Layer 4: Application") == [
        "Input validation (class-validator)",
        "Output sanitisation (XSS prevention)",
        "SQL injection prevention (Prisma ORM)",
        "Security headers (Helmet.js)",
    ]


def test_s54_data_layer(doc: Document) -> None:
    assert bullets(doc, "Layer 5: Data") == [
        "Encryption at rest (PostgreSQL TDE)",
        "Password hashing (bcrypt)",
        "Kubernetes Secrets + Vault",
        "Encrypted backups",
    ]
    assert doc.table("postgres replication").keyed()["Encryption at rest"]["Value"] == "on"
    assert set(doc.table("Backup targets").column("Encrypted")) == {"yes"}


def test_s55_observability(doc: Document) -> None:
    assert bullets(doc, "Layer 6: Monitoring") == [
        "Centralised logging (Loki)",
        "Audit trails (database logs)",
        "Security alerts (AlertManager)",
        "Prometheus + Grafana",
    ]
    settings = {k: v["Value"] for k, v in doc.table("Monitoring").keyed().items()}
    assert (settings["Logging"], settings["Alerting"], settings["Dashboards"]) == ("loki", "alertmanager", "grafana")
    assert doc.table("Alerts").column("Alert") == ["HighErrorRate", "PodCrashLooping", "BackupMissing"]


def test_s56_hardened_pods(doc: Document) -> None:
    operated = {"postgres": "CloudNativePG", "pgbouncer": "CloudNativePG", "rabbitmq": "RabbitMQ Cluster Operator"}
    operated |= {"prometheus": "Prometheus Operator", "alertmanager": "Prometheus Operator", "redis": "OT redis-operator"}
    names = [n for n in workloads(doc) if n not in operated]
    contexts = {n: doc.section(n, level=3).text.splitlines()[-1] for n in names}
    assert [n for n, text in contexts.items() if not all(f in text for f in RESTRICTED)] == []
    # the operators set their pods' security context: the document says so instead of ORION's
    for name, operator in operated.items():
        assert f"{operator} makes these pods: their probes, configuration files, security context" in doc.section(name, level=3).text


# ------------------------------------------------------------------ disaster recovery


def test_s57_postgres_backups(doc: Document) -> None:
    table = doc.table("Backups")
    schedules = {r["Kind"]: r["Schedule"] for r in table.records() if r["Source"] == "postgres"}
    assert schedules == {"full": "daily at 02:00", "incremental": "every 6h", "wal": "continuous"}


def test_s58_redis_rabbitmq_cluster_and_git(doc: Document) -> None:
    table = doc.table("Backups")
    assert table.row(Source="redis")["Schedule"] == "hourly"
    assert table.row(Source="rabbitmq", Kind="definitions")["Schedule"] == "daily at 03:00"
    assert table.row(Source="whole cluster")["Kind"] == "velero backup"
    assert table.row(Source="whole cluster")["Schedule"].startswith("daily")
    assert "Configuration in git: https://github.com/orion/orion-config, on every change." in bullets(doc, "Backup targets")


def test_s59_storage_locations(doc: Document) -> None:
    regions = {r["Target"]: r["Region"] for r in doc.table("Backup targets").records()}
    assert regions == {"s3-primary": "us-east-1", "s3-dr": "eu-west-1"}
    lines = bullets(doc, "Backup targets")
    assert "Replication: s3-primary → s3-dr." in lines
    assert "Archive: glacier after 90d." in lines


def test_s60_recovery_objectives(doc: Document) -> None:
    table = doc.table("Recovery objectives")
    database = table.row(Objective="database")
    assert (database["RTO"], database["RPO"]) == ("1h", "6h")
    assert database["Check (most frequent backup ≤ RPO)"].startswith("✓ postgres")
    services = table.row(Objective="services")
    assert (services["RTO"], services["RPO"]) == ("15m", "real-time")
