"""examples/bookinfo.orion against Istio's Bookinfo manifests, fact by fact.

The upstream facts are written out here from istio/istio at commit 86c9f01fd735fb01d8192f5bcaf0d424afb7f14c:
samples/bookinfo/platform/kube/bookinfo.yaml (Deployments, Services, ServiceAccounts), samples/bookinfo/gateway-api/
bookinfo-gateway.yaml (Gateway and HTTPRoute; networking/bookinfo-gateway.yaml is the same route as an Istio Gateway and
VirtualService), and samples/bookinfo/networking/destination-rule-all.yaml, virtual-service-all-v1.yaml,
virtual-service-reviews-test-v2.yaml, virtual-service-reviews-50-v3.yaml, virtual-service-ratings-test-delay.yaml and
virtual-service-ratings-test-abort.yaml. The call graph is the one the images make (productpage reads details and
reviews, reviews v2 and v3 read ratings; Bookinfo's architecture page). The example's header comment lists every
deliberate difference; the test states each where it holds ORION to it.
"""

from __future__ import annotations

import functools
from typing import Any

import pytest
import yaml

from orion_dsl.backends import istio
from tests.conftest import ROOT, topology_of
from tests.support.authz import Request, decide
from tests.support.netpol import Pod, allowed_pairs
from tests.support.plans import planned
from tests.support.ported import example_objects, named_objects

NAMESPACE = "bookinfo"
REGISTRY = "registry.istio.io/release/examples-bookinfo"
#: bookinfo.yaml's Deployments: name -> (image, replicas, serviceAccountName, env, volume mounts).
DEPLOYMENTS: dict[str, tuple[str, int, str, dict[str, str], dict[str, str]]] = {
    "details-v1": (f"{REGISTRY}-details-v1:1.20.3", 1, "bookinfo-details", {}, {}),
    "ratings-v1": (f"{REGISTRY}-ratings-v1:1.20.3", 1, "bookinfo-ratings", {}, {}),
    **{
        f"reviews-{v}": (
            f"{REGISTRY}-reviews-{v}:1.20.3",
            1,
            "bookinfo-reviews",
            {"LOG_DIR": "/tmp/logs"},
            {"tmp": "/tmp", "wlp-output": "/opt/ibm/wlp/output"},
        )
        for v in ("v1", "v2", "v3")
    },
    "productpage-v1": (f"{REGISTRY}-productpage-v1:1.20.3", 1, "bookinfo-productpage", {}, {"tmp": "/tmp"}),
}
#: Every upstream Deployment is `<app>-<version>` with the pod labels `app` and `version`.
APPS = {name: tuple(name.rsplit("-", 1)) for name in DEPLOYMENTS}
#: bookinfo.yaml's Services: each `<app>` with one port `http` 9080 on container port 9080, selecting `app: <app>`.
SERVICES = {app: {"http": (9080, 9080)} for app, _ in APPS.values()}
#: The calls the images make, as (caller Deployment, callee app, container port).
CALLS = {
    ("productpage-v1", "details", 9080),
    ("productpage-v1", "reviews", 9080),
    ("reviews-v2", "ratings", 9080),
    ("reviews-v3", "ratings", 9080),
}
#: Deliberate difference: a service's calls are shared by its versions, so reviews v1 may call ratings too.
SHARED_CALLS = {("reviews-v1", "ratings", 9080)}
#: The gateway's route (gateway-api/bookinfo-gateway.yaml): listener `http` on 80, every match to productpage:9080.
GATEWAY_PORT = 80
GATEWAY_BACKEND = ("productpage", 9080)
GATEWAY_MATCHES = [("Exact", "/productpage"), ("PathPrefix", "/static"), ("Exact", "/login"), ("Exact", "/logout"), ("PathPrefix", "/api/v1/products")]
#: Istio makes the gateway's pods: their labels and account (LANGUAGE.md, ingress).
GATEWAY_POD = Pod(NAMESPACE, "bookinfo-gateway-istio", {"gateway.networking.k8s.io/gateway-name": "bookinfo-gateway"}, {})
GATEWAY_PRINCIPAL = f"cluster.local/ns/{NAMESPACE}/sa/bookinfo-gateway-istio"
#: destination-rule-all.yaml's subsets of the versions bookinfo.yaml runs (its ratings v2* and details v2 run none).
SUBSETS = {"productpage": ["v1"], "details": ["v1"], "reviews": ["v1", "v2", "v3"], "ratings": ["v1"]}
#: virtual-service-all-v1.yaml: every service's default route to subset v1.
ALL_V1 = {"productpage": "v1", "details": "v1", "reviews": "v1", "ratings": "v1"}
#: virtual-service-reviews-test-v2.yaml and -ratings-test-*.yaml: the header that picks jason's requests.
JASON = {"end-user": {"exact": "jason"}}
#: virtual-service-reviews-50-v3.yaml: reviews' default route, 50 to v1 and 50 to v3.
REVIEWS_50_V3 = {"v1": 50, "v3": 50}
#: virtual-service-ratings-test-delay.yaml and -abort.yaml: jason's calls to ratings v1, delayed or failed.
RATINGS_DELAY = {"delay": {"fixedDelay": "7s", "percentage": {"value": 100}}}
RATINGS_ABORT = {"abort": {"httpStatus": 500, "percentage": {"value": 100}}}

_objects = functools.partial(example_objects, "bookinfo")
_of = functools.partial(named_objects, "bookinfo", NAMESPACE)


def _main(deployment: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return container


def _pod_labels(name: str) -> dict[str, str]:
    labels: dict[str, str] = _of("Deployment")[name]["spec"]["template"]["metadata"]["labels"]
    return labels


def test_every_upstream_deployment_is_there_with_its_image_replicas_account_environment_and_mounts() -> None:
    deployments = _of("Deployment")
    assert set(deployments) == set(DEPLOYMENTS)
    for name, (image, replicas, account, env, mounts) in DEPLOYMENTS.items():
        deployment, main = deployments[name], _main(deployments[name])
        assert (main["name"], main["image"], deployment["spec"]["replicas"]) == (APPS[name][0], image, replicas)
        assert deployment["spec"]["template"]["spec"]["serviceAccountName"] == account
        assert {e["name"]: e["value"] for e in main.get("env", [])} == env
        # ORION mounts /tmp in every pod (its root filesystem is read-only); upstream mounts it where the image writes.
        assert {m["name"]: m["mountPath"] for m in main["volumeMounts"]} == {"tmp": "/tmp", **mounts}
        assert all("emptyDir" in v for v in deployment["spec"]["template"]["spec"]["volumes"])


def test_every_pod_keeps_the_upstream_app_label_and_its_version_as_the_canonical_revision() -> None:
    for name, (app, version) in APPS.items():
        labels = _pod_labels(name)
        assert (labels["app"], labels["app.kubernetes.io/name"], labels["app.kubernetes.io/version"]) == (app, app, version)


def test_every_upstream_service_and_account_is_there_and_selects_every_version_of_its_app() -> None:
    services = _of("Service")
    assert set(services) == set(SERVICES)
    assert set(_of("ServiceAccount")) == {account for _, _, account, _, _ in DEPLOYMENTS.values()}
    for name, ports in SERVICES.items():
        selector = services[name]["spec"]["selector"].items()
        selected = {d for d in DEPLOYMENTS if selector <= _pod_labels(d).items()}
        assert selected == {d for d, (app, _) in APPS.items() if app == name}
        numbers = {p["name"]: p["containerPort"] for d in selected for p in _main(_of("Deployment")[d])["ports"]}
        assert {p["name"]: (p["port"], numbers[p["targetPort"]]) for p in services[name]["spec"]["ports"]} == ports


def _pods() -> list[Pod]:
    return [
        Pod(NAMESPACE, name, _pod_labels(name), {p["name"]: (p["containerPort"], p["protocol"]) for p in _main(d)["ports"]})
        for name, d in _of("Deployment").items()
    ] + [GATEWAY_POD]


def test_the_network_policies_open_exactly_the_upstream_call_graph_and_the_gateway_route() -> None:
    policies = [o for o in _objects() if o["kind"] == "NetworkPolicy"]
    pairs = {(src.split("/")[1], dst.split("/")[1], port) for src, dst, port, _ in allowed_pairs(_pods(), {}, policies)}
    pods_of = {app: {d for d, (a, _) in APPS.items() if a == app} for app, _ in APPS.values()}
    expected = {(src, dst, port) for src, app, port in CALLS | SHARED_CALLS for dst in pods_of[app]}
    backend, port = GATEWAY_BACKEND
    assert pairs == expected | {(GATEWAY_POD.name, dst, port) for dst in pods_of[backend]}


def test_the_authorization_policies_admit_exactly_the_upstream_callers_and_the_gateway() -> None:
    accounts = {name: account for name, (_, _, account, _, _) in DEPLOYMENTS.items()}
    for callee in DEPLOYMENTS:
        app = APPS[callee][0]
        for account in sorted(set(accounts.values())):
            admitted = any(accounts[src] == account and dst == app for src, dst, _ in CALLS | SHARED_CALLS)
            request = Request(f"cluster.local/ns/{NAMESPACE}/sa/{account}", None, NAMESPACE, _pod_labels(callee), 9080)
            assert decide(_objects(), request) == admitted, (account, callee)
        gateway = Request(GATEWAY_PRINCIPAL, None, NAMESPACE, _pod_labels(callee), 9080)
        assert decide(_objects(), gateway) == (app == GATEWAY_BACKEND[0]), callee


def test_a_client_from_outside_reaches_the_gateway_on_80_and_no_other_port() -> None:
    """The gateway's pods run in `bookinfo`, whose allow-nothing policy (no selector) covers them too: a plaintext request
    from outside (upstream: `curl http://$GATEWAY_URL/productpage`) must still pass on the listener, and only there."""
    for port, admitted in ((GATEWAY_PORT, True), (9080, False), (15000, False)):
        client = Request(None, None, NAMESPACE, GATEWAY_POD.labels, port, path="/productpage", source_ip="203.0.113.7")
        assert decide(_objects(), client) == admitted, port


def test_the_gateway_listens_on_80_and_routes_any_host_on_exactly_the_upstream_paths_to_productpage() -> None:
    (gateway,) = [o for o in _objects() if o["kind"] == "Gateway"]
    assert [(listener["port"], listener["protocol"]) for listener in gateway["spec"]["listeners"]] == [(GATEWAY_PORT, "HTTP")]
    (route,) = [o for o in _objects() if o["kind"] == "HTTPRoute"]
    assert "hostnames" not in route["spec"]  # any host, as upstream's route names none
    assert [(b["name"], b["port"]) for rule in route["spec"]["rules"] for b in rule["backendRefs"]] == [GATEWAY_BACKEND]
    matches = [(m["path"]["type"], m["path"]["value"]) for rule in route["spec"]["rules"] for m in rule["matches"]]
    assert sorted(matches) == sorted(GATEWAY_MATCHES)  # the order of matches carries no meaning in the Gateway API


def test_the_destination_rules_have_a_subset_per_running_version_selected_by_its_revision_label() -> None:
    for app, versions in SUBSETS.items():
        subsets = _of("DestinationRule")[app]["spec"]["subsets"]
        assert [(s["name"], s["labels"]["app.kubernetes.io/version"]) for s in subsets] == [(v, v) for v in versions]


def _routes(objects: tuple[dict[str, Any], ...], app: str) -> list[dict[str, Any]]:
    (service,) = [o for o in objects if o["kind"] == "VirtualService" and o["metadata"]["name"] == app]
    assert service["spec"]["hosts"] == [f"{app}.{NAMESPACE}.svc.cluster.local"]
    routes: list[dict[str, Any]] = service["spec"]["http"]
    return routes


def _weights(route: dict[str, Any]) -> dict[str, int | None]:
    return {d["destination"]["subset"]: d.get("weight") for d in route["route"]}


def test_reviews_sends_jason_to_v2_and_everyone_else_half_to_v1_and_half_to_v3() -> None:
    jason, default = _routes(_objects(), "reviews")
    assert (jason["match"], _weights(jason)) == ([{"headers": JASON}], {"v2": None})
    assert "match" not in default and _weights(default) == REVIEWS_50_V3


def test_ratings_delays_jasons_calls_by_seven_seconds_and_routes_everyone_to_v1() -> None:
    jason, default = _routes(_objects(), "ratings")
    assert (jason["match"], jason["fault"], _weights(jason)) == ([{"headers": JASON}], RATINGS_DELAY, {"v1": None})
    assert "fault" not in default and _weights(default) in ({"v1": None}, {"v1": 100})


def test_productpage_and_details_route_to_v1_as_the_all_v1_file_does() -> None:
    for app in ("productpage", "details"):
        (route,) = _routes(_objects(), app)
        assert set(_weights(route)) == {ALL_V1[app]}


def _variant(old: str, new: str) -> tuple[dict[str, Any], ...]:
    """The Istio objects of the example with one statement replaced: another of the tasks' files."""
    text = (ROOT / "examples" / "bookinfo.orion").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    stream = istio.render(planned(topology_of(text.replace(old, new), "bookinfo.orion"))).stream
    return tuple(d for d in yaml.safe_load_all(stream) if d)


@pytest.mark.parametrize(
    ("old", "new", "app", "fault"),
    [
        ('match header "end-user" "jason" -> v2\n      split v1 50%, v3 50%', "split v1 100%", "reviews", None),
        ("{ delay 7s 100% }", "{ abort 500 100% }", "ratings", RATINGS_ABORT),
    ],
    ids=["virtual-service-all-v1-reviews", "virtual-service-ratings-test-abort"],
)
def test_the_other_task_files_are_one_edit_of_the_traffic_block_away(old: str, new: str, app: str, fault: dict[str, Any] | None) -> None:
    routes = _routes(_variant(old, new), app)
    assert set(_weights(routes[-1])) == {ALL_V1[app]}
    if fault is None:
        assert len(routes) == 1
    else:
        assert (routes[0]["match"], routes[0]["fault"]) == ([{"headers": JASON}], fault)
