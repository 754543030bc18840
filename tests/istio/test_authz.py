"""What the generated AuthorizationPolicies permit, judged by the independent evaluator in tests/support/authz.py (S34, S35, S51, S52).

Candidates for every meshed target: every workload and the ingress controller as caller, on
every port of the target. A meshed caller presents its ServiceAccount's mTLS principal (Istio's
ingress gateway that of ``<gateway>-istio``, the ServiceAccount Istio makes for the Gateway); a
caller outside the mesh sends plaintext from a pod address (pod addresses are not pinned, so its
declared ``addresses`` would be wrong). Expected: exactly the allow-graph's edges from meshed
callers, nothing from outside the mesh, but scrapes: Prometheus reads a meshed pod's metrics from the Istio agent's
port 15020, which the sidecar does not capture, so no AuthorizationPolicy admits them (the
NetworkPolicy tests hold Prometheus to 15020).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import attrs
import pytest

from orion_dsl.backends.istio import render
from orion_dsl.lowering.names import NAME_LABEL
from orion_dsl.model import Peer, Topology, Workload
from tests.istio.conftest import documents
from tests.support.authz import Request, decide
from tests.support.plans import planned

PRINCIPAL = re.compile(r"^cluster\.local/ns/([^/]+)/sa/([^/]+)$")


#: An address a pod outside the mesh may have: the CNI assigns it, ORION pins none.
POD_IP = "10.244.7.9"


def _principal(topology: Topology, caller: Peer) -> str | None:
    """The mTLS principal a caller presents: a meshed workload's, Istio's ingress gateway's; None outside the mesh."""
    ing = topology.ingress
    if caller.kind == "ingress" and ing is not None and ing.controller == "istio":
        return f"cluster.local/ns/{ing.namespace}/sa/{ing.name}-istio"
    source = topology.workload(caller.name) if caller.kind == "workload" else None
    if source is None or not source.meshed:
        return None
    return f"cluster.local/ns/{source.namespace}/sa/{source.service_account or source.name}"  # the account it names, else its own


def _callers(topology: Topology) -> list[Peer]:
    peers = [Peer("workload", w.name, w.namespace) for w in topology.workloads]
    if topology.ingress is not None:
        peers.append(Peer("ingress", topology.ingress.name, topology.ingress.namespace))
    return peers


def _request(topology: Topology, caller: Peer, target: Workload, port: int, **extra: Any) -> Request:
    labels = {NAME_LABEL: target.name}
    principal = _principal(topology, caller)
    if principal is not None:
        return Request(principal, None, target.namespace, labels, port, **extra)
    return Request(None, caller.namespace, target.namespace, labels, port, source_ip=POD_IP, **extra)


def allowed_pairs(topology: Topology) -> tuple[set[tuple[str, str, int]], set[tuple[str, str, int]]]:
    """(allowed by the policies, expected from the allow-graph) as (caller, target, port) triples."""
    policies = documents(render(planned(topology)))
    allowed: set[tuple[str, str, int]] = set()
    for target in (w for w in topology.workloads if w.meshed):
        for caller in _callers(topology):
            for port in {p.number for p in target.ports}:
                if decide(policies, _request(topology, caller, target, port)):
                    allowed.add((caller.name, target.name, port))
    meshed = {w.name for w in topology.workloads if w.meshed}
    expected = {
        (e.source.name, e.target.name, e.port.number)
        for e in topology.allow_graph.edges
        if e.target.kind == "workload"
        and e.target.name in meshed
        and e.port.protocol == "TCP"
        and e.rule != "scrape"
        and _principal(topology, e.source) is not None
    }
    return allowed, expected


def test_s52_seed_policies_allow_exactly_the_allow_graph(seed: Topology) -> None:
    allowed, expected = allowed_pairs(seed)
    assert allowed == expected


def test_example_policies_allow_exactly_the_allow_graph(example: Topology) -> None:
    allowed, expected = allowed_pairs(example)
    assert allowed == expected


def test_s34_gateway_principal_reaches_auth_user_notification(seed: Topology) -> None:
    allowed, _ = allowed_pairs(seed)
    assert {("gateway", "auth", 3001), ("gateway", "user", 3002), ("gateway", "notification", 3003)} <= allowed


def test_s52_a_meshed_caller_without_an_edge_is_denied(seed: Topology, seed_objects: list[dict[str, Any]]) -> None:
    auth, user = seed.workload("auth"), seed.workload("user")
    assert auth is not None and user is not None
    assert not decide(seed_objects, _request(seed, Peer("workload", "user", "orion-user"), auth, 3001))


def test_every_principal_is_a_workload_or_the_ingress_gateway_service_account(seed_objects: list[dict[str, Any]], seed: Topology) -> None:
    assert seed.ingress is not None
    accounts = {(w.namespace, w.name) for w in seed.workloads} | {(seed.ingress.namespace, f"{seed.ingress.name}-istio")}
    named = set()
    for policy in (o for o in seed_objects if o["kind"] == "AuthorizationPolicy"):
        for rule in policy["spec"].get("rules", []):
            for entry in rule.get("from", []):
                named.update(entry["source"].get("principals", []))
    parsed = {PRINCIPAL.match(p) for p in named}
    assert named and None not in parsed
    assert {(m.group(1), m.group(2)) for m in parsed if m} <= accounts


def _gateway_request(seed: Topology, path: str, token: bool) -> Request:
    gateway = seed.workload("gateway")
    assert gateway is not None and seed.ingress is not None
    request = _request(seed, Peer("ingress", seed.ingress.name, seed.ingress.namespace), gateway, 3000, path=path)
    return dataclasses.replace(request, request_principal="https://auth.orion.com/user-1") if token else request


def test_s51_protected_path_without_token_is_denied(seed: Topology, seed_objects: list[dict[str, Any]]) -> None:
    assert not decide(seed_objects, _gateway_request(seed, "/api/user/42", token=False))


def test_s51_protected_path_with_token_is_allowed(seed: Topology, seed_objects: list[dict[str, Any]]) -> None:
    assert decide(seed_objects, _gateway_request(seed, "/api/user/42", token=True))


def test_s51_health_path_needs_no_token(seed: Topology, seed_objects: list[dict[str, Any]]) -> None:
    assert decide(seed_objects, _gateway_request(seed, "/health", token=False))


@pytest.mark.parametrize("path", ["/api/auth/login", "/api/auth/register", "/api/auth/oauth/google/callback"])
def test_s51_login_works_without_a_token(seed: Topology, seed_objects: list[dict[str, Any]], path: str) -> None:
    """Where a token is obtained stays open without one (the DENY on /api/* leaves the `public` paths out)."""
    assert decide(seed_objects, _gateway_request(seed, path, token=False))


@pytest.mark.parametrize("token", [False, True])
def test_s42_the_gateways_own_metrics_are_not_served_to_the_internet(seed: Topology, seed_objects: list[dict[str, Any]], token: bool) -> None:
    """`route "/metrics" -> gateway:metrics` is the gateway's own endpoint on 9090: through the edge, on its public port, it is refused
    whatever the application answers there; its health path, on the public port itself, stays open."""
    assert not decide(seed_objects, _gateway_request(seed, "/metrics", token=token))
    assert decide(seed_objects, _gateway_request(seed, "/health", token=token))


def test_s42_other_callers_keep_the_gateways_metrics_path(seed: Topology, seed_objects: list[dict[str, Any]]) -> None:
    admin, gateway = seed.workload("admin-ui"), seed.workload("gateway")
    assert admin is not None and gateway is not None
    assert decide(seed_objects, _request(seed, Peer("workload", admin.name, admin.namespace), gateway, 3000, path="/metrics"))


@pytest.mark.parametrize("path", ["/api/auth/refresh", "/api/auth/login/../../user/1", "/api/auth/loginx"])
def test_s51_only_the_public_paths_are_open_without_a_token(seed: Topology, seed_objects: list[dict[str, Any]], path: str) -> None:
    assert not decide(seed_objects, _gateway_request(seed, path, token=False))


def _outside(seed: Topology) -> Topology:
    """The seed with the gateway's callers outside the mesh: ingress-nginx instead of Istio's gateway,
    and the admin UI without a sidecar."""
    ingress, admin = seed.ingress, seed.workload("admin-ui")
    assert ingress is not None and admin is not None and admin.meshed
    return attrs.evolve(
        seed,
        ingress=attrs.evolve(ingress, controller="ingress-nginx"),
        workloads=tuple(attrs.evolve(w, meshed=False) if w is admin else w for w in seed.workloads),
    )


def test_a_caller_outside_the_mesh_is_refused_and_reported(seed: Topology) -> None:
    outside = _outside(seed)
    reported = {d.summary for d in render(planned(outside)).diagnostics if d.code == "I0702"}
    assert {
        "edge -> gateway:3000 is not allowed by Istio: the caller is outside the mesh",
        "admin-ui -> gateway:3000 is not allowed by Istio: the caller is outside the mesh",
    } <= reported
    allowed, _ = allowed_pairs(outside)
    assert not {("edge", "gateway", 3000), ("admin-ui", "gateway", 3000)} & allowed


def test_a_caller_outside_the_mesh_gets_no_plaintext_port(seed: Topology) -> None:
    policies = documents(render(planned(_outside(seed))))
    assert not any(o["kind"] == "PeerAuthentication" and "portLevelMtls" in o["spec"] for o in policies)
