"""One test per SEED-CHECKLIST row with an Istio column (S34/S35/S51/S52 authorization lives in test_authz.py)."""

from __future__ import annotations

from typing import Any

import attrs

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio import render
from orion_dsl.lowering import egress
from orion_dsl.model import Topology
from tests.istio.conftest import documents, find, of_kind
from tests.support.plans import planned

Objects = list[dict[str, Any]]


def test_s35_services_reach_data_stores_through_sidecar_scope(seed_objects: Objects) -> None:
    hosts = find(seed_objects, "Sidecar", "default", "orion-auth")["spec"]["egress"][0]["hosts"]
    data = sorted(h for h in hosts if h.startswith("orion-data/"))
    assert data == ["orion-data/postgres.orion-data.svc.cluster.local", "orion-data/redis.orion-data.svc.cluster.local"]


def test_s37_sidecars_block_unregistered_hosts(seed_objects: Objects) -> None:
    modes = {o["metadata"]["namespace"]: o["spec"]["outboundTrafficPolicy"]["mode"] for o in of_kind(seed_objects, "Sidecar")}
    assert modes == dict.fromkeys(["orion-auth", "orion-gateway", "orion-notification", "orion-system", "orion-user"], "REGISTRY_ONLY")


def test_s37_sidecar_external_hosts_are_the_namespace_allow_list(seed_objects: Objects) -> None:
    hosts = find(seed_objects, "Sidecar", "default", "orion-notification")["spec"]["egress"][0]["hosts"]
    external = sorted(h.split("/", 1)[1] for h in hosts if h.startswith("istio-system/") and not h.endswith(("*", ".svc.cluster.local")))
    assert external == ["api.twilio.com", "pool.ntp.org", "sentry.io", "smtp.mailgun.org", "smtp.sendgrid.net"]


def test_s37_smtp_ports_587_and_465(seed_objects: Objects) -> None:
    ports = find(seed_objects, "ServiceEntry", "sendgrid", "istio-system")["spec"]["ports"]
    assert [(p["number"], p["protocol"]) for p in ports] == [(587, "TCP"), (465, "TLS")]


def _expected_sidecar_hosts(seed: Topology, namespace: str) -> set[str]:
    """What a namespace's workloads may call, per the allow-graph, as the Service or external hosts they address."""
    found = set()
    for edge in (e for e in seed.allow_graph.edges if e.source.kind == "workload" and e.source.namespace == namespace):
        target = edge.target
        if target.kind in ("workload", "dns"):
            found.add(f"{target.namespace}/{edge.via or target.name}.{target.namespace}.svc.cluster.local")
        if target.kind == "api-server":  # the `kubernetes` Service in front of it
            found.add("default/kubernetes.default.svc.cluster.local")
        external = seed.external(target.name) if target.kind == "external" else None
        if external is not None:
            found.update(f"istio-system/{h}" for h in external.hosts)
            if egress.through_gateway(seed, edge):
                found.add("istio-system/istio-egressgateway.istio-system.svc.cluster.local")
    return found


def test_s37_sidecar_hosts_are_exactly_what_the_allow_graph_allows(seed_objects: Objects, seed: Topology) -> None:
    for sidecar in of_kind(seed_objects, "Sidecar"):
        namespace = sidecar["metadata"]["namespace"]
        hosts = set(sidecar["spec"]["egress"][0]["hosts"]) - {"istio-system/*"}
        assert hosts == _expected_sidecar_hosts(seed, namespace), namespace


def test_s37_every_allowed_external_is_exported_to_its_callers(seed_objects: Objects, seed: Topology) -> None:
    exported = {o["metadata"]["name"]: set(o["spec"]["exportTo"]) for o in of_kind(seed_objects, "ServiceEntry")}
    for edge in (e for e in seed.allow_graph.edges if e.source.kind == "workload" and e.target.kind == "external"):
        caller = seed.workload(edge.source.name)
        if caller is not None and caller.meshed:
            assert caller.namespace in exported[edge.target.name], (edge.source.name, edge.target.name)


def test_s37_external_visible_only_to_calling_namespaces(seed_objects: Objects) -> None:
    assert find(seed_objects, "ServiceEntry", "stripe", "istio-system")["spec"]["exportTo"] == [".", "orion-user"]


def test_s41_ingress_hosts_reach_the_meshed_gateway_by_the_gateway_pods_principal(seed_objects: Objects) -> None:
    rules = find(seed_objects, "AuthorizationPolicy", "gateway-allow", "orion-gateway")["spec"]["rules"]
    from_ingress = [r for r in rules if "cluster.local/ns/orion-ingress/sa/edge-istio" in r["from"][0]["source"]["principals"]]
    assert [r["to"] for r in from_ingress] == [[{"operation": {"ports": ["3000"], "notPaths": ["/metrics"]}}]]  # its own metrics route
    assert not [o for o in of_kind(seed_objects, "PeerAuthentication") if o["metadata"]["namespace"] == "orion-gateway"]


def test_s41_unmeshed_host_targets_get_no_mesh_objects(seed_objects: Objects) -> None:
    names = {o["metadata"]["name"] for o in seed_objects if o["metadata"]["namespace"] == "orion-monitoring"}
    assert names == set()


def test_s42_gateway_paths_route_by_prefix(seed_objects: Objects) -> None:
    routes = {}
    for vs in of_kind(seed_objects, "VirtualService"):
        for entry in vs["spec"].get("http", []):
            for match in entry.get("match", []):
                if match.get("sourceLabels") == {"app.kubernetes.io/name": "gateway"}:
                    [(how, path)] = match["uri"].items()
                    routes[how, path] = entry["route"][0]["destination"]["host"]
    assert routes == {
        ("prefix", "/api/auth/"): "auth.orion-auth.svc.cluster.local",
        ("exact", "/.well-known/jwks.json"): "auth.orion-auth.svc.cluster.local",  # S51: the keys istiod fetches through the edge
        ("prefix", "/api/user/"): "user.orion-user.svc.cluster.local",
        ("prefix", "/api/notification/"): "notification.orion-notification.svc.cluster.local",
        ("prefix", "/api/analytics/"): "analytics.orion-user.svc.cluster.local",
    }


def test_s43_egress_gateway_listens_with_istio_mutual_tls_for_every_tls_port_a_meshed_workload_calls(seed_objects: Objects, seed: Topology) -> None:
    """Every allow-listed external a meshed workload calls goes through the gateway, ``via egress_gateway`` or not;
    SMTP 587 is opaque and shared (I0711), NTP is UDP (I0706). PagerDuty, which only the unmeshed Alertmanager
    calls, gets no listener: no sidecar would ever send it there."""
    gateway = find(seed_objects, "Gateway", "istio-egressgateway", "istio-system")["spec"]
    assert gateway["selector"] == {"istio": "egressgateway"}
    listened = {(s["hosts"][0], s["port"]["number"]): s["tls"]["mode"] for s in gateway["servers"]}
    meshed = {w.name for w in seed.workloads if w.meshed}
    called = {(e.target.name, e.port) for e in seed.allow_graph.edges if e.target.kind == "external" and e.source.name in meshed}
    assert listened == {(h, p.number): "ISTIO_MUTUAL" for e in seed.externals for h in e.hosts for p in e.ports if p.tls and (e.name, p) in called}
    assert ("smtp.sendgrid.net", 465) in listened and ("smtp.sendgrid.net", 587) not in listened
    assert not [h for h, _ in listened if h == "events.pagerduty.com"]
    assert not [o for o in of_kind(seed_objects, "VirtualService") if o["metadata"]["name"] == "egress-events-pagerduty-com"]


def test_s43_sidecar_leg_routes_by_sni_to_the_egress_gateway(seed_objects: Objects) -> None:
    tls = find(seed_objects, "VirtualService", "egress-api-stripe-com", "istio-system")["spec"]["tls"][0]
    assert tls["match"] == [{"gateways": ["mesh"], "port": 443, "sniHosts": ["api.stripe.com"]}]
    assert tls["route"][0]["destination"]["host"] == "istio-egressgateway.istio-system.svc.cluster.local"


def test_s43_gateway_leg_goes_to_the_external(seed_objects: Objects) -> None:
    tcp = find(seed_objects, "VirtualService", "egress-api-stripe-com", "istio-system")["spec"]["tcp"][0]
    assert tcp["route"][0]["destination"] == {"host": "api.stripe.com", "port": {"number": 443}}


def test_s43_sidecar_originates_mutual_tls_with_sni(seed_objects: Objects) -> None:
    subsets = find(seed_objects, "DestinationRule", "istio-egressgateway", "istio-system")["spec"]["subsets"]
    stripe = next(s for s in subsets if s["name"] == "api-stripe-com-443")
    assert stripe["trafficPolicy"]["portLevelSettings"][0]["tls"] == {"mode": "ISTIO_MUTUAL", "sni": "api.stripe.com"}


def test_s43_egress_access_control_admits_only_callers(seed_objects: Objects, seed: Topology) -> None:
    rules = find(seed_objects, "AuthorizationPolicy", "egress-access-control", "istio-system")["spec"]["rules"]
    admitted = {r["when"][0]["values"][0]: r["from"][0]["source"]["principals"] for r in rules}
    expected: dict[str, list[str]] = {}
    for e in (e for e in seed.externals if egress.gateway_ports(seed, e)):
        # the meshed callers: an unmeshed one (the Alertmanager, to PagerDuty) goes out directly, not through the gateway
        sources = {edge.source for edge in seed.allow_graph.incoming(e.name) if edge.source.kind == "workload" and egress.through_gateway(seed, edge)}
        if sources:
            expected.update(dict.fromkeys(e.hosts, sorted(f"cluster.local/ns/{s.namespace}/sa/{s.name}" for s in sources)))
    assert admitted == expected and admitted["api.stripe.com"] == ["cluster.local/ns/orion-user/sa/user"]


def test_s43_egress_access_control_does_not_match_service_ports(seed_objects: Objects) -> None:
    """At a gateway, ``ports`` are the pod's (8443 behind the Service's 443): a rule on 443 would never match."""
    rules = find(seed_objects, "AuthorizationPolicy", "egress-access-control", "istio-system")["spec"]["rules"]
    assert rules and all(set(r) == {"from", "when"} and r["when"][0]["key"] == "connection.sni" for r in rules)


def test_s43_every_gateway_server_host_has_both_legs(seed_objects: Objects) -> None:
    servers = find(seed_objects, "Gateway", "istio-egressgateway", "istio-system")["spec"]["servers"]
    legs = {}
    for vs in of_kind(seed_objects, "VirtualService"):
        spec = vs["spec"]
        if "istio-egressgateway" in spec.get("gateways", []):
            mesh = [t for t in spec["tls"] if t["match"][0]["gateways"] == ["mesh"]]
            onward = [t for t in spec.get("tcp", []) if t["match"][0]["gateways"] == ["istio-egressgateway"]]
            legs[spec["hosts"][0]] = (len(mesh), [t["route"][0]["destination"]["host"] for t in onward])
    assert legs == {s["hosts"][0]: (1, [s["hosts"][0]]) for s in servers}


def test_s43_passthrough_routes_through_plain_subsets_and_is_reported(seed: Topology) -> None:
    assert seed.mesh is not None and seed.mesh.egress_gateway is not None
    plain = attrs.evolve(seed, mesh=attrs.evolve(seed.mesh, egress_gateway=attrs.evolve(seed.mesh.egress_gateway, tls_origination=False)))
    rendered = render(planned(plain))
    subsets = find(documents(rendered), "DestinationRule", "istio-egressgateway", "istio-system")["spec"]["subsets"]
    assert all(set(s) == {"name"} for s in subsets) and "I0712" in {d.code for d in rendered.diagnostics}


def test_s44_service_entry_per_external(seed_objects: Objects, seed: Topology) -> None:
    """One entry per external, and for sendgrid and mailgun (587 shared, 465 through the gateway) the gateway's own."""
    entries = {o["metadata"]["name"]: o["spec"]["hosts"] for o in of_kind(seed_objects, "ServiceEntry")}
    split = {f"{e.name}-gateway": list(e.hosts) for e in seed.externals if e.name in {"sendgrid", "mailgun"}}
    assert entries == {e.name: list(e.hosts) for e in seed.externals} | split


def test_s44_service_entries_are_external_and_resolved_by_dns(seed_objects: Objects) -> None:
    modes = {o["metadata"]["name"]: (o["spec"]["location"], o["spec"]["resolution"]) for o in of_kind(seed_objects, "ServiceEntry")}
    shared = {"sendgrid", "mailgun"}  # SMTP 587 is opaque TCP on both: see the S37 tests
    assert {modes[n] for n in modes if n not in shared} == {("MESH_EXTERNAL", "DNS")}


def test_s37_smtp_587_shared_by_two_hosts_keeps_the_resolved_address(seed_objects: Objects) -> None:
    """Without addresses Istio matches opaque TCP by port only: DNS resolution would send every SMTP 587 connection to one host.
    The callers' entry is exported to the callers only, so the gateway never sees it."""
    entries = {o["metadata"]["name"]: o["spec"] for o in of_kind(seed_objects, "ServiceEntry")}
    assert [(entries[n]["resolution"], [p["number"] for p in entries[n]["ports"]], entries[n]["exportTo"]) for n in ("sendgrid", "mailgun")] == [
        ("NONE", [587, 465], ["orion-notification"]),
        ("NONE", [587, 465], ["orion-notification"]),
    ]


def test_s37_the_egress_gateway_resolves_smtps_465_by_dns_in_an_entry_only_it_sees(seed_objects: Objects) -> None:
    """With resolution NONE the egress gateway's route to smtp.*:465 is an original-destination cluster, and the original
    destination of what a sidecar sent to the gateway is the gateway itself: Istio's "Egress Gateways" task
    (istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/): "If the resolution is NONE, the gateway will
    direct the traffic to itself in an infinite loop" (quoted in istio/istio#50075). A proxy that saw two entries of one host
    with different resolutions would keep only one (istio/istio#54988), so each is exported to one side only."""
    entries = {o["metadata"]["name"]: o["spec"] for o in of_kind(seed_objects, "ServiceEntry")}
    names = ("sendgrid-gateway", "mailgun-gateway")
    assert [(entries[n]["resolution"], [p["number"] for p in entries[n]["ports"]], entries[n]["exportTo"]) for n in names] == [
        ("DNS", [465], ["."]),
        ("DNS", [465], ["."]),
    ]


def test_s37_each_host_on_a_shared_opaque_port_is_reported_as_unenforced(seed_rendered: Rendered) -> None:
    assert [d.summary for d in seed_rendered.diagnostics if d.code == "I0711"] == [
        "smtp.sendgrid.net:587 is opaque TCP, and smtp.mailgun.org uses port 587 too: neither the sidecar nor the egress gateway "
        "can tell them apart, so any host on 587 is reachable",
        "smtp.mailgun.org:587 is opaque TCP, and smtp.sendgrid.net uses port 587 too: neither the sidecar nor the egress gateway "
        "can tell them apart, so any host on 587 is reachable",
    ]


def test_s37_smtp_587_of_one_host_is_resolved_by_dns(seed: Topology) -> None:
    alone = attrs.evolve(seed, externals=tuple(e for e in seed.externals if e.name != "mailgun"))
    entry = find(documents(render(planned(alone))), "ServiceEntry", "sendgrid", "istio-system")["spec"]
    assert entry["resolution"] == "DNS"


def test_s44_a_wildcard_external_host_is_not_resolved_by_dns(seed: Topology) -> None:
    """Istio resolves only whole names by DNS: a ServiceEntry with ``*.`` and resolution DNS is refused."""
    stripe = next(e for e in seed.externals if e.name == "stripe")
    wild = attrs.evolve(seed, externals=tuple(attrs.evolve(e, hosts=("*.stripe.com",)) if e is stripe else e for e in seed.externals))
    entry = find(documents(render(planned(wild))), "ServiceEntry", "stripe", "istio-system")["spec"]
    assert entry["resolution"] == "NONE"


def test_s45_access_logging_mesh_wide(seed_objects: Objects) -> None:
    spec = find(seed_objects, "Telemetry", "mesh-default", "istio-system")["spec"]
    assert spec["accessLogging"] == [{"providers": [{"name": "envoy"}]}]


def test_s45_rate_limit_and_cost_tracking_are_reported(seed_rendered: Rendered) -> None:
    assert {"I0708", "I0709"} <= {d.code for d in seed_rendered.diagnostics}


def test_s46_mesh_scope_only_in_injected_namespaces(seed_objects: Objects) -> None:
    scoped = {o["metadata"]["namespace"] for o in of_kind(seed_objects, "Sidecar")}
    # the seed's four, and orion-system: its admin UI calls the gateway, which admits only mTLS identities
    assert scoped == {"orion-gateway", "orion-auth", "orion-user", "orion-notification", "orion-system"}


def test_s47_strict_mtls_mesh_wide(seed_objects: Objects) -> None:
    assert find(seed_objects, "PeerAuthentication", "default", "istio-system")["spec"] == {"mtls": {"mode": "STRICT"}}


def test_s47_no_port_accepts_plaintext(seed_objects: Objects) -> None:
    opened = {
        (o["metadata"]["name"], port)
        for o in of_kind(seed_objects, "PeerAuthentication")
        for port, mode in o["spec"].get("portLevelMtls", {}).items()
        if mode == {"mode": "PERMISSIVE"}
    }
    # Prometheus scrapes meshed pods at the Istio agent (15020), which no PeerAuthentication covers, and
    # the ingress is Istio's meshed gateway: no port is PERMISSIVE.
    assert opened == set()


def test_s48_load_balancing(seed_objects: Objects) -> None:
    balancing = {
        o["metadata"]["name"]: o["spec"]["trafficPolicy"]["loadBalancer"]
        for o in of_kind(seed_objects, "DestinationRule")
        if o["metadata"]["namespace"] not in ("istio-system", "orion-ingress") and "loadBalancer" in o["spec"]["trafficPolicy"]
    }
    assert balancing == {
        "gateway": {"simple": "LEAST_REQUEST"},
        "auth": {"simple": "ROUND_ROBIN"},
        "user": {"simple": "LEAST_REQUEST"},
        "analytics": {"simple": "ROUND_ROBIN"},
        # the seed's "IP hash" pins a WebSocket client; behind the gateway the source IP is a gateway pod's (W0305),
        # so the sidecar pins by a cookie it sets on the first response
        "notification": {"consistentHash": {"httpCookie": {"name": "orion-notification", "path": "/", "ttl": "3600s"}}},
    }


def test_s48_calls_between_meshed_services_use_istio_mutual_tls(seed_objects: Objects) -> None:
    rules = [o for o in of_kind(seed_objects, "DestinationRule") if "trafficPolicy" in o["spec"]]
    modes = {o["spec"]["trafficPolicy"]["tls"]["mode"] for o in rules if o["metadata"]["namespace"] != "orion-ingress"}
    assert modes == {"ISTIO_MUTUAL"}
    # the ingress gateway's own rules leave TLS to Istio's auto mTLS (ISTIO_MUTUAL where the backend has a sidecar)
    assert all("tls" not in o["spec"]["trafficPolicy"] for o in rules if o["metadata"]["namespace"] == "orion-ingress")


def test_s49_circuit_breaking(seed_objects: Objects) -> None:
    policy = find(seed_objects, "DestinationRule", "gateway", "orion-gateway")["spec"]["trafficPolicy"]
    # the interval and the ejection cap are written out: Istio's 10s, and at most half the pods
    assert policy["outlierDetection"] == {"consecutive5xxErrors": 5, "interval": "10s", "baseEjectionTime": "30s", "maxEjectionPercent": 50}
    assert policy["connectionPool"] == {"tcp": {"maxConnections": 1000}}


def test_s49_retries_and_timeout(seed_objects: Objects) -> None:
    idempotent, rest = find(seed_objects, "VirtualService", "gateway", "orion-gateway")["spec"]["http"][-2:]
    assert idempotent["match"] == [{"method": {"regex": "GET|HEAD|OPTIONS|TRACE|PUT|DELETE"}}]
    assert (idempotent["timeout"], idempotent["retries"]) == ("15s", {"attempts": 3, "perTryTimeout": "5s", "retryOn": "5xx,reset,connect-failure"})
    # a POST or PATCH is retried only where it never reached the workload
    assert "match" not in rest
    assert (rest["timeout"], rest["retries"]) == ("15s", {"attempts": 3, "perTryTimeout": "5s", "retryOn": "connect-failure"})


def test_requests_that_are_not_idempotent_are_not_retried_after_they_reached_the_workload(seed_objects: Objects) -> None:
    rest = find(seed_objects, "VirtualService", "notification", "orion-notification")["spec"]["http"][-1]
    assert rest["name"] == "default" and rest["retries"] == {"attempts": 0}  # 5xx,reset: both after the request arrived


def test_s49_tracing_sample_rate(seed_objects: Objects) -> None:
    spec = find(seed_objects, "Telemetry", "mesh-default", "istio-system")["spec"]
    assert spec["tracing"] == [{"randomSamplingPercentage": 10}]


def test_s28_blue_green_by_subset_weight(seed_objects: Objects) -> None:
    route = find(seed_objects, "VirtualService", "gateway", "orion-gateway")["spec"]["http"][-1]["route"]
    assert [(r["destination"]["subset"], r["weight"]) for r in route] == [("blue", 100), ("green", 0)]


def test_s28_colour_subsets_select_version_labels(seed_objects: Objects) -> None:
    subsets = find(seed_objects, "DestinationRule", "gateway", "orion-gateway")["spec"]["subsets"]
    assert {s["name"]: s["labels"]["app.kubernetes.io/version"] for s in subsets} == {"blue": "1.0", "green": "1.1"}


def test_s51_request_authentication_at_the_gateway(seed_objects: Objects) -> None:
    spec = find(seed_objects, "RequestAuthentication", "gateway-jwt", "orion-gateway")["spec"]
    assert spec["jwtRules"] == [
        {
            "issuer": "https://auth.orion.com",
            "jwksUri": "https://auth.orion.com/.well-known/jwks.json",
            "forwardOriginalToken": True,
            "audiences": ["api.orion.com"],  # a token the issuer minted for another audience is refused
        }
    ]


def test_s51_login_and_oauth_callbacks_stay_open_without_a_token(seed_objects: Objects) -> None:
    """The DENY rule for requests without a token covers /api/*, but not where a token is obtained."""
    (rule,) = find(seed_objects, "AuthorizationPolicy", "gateway-require-jwt", "orion-gateway")["spec"]["rules"]
    operation = rule["to"][0]["operation"]
    assert operation["paths"] == ["/api/*"]
    assert operation["notPaths"] == ["/api/auth/login", "/api/auth/oauth/*", "/api/auth/register", "/health"]
