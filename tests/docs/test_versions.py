"""A service's versions in the architecture document and the mesh view: each version with its image,
replicas and the traffic that reaches it (weight, matches, mirroring), and the faults injected."""

from __future__ import annotations

import functools

from orion_dsl.backends.docs import render
from orion_dsl.model import Topology
from orion_dsl.views import mesh, topology
from tests.conftest import ROOT, load_topology, topology_of
from tests.kubernetes.test_versions import CANARY
from tests.support.plans import planned

from .markdown import Document


@functools.cache
def _canary() -> Topology:
    return load_topology(ROOT / "examples" / "canary.orion")


def test_the_document_lists_each_version_with_its_image_replicas_and_the_traffic_that_reaches_it() -> None:
    rows = Document(render(planned(_canary())).stream).table("Versions side by side").records()
    reviews = {r["Version"]: (r["Image"], r["Replicas"], r["Traffic"]) for r in rows if r["Service"] == "reviews"}
    assert reviews == {
        "v1": ("docker.io/istio/examples-bookinfo-reviews-v1:1.20.3", "2", "90%"),
        "v2": ("docker.io/istio/examples-bookinfo-reviews-v2:1.20.3", "1", "10%, header end-user = jason"),
        "v3": ("docker.io/istio/examples-bookinfo-reviews-v3:1.20.3", "1", "cookie beta = yes, mirror 10%"),
    }


def test_the_mesh_view_shows_each_version_its_weight_and_the_faults_of_a_service() -> None:
    boxes = {n.id: n.lines for n in mesh.build(_canary()).nodes()}
    assert "v1 x2: 90%" in boxes["envoy_reviews"] and "v2 x1: 10%, header end-user = jason" in boxes["envoy_reviews"]
    assert "fault delay 7s (100%) for header end-user = jason" in boxes["envoy_ratings"]


def test_the_deployment_topology_gives_a_versioned_services_replicas_and_images_per_version() -> None:
    row = Document(render(planned(_canary())).stream).table("Deployment topology").keyed()["reviews"]
    assert row["Replicas"] == "4 (v1 2, v2 1, v3 1)"
    assert row["Image"].split(", ")[1] == "`docker.io/istio/examples-bookinfo-reviews-v2:1.20.3` (v2)"


def test_the_topology_view_gives_a_versioned_services_replicas_per_version() -> None:
    boxes = {n.id: n.lines for n in topology.build(_canary()).nodes()}
    assert "Replicas: v1 x2, v2 x1, v3 x1" in boxes["wl_reviews"]


def test_the_document_lists_each_versions_own_variables_after_the_services() -> None:
    tables = Document(render(planned(topology_of(CANARY))).stream).section("reviews", level=3).tables
    env = next(t for t in tables if t.header == ["Variable", "Value"]).records()
    assert [(r["Variable"], r["Value"]) for r in env] == [
        ("LOG_DIR", "/tmp/logs"),
        ("ENABLE_RATINGS", "false"),
        ("ENABLE_RATINGS (version v2)", "true"),
        ("STAR_COLOR (version v2)", "black"),
        ("RATINGS_HOSTNAME (version v2)", "address ratings:http"),
        ("STAR_COLOR (version v3)", "secret stars key colour"),
    ]


def test_the_workloads_summary_counts_every_versions_replicas_not_the_services_own() -> None:
    summary = Document(render(planned(_canary())).stream).section("reviews", level=3).text
    assert "4 replicas: v1 2, v2 1, v3 1" in summary
