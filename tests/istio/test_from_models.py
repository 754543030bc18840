"""The Istio builders, each fed a topology of the few model facts its behaviour depends on (tests/support/models.py)."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends import kubernetes
from orion_dsl.backends.istio import objects
from orion_dsl.choices import IngressController
from orion_dsl.model import Topology
from tests.support.models import blue_green, call, edge, egress_gateway, external, host, ingress, mesh, port, subnet, topology, workload
from tests.support.plans import planned

Obj = dict[str, Any]

HTTP = port("http", 8080)
HTTPS = port("https", 443)


def _built(t: Topology) -> list[Obj]:
    return objects(planned(t))[0]


def _named(objs: list[Obj], kind: str, name: str) -> Obj:
    (found,) = [o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _names(objs: list[Obj], kind: str) -> list[str]:
    return sorted(o["metadata"]["name"] for o in objs if o["kind"] == kind)


def test_a_meshed_workload_without_ports_gets_no_destination_rule() -> None:
    t = topology(workloads=[workload("worker", meshed=True), workload("api", ports=[HTTP], meshed=True)], mesh=mesh())
    assert _names(_built(t), "DestinationRule") == ["api"]


def test_the_authorization_policy_of_a_workload_admits_exactly_its_meshed_callers_principal_on_the_called_port() -> None:
    web = workload("web", namespace="front", ports=[HTTP], meshed=True, calls=[call("api", HTTP)])
    idle = workload("idle", namespace="front", ports=[HTTP], meshed=True)
    api = workload("api", namespace="back", ports=[HTTP, port("admin", 7000)], meshed=True)
    policy = _named(_built(topology(workloads=[web, idle, api], mesh=mesh())), "AuthorizationPolicy", "api-allow")
    assert policy["metadata"]["namespace"] == "back"
    assert policy["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "api"}}
    assert policy["spec"]["rules"] == [{"from": [{"source": {"principals": ["cluster.local/ns/front/sa/web"]}}], "to": [{"operation": {"ports": ["8080"]}}]}]


def test_a_meshed_workload_nobody_calls_gets_no_authorization_policy_of_its_own() -> None:
    t = topology(workloads=[workload("api", ports=[HTTP], meshed=True)], mesh=mesh())
    assert _names(_built(t), "AuthorizationPolicy") == ["allow-nothing"]


def test_an_unmeshed_caller_without_addresses_is_not_admitted_and_is_reported() -> None:
    legacy = workload("legacy", namespace="old", ports=[HTTP])
    api = workload("api", namespace="back", ports=[HTTP], meshed=True)
    built, diagnostics = objects(planned(topology(workloads=[legacy, api], edges=[edge(legacy, api, HTTP)], mesh=mesh())))
    assert "api-allow" not in _names(built, "AuthorizationPolicy")
    assert [d.code for d in diagnostics if d.code == "I0702"] == ["I0702"]


def _payments(gateway: bool) -> Topology:
    """stripe is called by a meshed workload in ``pay`` and an unmeshed one in ``old``; ``store``'s meshed workload does not call it."""
    stripe = external("stripe", ["api.stripe.com"], [HTTPS], via_egress_gateway=gateway)
    payer = workload("payer", namespace="pay", ports=[HTTP], meshed=True, calls=[call("stripe", HTTPS)])
    legacy = workload("legacy", namespace="old", ports=[HTTP], calls=[call("stripe", HTTPS)])
    shop = workload("shop", namespace="store", ports=[HTTP], meshed=True)
    egress = egress_gateway("istio-egress") if gateway else None
    return topology(workloads=[payer, legacy, shop], externals=[stripe], mesh=mesh(egress_gateway=egress))


def test_a_service_entry_is_exported_only_to_the_namespaces_of_its_meshed_callers() -> None:
    entry = _named(_built(_payments(gateway=False)), "ServiceEntry", "stripe")
    assert entry["spec"]["exportTo"] == [".", "pay"]


def test_a_service_entry_reached_through_the_egress_gateway_is_exported_to_the_gateways_namespace_too() -> None:
    entry = _named(_built(_payments(gateway=True)), "ServiceEntry", "stripe")
    assert entry["spec"]["exportTo"] == [".", "istio-egress", "pay"]


def test_each_blue_green_subset_selects_exactly_the_pods_of_its_colours_deployment() -> None:
    plan = planned(topology(workloads=[workload("api", ports=[HTTP], meshed=True, blue_green=blue_green())], mesh=mesh()))
    rule = _named(objects(plan)[0], "DestinationRule", "api")
    deployments = [o for o in kubernetes.objects(plan)[0] if o["kind"] == "Deployment"]
    pods = [d["spec"]["template"]["metadata"]["labels"] for d in deployments]
    assert len(rule["spec"]["subsets"]) == 2
    for subset in rule["spec"]["subsets"]:
        picked = [labels["orion.dev/colour"] for labels in pods if subset["labels"].items() <= labels.items()]
        assert picked == [subset["name"]]


def _behind_ingress(controller: IngressController = "istio") -> Topology:
    """The ingress sends one host to api's http port; api also has an admin port."""
    api = workload("api", namespace="web", ports=[HTTP, port("admin", 7000)], meshed=True)
    edge_ = ingress("edge", subnet="edge-net", hosts=[host("shop.example.com", "api", HTTP)], controller=controller)
    return topology(workloads=[api], ingress=edge_, subnets=[subnet("edge-net", "10.0.9.0/24")], mesh=mesh())


def test_istios_ingress_gateway_is_admitted_by_its_principal_only_on_the_port_it_calls() -> None:
    policy = _named(_built(_behind_ingress()), "AuthorizationPolicy", "api-allow")
    gateway = {"source": {"principals": ["cluster.local/ns/ingress/sa/edge-istio"]}}
    assert policy["spec"]["rules"] == [{"from": [gateway], "to": [{"operation": {"ports": ["8080"]}}]}]


def test_an_ingress_nginx_controller_outside_the_mesh_is_refused_not_admitted_by_address() -> None:
    built, diagnostics = objects(planned(_behind_ingress("ingress-nginx")))
    assert "api-allow" not in _names(built, "AuthorizationPolicy")
    assert not [o for o in built if o["kind"] == "PeerAuthentication" and o["metadata"]["namespace"] == "web"]
    assert [d.summary for d in diagnostics if d.code == "I0702"] == ["edge -> api:8080 is not allowed by Istio: the caller is outside the mesh"]


def _mail(*providers: str, gateway: bool = True) -> Topology:
    """A meshed mailer calls each provider's SMTP 587 (opaque TCP, STARTTLS) and SMTPS 465; none says ``via egress_gateway``."""
    externals = [external(name, [f"smtp.{name}.example"], [port("smtp", 587), port("smtps", 465)]) for name in providers]
    mailer = workload("mailer", namespace="mail", ports=[HTTP], meshed=True, calls=[call(e.name, p) for e in externals for p in e.ports])
    return topology(workloads=[mailer], externals=externals, mesh=mesh(egress_gateway=egress_gateway() if gateway else None))


def test_with_an_egress_gateway_an_external_not_marked_via_it_is_routed_through_it() -> None:
    built = _built(_mail("sendgrid"))
    legs = _named(built, "VirtualService", "egress-smtp-sendgrid-example")["spec"]
    assert legs["gateways"] == ["mesh", "istio-egressgateway"]
    mesh_legs = [t["match"][0] for t in legs["tls"] if t["match"][0]["gateways"] == ["mesh"]]
    assert mesh_legs == [{"gateways": ["mesh"], "port": 465, "sniHosts": ["smtp.sendgrid.example"]}]


def test_an_opaque_tcp_port_no_other_host_uses_goes_to_the_egress_gateway_by_port_and_on_to_its_one_host() -> None:
    built = _built(_mail("sendgrid"))
    tcp = _named(built, "VirtualService", "egress-smtp-sendgrid-example")["spec"]["tcp"]
    assert [(t["match"][0], t["route"][0]["destination"]["host"]) for t in tcp] == [
        ({"gateways": ["mesh"], "port": 587}, "istio-egressgateway.istio-system.svc.cluster.local"),
        ({"gateways": ["istio-egressgateway"], "port": 587}, "smtp.sendgrid.example"),
    ]
    servers = _named(built, "Gateway", "istio-egressgateway")["spec"]["servers"]
    assert {s["port"]["number"]: (s["port"]["protocol"], s.get("tls")) for s in servers} == {587: ("TCP", None), 465: ("TLS", {"mode": "PASSTHROUGH"})}
    assert _named(built, "ServiceEntry", "sendgrid")["spec"]["resolution"] == "DNS"


def test_an_opaque_tcp_port_two_hosts_share_stays_off_the_egress_gateway_and_each_host_is_reported() -> None:
    built, diagnostics = objects(planned(_mail("sendgrid", "mailgun")))
    servers = _named(built, "Gateway", "istio-egressgateway")["spec"]["servers"]
    assert {(s["hosts"][0], s["port"]["number"]) for s in servers} == {("smtp.sendgrid.example", 465), ("smtp.mailgun.example", 465)}
    assert "tcp" not in _named(built, "VirtualService", "egress-smtp-sendgrid-example")["spec"]
    assert sorted(d.summary.split(" ", 1)[0] for d in diagnostics if d.code == "I0711") == ["smtp.mailgun.example:587", "smtp.sendgrid.example:587"]


def test_ports_the_egress_gateways_service_lacks_are_reported_once() -> None:
    diagnostics = objects(planned(_mail("sendgrid")))[1]
    assert [d.summary for d in diagnostics if d.code == "I0705"] == [
        "the egress gateway routes ports 465, 587, which the istio-egressgateway Service of Istio's chart does not have (80, 443, 15443)"
    ]


def test_via_egress_gateway_without_a_gateway_is_reported() -> None:
    stripe = external("stripe", ["api.stripe.com"], [HTTPS], via_egress_gateway=True)
    payer = workload("payer", namespace="pay", ports=[HTTP], meshed=True, calls=[call("stripe", HTTPS)])
    diagnostics = objects(planned(topology(workloads=[payer], externals=[stripe], mesh=mesh())))[1]
    assert [d.code for d in diagnostics if d.code == "I0704"] == ["I0704"]
