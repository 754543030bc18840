"""Istio's gateway pods in a namespace they share with meshed workloads (``ingress NAME { namespace X }``, X meshed).

Every spec with an ``istio`` ingress is checked: the seed (its gateway in ``orion-ingress``, which is not meshed), the
examples (Bookinfo's gateway runs in the meshed ``bookinfo``), and the seed with its gateway moved into the meshed
``orion-gateway`` (behind Cloudflare, whose ranges it admits alone).

* The namespace's allow-nothing AuthorizationPolicy has no selector, so it "applies to all workloads in namespace", the
  gateway's Envoys too (https://istio.io/latest/docs/reference/config/security/authorization-policy/); clients must
  still reach the listener ports, judged by the independent evaluator in tests/support/authz.py. Behind a proxy that
  states its ranges, the policy names them in ``ipBlocks``: the connection's peer (Envoy's direct remote address),
  which is the proxy; ``remoteIpBlocks`` is the client that X-Forwarded-For names after numTrustedProxies hops, the
  end user, whose address no range of the proxy holds.
* Istio merges the DestinationRules of one host in one namespace: the first keeps its top-level ``trafficPolicy`` and
  ``exportTo``, the others add their subsets; a rule with a ``workloadSelector`` is kept apart and chosen only for the
  proxies it selects (istio/istio pilot/pkg/model/destination_rule.go ``mergeDestinationRule`` and
  pilot/pkg/model/sidecar.go ``SidecarScope.DestinationRule``, master as stored: the catch-all rule is the one without a
  selector; ``DefaultSidecarScopeForGateway`` gives a gateway its namespace's scope, so the selector applies to it).
  So the gateway's rule selects the gateway's pods where it shares the namespace, and every host has at most one rule
  without a selector per namespace. ``workloadSelector.matchLabels`` is in the vendored
  networking.istio.io/v1 DestinationRule schema (tests/schemas/crds/networking.istio.io/destinationrule_v1.json).
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Any

import pytest

from orion_dsl.backends.istio import render
from orion_dsl.lowering import Role
from orion_dsl.lowering.names import GATEWAY_NAME_LABEL
from orion_dsl.model import Ingress, Topology
from tests.conftest import EXAMPLES, SEED_SPEC, topology_of
from tests.istio.conftest import documents, of_kind
from tests.support.authz import Request, decide
from tests.support.plans import planned

#: A client address no proxy range of the specs holds (TEST-NET-3).
CLIENT_IP = "203.0.113.7"


def _seed_gateway_in_a_meshed_namespace() -> str:
    text = SEED_SPEC.read_text()
    moved = text.replace("  namespace orion-ingress\n", "  namespace orion-gateway\n", 1)
    assert moved != text, "the seed's ingress names its namespace"
    return moved


SPECS = {
    "seed": SEED_SPEC.read_text,
    **{path.stem: path.read_text for path in EXAMPLES},
    "seed-gateway-in-orion-gateway": _seed_gateway_in_a_meshed_namespace,
}


@pytest.fixture(scope="module", params=sorted(SPECS))
def spec(request: pytest.FixtureRequest) -> tuple[Topology, list[dict[str, Any]]]:
    """A spec's topology and its Istio objects."""
    topology = topology_of(SPECS[request.param](), f"{request.param}.orion")
    return topology, documents(render(planned(topology)))


def _gateway(topology: Topology) -> Ingress:
    ing = topology.istio_gateway
    if ing is None or topology.mesh is None:
        pytest.skip("no Istio gateway in a mesh")
    return ing


def _meshed(topology: Topology, namespace: str) -> bool:
    return any(w.meshed and w.namespace == namespace for w in topology.workloads)


def _client(ing: Ingress, port: int, source_ip: str) -> Request:
    """A plaintext request from outside the cluster to the gateway's pods (Istio puts the Gateway's name on them)."""
    return Request(None, None, ing.namespace, {GATEWAY_NAME_LABEL: ing.name}, port, source_ip=source_ip)


def test_some_spec_puts_its_gateway_in_a_meshed_namespace_behind_ranges_and_some_without() -> None:
    """The cases below are not all skipped: a shared meshed namespace occurs with and without proxy ranges."""
    found = set()
    for name, text in SPECS.items():
        topology = topology_of(text(), f"{name}.orion")
        ing = topology.istio_gateway
        if ing is not None and _meshed(topology, ing.namespace):
            found.add(bool(topology.front_ranges()))
    assert found == {True, False}


def test_clients_reach_every_listener_of_the_gateway_from_where_its_network_policy_admits_them(spec: tuple[Topology, list[dict[str, Any]]]) -> None:
    topology, objects = spec
    ing = _gateway(topology)
    ranges = topology.front_ranges()
    source = str(next(ranges[0].hosts())) if ranges else CLIENT_IP
    for port in ing.listen:
        assert decide(objects, _client(ing, port.number, source)), (ing.namespace, port.number)


def test_the_gateway_admits_no_other_port_and_behind_ranges_no_other_address(spec: tuple[Topology, list[dict[str, Any]]]) -> None:
    topology, objects = spec
    ing = _gateway(topology)
    if not _meshed(topology, ing.namespace):
        pytest.skip("no AuthorizationPolicy applies to a gateway in a namespace without a mesh")
    ranges = topology.front_ranges()
    source = str(next(ranges[0].hosts())) if ranges else CLIENT_IP
    other = max(p.number for p in ing.listen) + 1
    assert not decide(objects, _client(ing, other, source))
    if ranges:
        assert not any(ipaddress.ip_address(CLIENT_IP) in r for r in ranges)
        assert not decide(objects, _client(ing, ing.listen[0].number, CLIENT_IP))


def test_a_host_has_one_destination_rule_without_a_selector_per_namespace(spec: tuple[Topology, list[dict[str, Any]]]) -> None:
    _, objects = spec
    catch_all = Counter((o["metadata"]["namespace"], o["spec"]["host"]) for o in of_kind(objects, "DestinationRule") if "workloadSelector" not in o["spec"])
    assert [key for key, count in catch_all.items() if count > 1] == []


def test_the_gateway_s_destination_rules_select_its_pods_where_meshed_workloads_share_its_namespace(spec: tuple[Topology, list[dict[str, Any]]]) -> None:
    topology, objects = spec
    ing = _gateway(topology)
    names = {(e.namespace, e.name) for e in planned(topology).of_role(Role.INGRESS_BALANCE)}
    mine = [o for o in of_kind(objects, "DestinationRule") if (o["metadata"]["namespace"], o["metadata"]["name"]) in names]
    assert mine, "the gateway balances its backends with its own rules"
    selectors = {repr(o["spec"].get("workloadSelector")) for o in mine}
    wanted = {"matchLabels": {GATEWAY_NAME_LABEL: ing.name}} if _meshed(topology, ing.namespace) else None
    assert selectors == {repr(wanted)}
