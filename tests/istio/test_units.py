"""The small pieces: value conversions, hosts that resolve, settings the seed does not use."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from orion_dsl.backends.istio import render
from orion_dsl.backends.istio.names import duration, port_protocol
from orion_dsl.backends.istio.traffic import load_balancer, sticky, uri_match
from orion_dsl.model import Port, SessionAffinity, Topology
from orion_dsl.values import Duration
from tests.istio.conftest import documents
from tests.support.plans import planned


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("least-connection", {"simple": "LEAST_REQUEST"}),
        ("round-robin", {"simple": "ROUND_ROBIN"}),
        ("random", {"simple": "RANDOM"}),
        ("ip-hash", {"consistentHash": {"useSourceIp": True}}),
    ],
)
def test_load_balancer(algorithm: str, expected: dict[str, Any]) -> None:
    assert load_balancer(algorithm) == expected


@pytest.mark.parametrize(("millis", "text"), [(15000, "15s"), (250, "0.250s"), (1500, "1.500s")])
def test_duration(millis: int, text: str) -> None:
    assert duration(millis) == text


@pytest.mark.parametrize(("path", "match"), [("/api/auth/*", {"prefix": "/api/auth/"}), ("/health", {"exact": "/health"})])
def test_uri_match(path: str, match: dict[str, str]) -> None:
    assert uri_match(path) == match


@pytest.mark.parametrize(
    ("port", "protocol"),
    [(Port("https", 443), "HTTPS"), (Port("smtps", 465), "TLS"), (Port("smtp", 587), "TCP"), (Port("ntp", 123, "UDP"), "UDP")],
)
def test_external_port_protocol(port: Port, protocol: str) -> None:
    assert port_protocol(port) == protocol


def test_permissive_mesh_sets_each_meshed_namespace(seed: Topology) -> None:
    assert seed.mesh is not None
    permissive = attrs.evolve(seed, mesh=attrs.evolve(seed.mesh, mtls="permissive"))
    peer = [o for o in documents(render(planned(permissive))) if o["kind"] == "PeerAuthentication"]
    assert {(o["metadata"]["namespace"], o["spec"]["mtls"]["mode"]) for o in peer} == {
        (ns, "PERMISSIVE") for ns in ("orion-auth", "orion-gateway", "orion-notification", "orion-system", "orion-user")
    }


def test_passthrough_without_tls_origination(seed: Topology) -> None:
    assert seed.mesh is not None and seed.mesh.egress_gateway is not None
    plain = attrs.evolve(seed, mesh=attrs.evolve(seed.mesh, egress_gateway=attrs.evolve(seed.mesh.egress_gateway, tls_origination=False)))
    gateway = next(o for o in documents(render(planned(plain))) if o["kind"] == "Gateway")
    assert {s["tls"]["mode"] for s in gateway["spec"]["servers"]} == {"PASSTHROUGH"}


def test_no_mesh_renders_only_an_empty_kustomization(seed: Topology) -> None:
    rendered = render(planned(attrs.evolve(seed, mesh=None)))
    assert ([a.path for a in rendered.artifacts], rendered.stream) == (["istio/kustomization.yaml"], "")


def test_no_mesh_is_reported(seed: Topology) -> None:
    assert [d.code for d in render(planned(attrs.evolve(seed, mesh=None))).diagnostics] == ["I0701"]


def test_udp_external_is_reported(seed_rendered: Any) -> None:
    summaries = [d.summary for d in seed_rendered.diagnostics if d.code == "I0706"]
    assert summaries == ["ntp:123/udp bypasses the sidecar and the egress gateway: Istio proxies TCP only"]


@pytest.mark.parametrize(
    ("affinity", "expected"),
    [
        (SessionAffinity("cookie", "sid", Duration(3_600_000, "1h")), {"httpCookie": {"name": "sid", "path": "/", "ttl": "3600s"}}),
        (SessionAffinity("cookie", "sid", Duration(0, "0s")), {"httpCookie": {"name": "sid", "path": "/", "ttl": "0s"}}),
        (SessionAffinity("header", "x-user-id", Duration(0, "0s")), {"httpHeaderName": "x-user-id"}),
    ],
)
def test_session_affinity_hashes_on_the_cookie_or_header(affinity: SessionAffinity, expected: dict[str, Any]) -> None:
    assert sticky(affinity) == {"consistentHash": expected}
