"""ServiceEntries of externals on a shared opaque TCP port (SMTP 587): their ``addresses``, and how the callers' and the
egress gateway's entries of one host are kept apart."""

from __future__ import annotations

from typing import Any

from orion_dsl.backends.istio import render
from tests.conftest import topology_of
from tests.istio.conftest import documents, find, of_kind
from tests.kubernetes.test_network_policies import World
from tests.support.netpol import Cluster, External
from tests.support.plans import planned
from tests.support.schemas import validate_crd

Objects = list[dict[str, Any]]

SPEC = """
topology t { version "1.0.0" }
network { default deny }
mesh istio { mtls strict; egress_gateway { namespace istio-system } }
namespace mail { mesh on; service mailer { image "x/mailer:1"; port http 8080; calls relay, other:smtp } }
external relay { host "smtp.relay.example"; port smtp 587; port smtps 465; addresses 198.51.100.0/24, 192.0.2.16/28 }
external other { host "smtp.other.example"; port smtp 587 }
"""


def _entries(text: str = SPEC) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o["spec"] for o in of_kind(documents(render(planned(topology_of(text)))), "ServiceEntry")}


def test_a_service_entry_resolved_none_lists_the_externals_addresses() -> None:
    """Istio matches opaque TCP by port alone unless the entry has ``addresses``; with them a sidecar takes a 587
    connection for relay only if it goes to relay's ranges (ServiceEntry reference, ``addresses``)."""
    entries = _entries()
    assert (entries["relay"]["resolution"], entries["relay"]["addresses"]) == ("NONE", ["198.51.100.0/24", "192.0.2.16/28"])
    assert "addresses" not in entries["other"]
    relay = find(documents(render(planned(topology_of(SPEC)))), "ServiceEntry", "relay", "istio-system")
    assert validate_crd(relay) == []


def test_a_service_entry_resolved_by_dns_gets_no_cidr_addresses() -> None:
    """Istio refuses CIDR addresses unless the resolution is NONE or STATIC
    (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c pkg/config/validation/validation.go, ValidateServiceEntry:
    "CIDR addresses are allowed only for NONE/STATIC resolution types"): the gateway's own entry of relay (465, DNS) has none."""
    gateway = _entries()["relay-gateway"]
    assert gateway["resolution"] == "DNS" and "addresses" not in gateway


def test_no_namespace_sees_two_service_entries_of_one_host() -> None:
    """ORION exports the callers' entry (NONE) to the callers' namespaces and the gateway's (DNS) to the gateway's alone,
    assuming a proxy sees only the entries exported to its namespace. Istio's source holds it
    (istio/istio@86c9f01fd735fb01d8192f5bcaf0d424afb7f14c):

    * pilot/pkg/model/push_context.go ``initServiceRegistry`` indexes each ServiceEntry's service under every namespace
      of its ``exportTo`` (``.`` as its own namespace) in ``ServiceIndex.exportedToNamespace``, and
      ``servicesExportedToNamespace(ns)`` returns that namespace's list plus the public (``*``) ones;
    * pilot/pkg/model/sidecar.go ``DefaultSidecarScopeForGateway`` / ``convertToSidecarScope`` build a proxy's services
      from that list alone, and ``appendSidecarServices`` merges two services of one host only when
      ``canMergeServices`` (same namespace, same resolution, ...), otherwise keeps the first and drops the other
      (istio/istio#54988).

    So each entry reaches its own side only if no namespace is in both exportTo lists, which this checks."""
    seen: dict[tuple[str, str], list[str]] = {}
    for o in of_kind(documents(render(planned(topology_of(SPEC)))), "ServiceEntry"):
        home = o["metadata"]["namespace"]
        for ns in o["spec"]["exportTo"]:
            assert ns != "*"
            for h in o["spec"]["hosts"]:
                seen.setdefault((home if ns == "." else ns, h), []).append(o["metadata"]["name"])
    assert seen[("mail", "smtp.relay.example")] == ["relay"] and seen[("istio-system", "smtp.relay.example")] == ["relay-gateway"]
    assert all(len(names) == 1 for names in seen.values()), seen


def test_the_egress_gateway_reaches_an_external_with_addresses_at_those_only() -> None:
    """relay's 465 goes through the gateway: the gateway's NetworkPolicy opens 465 to relay's ranges only; 587, shared,
    leaves the mailer directly, to relay's ranges and (other states none) to every public address."""
    w = World(topology_of(SPEC))
    assert w.gateway is not None
    cluster = Cluster(w.pods, w.namespaces, w.policies)
    assert cluster.allowed(w.gateway, External("198.51.100.9"), 465) and cluster.allowed(w.gateway, External("192.0.2.20"), 465)
    assert not cluster.allowed(w.gateway, External("203.0.113.10"), 465)
    egress = find(w.policies, "NetworkPolicy", "istio-egressgateway-egress", "istio-system")["spec"]["egress"]
    assert {"to": [{"ipBlock": {"cidr": "198.51.100.0/24"}}, {"ipBlock": {"cidr": "192.0.2.16/28"}}], "ports": [{"port": 465, "protocol": "TCP"}]} in egress
