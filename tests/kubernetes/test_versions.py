"""A service's versions: a Deployment each with its own image and replicas, one Service over all,
a budget per replicated version; and a blue-green colour runs the image the spec names for it."""

from __future__ import annotations

from typing import Any

from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK, topology_of
from tests.support.plans import planned
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, main_container, objects, of_kind

REVIEWS = (
    NETWORK
    + """namespace shop {
  subnet apps
  service page { image "shop/page:1.0"; port http 9080; calls reviews:http }
  service reviews {
    port http 9080
    replicas 2
    version v1 { image "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3" }
    version v2 { image "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3"; replicas 1 }
  }
}
"""
)


def _objs(text: str = REVIEWS) -> list[dict[str, Any]]:
    return objects(topology_of(text))


def test_each_version_is_a_deployment_named_after_it_running_its_own_image_exactly() -> None:
    objs = _objs()
    images = {d["metadata"]["name"]: main_container(d)["image"] for d in of_kind(objs, "Deployment") if d["metadata"]["name"].startswith("reviews")}
    assert images == {
        "reviews-v1": "docker.io/istio/examples-bookinfo-reviews-v1:1.20.3",
        "reviews-v2": "docker.io/istio/examples-bookinfo-reviews-v2:1.20.3",
    }


def test_a_version_runs_its_own_replicas_else_the_services() -> None:
    objs = _objs()
    assert find(objs, "Deployment", "reviews-v1")["spec"]["replicas"] == 2
    assert find(objs, "Deployment", "reviews-v2")["spec"]["replicas"] == 1


def test_each_versions_deployment_selects_only_its_own_pods_labelled_with_the_version() -> None:
    for version in ("v1", "v2"):
        deployment = find(_objs(), "Deployment", f"reviews-{version}")
        selector = deployment["spec"]["selector"]["matchLabels"]
        assert selector == {"app.kubernetes.io/name": "reviews", "app.kubernetes.io/version": version}
        assert deployment["spec"]["template"]["metadata"]["labels"].items() >= selector.items()
        assert validate_core(deployment, NEWEST_K8S) == []


def test_the_one_service_of_a_versioned_service_selects_every_versions_pods() -> None:
    objs = _objs()
    assert [s["metadata"]["name"] for s in of_kind(objs, "Service") if s["metadata"]["name"].startswith("reviews")] == ["reviews"]
    assert find(objs, "Service", "reviews")["spec"]["selector"] == {"app.kubernetes.io/name": "reviews"}


def test_only_a_version_with_more_than_one_replica_gets_a_disruption_budget_selecting_its_pods() -> None:
    budgets = {b["metadata"]["name"]: b["spec"]["selector"]["matchLabels"] for b in of_kind(_objs(), "PodDisruptionBudget")}
    assert budgets == {"reviews-v1": {"app.kubernetes.io/name": "reviews", "app.kubernetes.io/version": "v1"}}


def test_the_network_policy_of_a_versioned_service_admits_its_callers_to_every_version() -> None:
    ingress = find(_objs(), "NetworkPolicy", "reviews-ingress")
    assert ingress["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "reviews"}}


def test_with_vertical_scaling_each_version_gets_a_vpa_targeting_its_deployment() -> None:
    objs = _objs(REVIEWS + "scaling { vertical auto }\n")
    targets = {v["metadata"]["name"]: v["spec"]["targetRef"]["name"] for v in of_kind(objs, "VerticalPodAutoscaler")}
    assert targets["reviews-v1"] == "reviews-v1" and targets["reviews-v2"] == "reviews-v2" and "reviews" not in targets


def _colours(blue_green: str, image: str = "shop/catalog:2.1") -> dict[str, str]:
    text = NETWORK + f'namespace shop {{\n  subnet apps\n  service catalog {{ image "{image}"; port http 8080; blue_green {{ {blue_green} }} }}\n}}\n'
    return {d["metadata"]["name"]: main_container(d)["image"] for d in of_kind(_objs(text), "Deployment")}


def test_a_blue_green_colour_with_its_own_image_runs_it_exactly_as_written() -> None:
    colours = _colours('blue "v1" image "shop/reviews-v1:1.20"; green "v2" image "shop/reviews-v2:1.20"; active blue')
    assert colours == {"catalog-blue": "shop/reviews-v1:1.20", "catalog-green": "shop/reviews-v2:1.20"}


def test_a_blue_green_colour_without_an_image_runs_the_workloads_image_tagged_with_its_version() -> None:
    colours = _colours('blue "2.1"; green "2.2" image "shop/catalog-next:1"; active blue', image="registry:5000/shop/catalog:2.1")
    assert colours == {"catalog-blue": "registry:5000/shop/catalog:2.1", "catalog-green": "shop/catalog-next:1"}


def test_a_blue_green_colour_without_an_image_beside_an_image_pinned_by_digest_is_refused() -> None:
    digest = "shop/catalog@sha256:" + "a" * 64
    text = (
        NETWORK
        + f'namespace shop {{\n  subnet apps\n  service catalog {{ image "{digest}"; port http 8080; blue_green {{ blue "1"; green "2"; active blue }} }}\n}}\n'
    )
    assert [d.code for d in analyze_text(text).diagnostics if d.is_error] == ["E0216", "E0216"]


#: Istio's bookinfo reviews reads ENABLE_RATINGS and STAR_COLOR from its environment
#: (istio/istio samples/bookinfo/src/reviews/reviews-application/src/main/java/application/rest/LibertyRestEndpoint.java:
#: ``System.getenv("STAR_COLOR") == null ? "black" : ...``): one image, three versions told apart by their variables.
CANARY = (
    NETWORK
    + """namespace shop {
  subnet apps
  service page { image "shop/page:1.0"; port http 9080; calls reviews:http }
  service ratings { image "shop/ratings:1.0"; port http 9080 }
  service reviews {
    image "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3"
    port http 9080
    env LOG_DIR "/tmp/logs"
    env ENABLE_RATINGS "false"
    version v1 { image "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3" }
    version v2 {
      image "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3"
      env ENABLE_RATINGS "true"
      env STAR_COLOR "black"
      env RATINGS_HOSTNAME address ratings:http
    }
    version v3 { image "docker.io/istio/examples-bookinfo-reviews-v3:1.20.3"; env STAR_COLOR secret "stars" key "colour" }
  }
}
"""
)


def _env(objs: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return list(main_container(find(objs, "Deployment", name)).get("env", []))


def test_a_versions_env_replaces_the_services_variable_of_its_name_in_place_and_adds_its_others_after() -> None:
    objs = _objs(CANARY)
    assert _env(objs, "reviews-v1") == [{"name": "LOG_DIR", "value": "/tmp/logs"}, {"name": "ENABLE_RATINGS", "value": "false"}]
    assert [(e["name"], e.get("value")) for e in _env(objs, "reviews-v2")] == [
        ("LOG_DIR", "/tmp/logs"),
        ("ENABLE_RATINGS", "true"),
        ("STAR_COLOR", "black"),
        ("RATINGS_HOSTNAME", "ratings.shop.svc.cluster.local:9080"),
    ]
    assert _env(objs, "reviews-v3")[-1] == {"name": "STAR_COLOR", "valueFrom": {"secretKeyRef": {"name": "stars", "key": "colour", "optional": False}}}
    for version in ("v1", "v2", "v3"):
        assert validate_core(find(objs, "Deployment", f"reviews-{version}"), NEWEST_K8S) == []


def test_a_versions_address_declares_the_call_for_the_service_whose_policies_select_every_version() -> None:
    reviews = next(w for w in topology_of(CANARY).workloads if w.name == "reviews")
    assert [(c.target, c.port.name) for c in reviews.calls] == [("ratings", "http")]
    egress = find(_objs(CANARY), "NetworkPolicy", "reviews-egress")
    assert egress["spec"]["podSelector"] == {"matchLabels": {"app.kubernetes.io/name": "reviews"}}


def test_only_the_version_that_reads_a_secret_into_its_environment_skips_the_scanners_secret_env_check() -> None:
    objs = _objs(CANARY)
    annotations = {name: find(objs, "Deployment", name)["metadata"].get("annotations", {}) for name in ("reviews-v1", "reviews-v3")}
    skipped = {name: any("CKV_K8S_35" in v for v in found.values()) for name, found in annotations.items()}
    assert skipped == {"reviews-v1": False, "reviews-v3": True}


def test_a_version_naming_one_variable_twice_is_refused() -> None:
    text = CANARY.replace('env STAR_COLOR "black"', 'env STAR_COLOR "black"\n      env STAR_COLOR "red"')
    assert [d.code for d in analyze_text(text).diagnostics if d.is_error] == ["E0203"]


def test_the_prerequisites_name_only_the_versions_whose_environment_reads_a_secret() -> None:
    readers = [r.name for r in planned(topology_of(CANARY)).entries if any(ref.name == "stars" for ref in r.refs)]
    assert readers == ["reviews-v3"]


def test_a_version_that_states_args_runs_them_instead_of_the_services_and_the_others_keep_the_services() -> None:
    text = CANARY.replace('    env LOG_DIR "/tmp/logs"\n', '    env LOG_DIR "/tmp/logs"\n    args "--port", "9080"\n').replace(
        'env STAR_COLOR "black"', 'env STAR_COLOR "black"\n      args "--port", "9080", "--stars"'
    )
    objs = _objs(text)
    args = {v: main_container(find(objs, "Deployment", f"reviews-{v}")).get("args") for v in ("v1", "v2")}
    assert args == {"v1": ["--port", "9080"], "v2": ["--port", "9080", "--stars"]}
