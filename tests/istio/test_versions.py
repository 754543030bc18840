"""Calls to a service with versions: a subset per version, and the traffic block in the one
VirtualService of the service (weights, header and cookie matches, mirroring, faults, a match's own
timeout and retries), schema-valid; the AuthorizationPolicy admits callers to every version."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends.istio import render
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK, ROOT, load_topology
from tests.istio.conftest import documents, find
from tests.support.authz import Request, decide
from tests.support.cookies import HOLDING, NOT_HOLDING, matches
from tests.support.plans import planned
from tests.support.schemas import validate_crd

HOST = "reviews.shop.svc.cluster.local"


def _spec(traffic: str, resilience: str = "") -> str:
    return (
        NETWORK
        + """mesh istio { mtls strict }
namespace shop {
  subnet apps
  mesh on
  service page { image "shop/page:1.0"; port http 9080; calls reviews:http }
  service reviews {
    port http 9080
    version v1 image "shop/reviews-v1:1.0"
    version v2 image "shop/reviews-v2:1.0"
    version v3 image "shop/reviews-v3:1.0"
"""
        + resilience
        + traffic
        + "\n  }\n}\n"
    )


def _objects(traffic: str, resilience: str = "") -> list[dict[str, Any]]:
    analysis = analyze_text(_spec(traffic, resilience))
    assert analysis.plan is not None, [d.summary for d in analysis.diagnostics]
    return documents(render(analysis.plan))


def _http(traffic: str, resilience: str = "") -> list[dict[str, Any]]:
    http: list[dict[str, Any]] = find(_objects(traffic, resilience), "VirtualService", "reviews")["spec"]["http"]
    return http


def test_the_destination_rule_has_a_subset_per_version_selecting_its_pods() -> None:
    rule = find(_objects(""), "DestinationRule", "reviews")
    subsets = {s["name"]: s["labels"] for s in rule["spec"]["subsets"]}
    assert subsets == {v: {"app.kubernetes.io/name": "reviews", "app.kubernetes.io/version": v} for v in ("v1", "v2", "v3")}


def test_without_traffic_a_versioned_service_gets_no_virtual_service() -> None:
    assert [o for o in _objects("") if o["kind"] == "VirtualService"] == []


def test_a_split_weighs_the_default_routes_subsets() -> None:
    (default,) = _http("traffic { split v1 90%, v2 10% }")
    assert default["route"] == [
        {"destination": {"host": HOST, "subset": "v1"}, "weight": 90},
        {"destination": {"host": HOST, "subset": "v2"}, "weight": 10},
    ]


def test_a_header_match_routes_to_its_version_before_the_default_route() -> None:
    first, default = _http('traffic { match header "end-user" "jason" -> v2 }')
    assert first["match"] == [{"headers": {"end-user": {"exact": "jason"}}}]
    assert first["route"] == [{"destination": {"host": HOST, "subset": "v2"}}]
    assert default["name"] == "default" and "match" not in default


def test_a_cookie_match_finds_the_pair_in_the_cookie_header() -> None:
    first, _ = _http('traffic { match cookie "user" "jason" -> v3 }')
    assert first["match"] == [{"headers": {"cookie": {"regex": r"^(.*?;\s*)?(user=jason)(;.*)?$"}}}]


def test_a_cookie_match_finds_the_pair_anywhere_in_a_browsers_cookie_header_and_nothing_like_it() -> None:
    """Envoy reads the VirtualService's ``regex`` as RE2, as a full match; browsers put ``"; "`` between pairs."""
    first, _ = _http('traffic { match cookie "canary" "yes" -> v3 }')
    regex = first["match"][0]["headers"]["cookie"]["regex"]
    assert [h for h in HOLDING if not matches(regex, h)] == []
    assert [h for h in NOT_HOLDING if matches(regex, h)] == []


def test_a_cookie_matchs_punctuation_is_matched_as_itself() -> None:
    """The name and value are escaped, so ``.`` and ``+`` match themselves, not any character or a repetition."""
    first, _ = _http('traffic { match cookie "ab.test" "v1+beta" -> v3 }')
    regex = first["match"][0]["headers"]["cookie"]["regex"]
    assert matches(regex, "a=1; ab.test=v1+beta")
    assert not any(matches(regex, h) for h in ("abxtest=v1+beta", "ab.test=v11beta", "ab.test=v1beta"))


def test_mirror_and_faults_go_on_the_route_that_states_them() -> None:
    matched, default = _http('traffic { mirror v3 20%; abort 503 5%; match header "end-user" "jason" -> v2 { delay 7s } }')
    assert default["mirror"] == {"host": HOST, "subset": "v3"} and default["mirrorPercentage"] == {"value": 20}
    assert default["fault"] == {"abort": {"httpStatus": 503, "percentage": {"value": 5}}}
    assert matched["fault"] == {"delay": {"fixedDelay": "7s", "percentage": {"value": 100}}} and "mirror" not in matched


def test_a_matchs_timeout_replaces_the_services_and_it_keeps_the_services_retries_split_by_method() -> None:
    resilience = 'resilience { timeout 10s; retries 3 on "5xx,connect-failure" }\n'
    http = _http('traffic { match header "end-user" "jason" -> v2 { timeout 2s } }', resilience)
    by_name = {h["name"]: h for h in http}
    assert by_name["header-end-user-jason-idempotent"]["timeout"] == "2s"
    assert by_name["header-end-user-jason-idempotent"]["retries"] == {"attempts": 3, "retryOn": "5xx,connect-failure"}
    assert by_name["header-end-user-jason"]["retries"] == {"attempts": 3, "retryOn": "connect-failure"}
    assert by_name["default"]["timeout"] == "10s"


def test_a_matchs_own_retries_replace_the_services() -> None:
    first, _ = _http('traffic { match header "end-user" "jason" -> v2 { retries 1 on "connect-failure" } }', 'resilience { retries 3 on "connect-failure" }\n')
    assert first["retries"] == {"attempts": 1, "retryOn": "connect-failure"}


def test_every_object_of_a_service_with_versions_and_traffic_is_schema_valid() -> None:
    traffic = 'traffic { split v1 50%, v2 50%; mirror v3; delay 1s 10%; abort 500 1%; match cookie "beta" "yes" -> v3 { timeout 1s; abort 503 } }'
    objs = _objects(traffic, 'resilience { timeout 5s; retries 2 per_try 1s on "5xx" }\n')
    assert [e for o in objs for e in validate_crd(o)] == []


def test_the_authorization_policy_admits_the_caller_to_every_version_and_no_one_else() -> None:
    objs = _objects("traffic { split v1 90%, v2 10% }")
    for version in ("v1", "v2", "v3"):
        pods = {"app.kubernetes.io/name": "reviews", "app.kubernetes.io/version": version}
        caller = Request("cluster.local/ns/shop/sa/page", None, "shop", pods, 9080)
        stranger = Request("cluster.local/ns/shop/sa/other", None, "shop", pods, 9080)
        assert decide(objs, caller) and not decide(objs, stranger)


def test_the_canary_example_sends_the_tester_to_v2_and_splits_the_rest_90_10() -> None:
    objs = documents(render(planned(load_topology(ROOT / "examples" / "canary.orion"))))
    http = find(objs, "VirtualService", "reviews")["spec"]["http"]
    assert http[0]["match"][0]["headers"] == {"end-user": {"exact": "jason"}} and http[0]["route"][0]["destination"]["subset"] == "v2"
    host = "reviews.bookinfo.svc.cluster.local"
    assert http[-1]["route"] == [{"destination": {"host": host, "subset": "v1"}, "weight": 90}, {"destination": {"host": host, "subset": "v2"}, "weight": 10}]
