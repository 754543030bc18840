"""Where egress leaves the cluster when the spec states addresses: ``network { api_server ... }``, an external's
``addresses`` and a recovery target's. Evaluated with tests/support/netpol.py: the pods reach the stated ranges on
the ports their edges open and no address outside them; without addresses the open callers are reported."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from orion_dsl.backends.kubernetes.policies import API_SERVER, PUBLIC, covered, unshadowed
from orion_dsl.lowering.egress import allow_list_gaps
from orion_dsl.model import Port, Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.support.netpol import Cluster, External, Pod

from .helpers import rendered
from .test_network_policies import World, outside_connections

PUBLIC_IP = "203.0.113.10"  # TEST-NET-3, outside every range the spec below states
PRIVATE_IP = "10.200.0.7"

SPEC = """
topology t {{ version "1.0.0" }}
network {{ default deny{api_server} }}
namespace app {{
  service panel {{ image "x/panel:1"; port http 8080; kubernetes_api on; calls ntp:ntp, relay:smtp, other:smtp }}
}}
namespace data {{
  statefulset cache {{ image "redis:7.4"; port redis 6379; storage data 1Gi at "/data"; backup snapshot every 1h to store }}
}}
external ntp {{ host "pool.ntp.org"; port ntp 123/udp{ntp} }}
external relay {{ host "smtp.relay.example"; port smtp 587{relay} }}
external other {{ host "smtp.other.example"; port smtp 587 }}
recovery {{ target store {{ kind s3; region us-east-1; bucket "b"{store} }} }}
"""


def _spec(stated: bool = True) -> str:
    """The spec above with its addresses stated (the API server's, two externals' and the store's), or none."""
    if not stated:
        return SPEC.format(api_server="", ntp="", relay="", store="")
    return SPEC.format(
        api_server="; api_server 10.0.0.1/32, 172.20.0.0/28",
        ntp="; addresses 192.0.2.0/28",
        relay="; addresses 198.51.100.0/24",
        store="; addresses 203.0.113.128/25",
    )


def _world(stated: bool = True) -> World:
    return World(topology_of(_spec(stated)))


def _pod(w: World, owner: str) -> Pod:
    return next(p for p in w.pods if w.owner[p.key] == owner)


def test_api_server_egress_goes_to_the_stated_addresses_only() -> None:
    w = _world()
    cluster = Cluster(w.pods, w.namespaces, w.policies)
    panel = _pod(w, "panel")
    assert cluster.allowed(panel, External("10.0.0.1"), 443) and cluster.allowed(panel, External("172.20.0.9"), 6443)
    for outside in ("10.0.0.2", "172.20.0.16", PUBLIC_IP, PRIVATE_IP):
        assert not cluster.allowed(panel, External(outside), 443) and not cluster.allowed(panel, External(outside), 6443), outside


def test_with_addresses_stated_the_outside_connections_equal_the_allow_graph() -> None:
    """The exact set: each edge to the API server or an external reaches the test addresses inside its stated ranges only."""
    got, expected = outside_connections(_world())
    assert got == expected
    assert not any(dst == PRIVATE_IP for _, dst, _, _ in got)  # the API server's ranges leave 10.200.0.7 out


def test_an_external_with_addresses_is_reached_at_those_only_on_its_ports() -> None:
    """Outside the mesh, 123/udp and 587 go straight out: to ntp's and relay's ranges; other's 587 still to any public address."""
    w = _world()
    cluster = Cluster(w.pods, w.namespaces, w.policies)
    panel = _pod(w, "panel")
    assert cluster.allowed(panel, External("192.0.2.5"), 123, "UDP") and not cluster.allowed(panel, External(PUBLIC_IP), 123, "UDP")
    assert not cluster.allowed(panel, External("198.51.100.7"), 123, "UDP")
    assert cluster.allowed(panel, External("198.51.100.7"), 587)
    assert cluster.allowed(panel, External(PUBLIC_IP), 587)  # other states no addresses: its rule is every public address


def test_an_unmeshed_backup_job_reaches_its_store_at_the_targets_addresses_only() -> None:
    w = _world()
    backup = Pod("data", "cache-backup", {"app.kubernetes.io/name": "cache-backup"}, {})
    cluster = Cluster([*w.pods, backup], w.namespaces, w.policies)
    assert cluster.allowed(backup, External("203.0.113.200"), 443)
    assert not cluster.allowed(backup, External(PUBLIC_IP), 443)
    assert cluster.allowed(backup, _pod(w, "cache"), 6379)


def test_without_addresses_the_open_egress_is_reported_per_caller_set_external_and_store() -> None:
    diagnostics = rendered(topology_of(_spec(stated=False))).diagnostics
    found = [(d.code, d.summary.split(":")[0]) for d in diagnostics if d.code in ("I1088", "I1089", "I1090")]
    assert found == [
        ("I1088", "panel may reach any address but link-local on 443 and 6443, the internet included"),
        ("I1089", "panel calls ntp from outside the mesh"),
        ("I1089", "panel calls relay from outside the mesh"),
        ("I1089", "panel calls other from outside the mesh"),
        ("I1090", "the backups of cache reach store at any public address on 443"),
    ]


def test_stated_addresses_silence_their_reports() -> None:
    codes = [(d.code, d.summary.split(" from")[0]) for d in rendered(topology_of(_spec())).diagnostics if d.code in ("I1088", "I1089", "I1090")]
    assert codes == [("I1089", "panel calls other")]


def test_the_allow_list_gaps_leave_out_the_externals_that_state_addresses() -> None:
    topology: Topology = topology_of(_spec())
    assert allow_list_gaps(topology) == [
        "on 587/TCP, which smtp.other.example, smtp.relay.example share",
        "for callers outside the mesh (panel), which no sidecar checks",
    ]


def test_an_address_that_is_not_a_cidr_is_refused() -> None:
    analysis = analyze_text(_spec().replace("198.51.100.0/24", "smtp.relay.example"))
    assert analysis.topology is None and any(d.severity.value == "error" for d in analysis.diagnostics)


WIDE = SPEC.format(
    api_server="; api_server 0.0.0.0/0",
    ntp="; addresses 0.0.0.0/0",
    relay="; addresses 160.0.0.0/3",
    store="; addresses 0.0.0.0/0",
)
METADATA_IP = "169.254.169.254"


def test_a_stated_supernet_leaves_the_private_and_link_local_ranges_inside_it_closed() -> None:
    """A stated range narrows the rule it replaces: the ranges that rule leaves out stay out where they lie inside it
    (``0.0.0.0/0`` for ntp and the store, ``160.0.0.0/3`` holding 169.254/16 and 172.16/12 for relay); the API
    server's rule leaves out link-local alone, since its endpoints may be private."""
    w = World(topology_of(WIDE))
    backup = Pod("data", "cache-backup", {"app.kubernetes.io/name": "cache-backup"}, {})
    cluster = Cluster([*w.pods, backup], w.namespaces, w.policies)
    panel = _pod(w, "panel")
    assert cluster.allowed(panel, External(PUBLIC_IP), 123, "UDP") and cluster.allowed(panel, External("170.0.0.1"), 587)
    assert cluster.allowed(backup, External(PUBLIC_IP), 443)
    for closed in (PRIVATE_IP, METADATA_IP, "172.20.0.9", "192.168.1.1", "100.64.0.1"):
        assert not cluster.allowed(panel, External(closed), 123, "UDP"), closed
        assert not cluster.allowed(panel, External(closed), 587), closed
        assert not cluster.allowed(backup, External(closed), 443), closed
    assert cluster.allowed(panel, External(PRIVATE_IP), 6443) and not cluster.allowed(panel, External(METADATA_IP), 6443)


def test_every_except_lies_strictly_inside_its_cidr() -> None:
    """The API server refuses an ``except`` outside its ``cidr`` or equal to it (k8s.io/kubernetes
    pkg/apis/networking/validation ``ValidateIPBlock``: "must be a strict subset of `cidr`")."""
    alone = WIDE.replace(", other:smtp", "").replace('external other { host "smtp.other.example"; port smtp 587 }\n', "")
    w = World(topology_of(alone))  # without other, whose every public address on 587 would leave relay's rule out
    blocks = [peer["ipBlock"] for p in w.policies for rule in p["spec"].get("egress", []) for peer in rule.get("to", []) if "ipBlock" in peer]
    assert {b["cidr"] for b in blocks} == {"0.0.0.0/0", "160.0.0.0/3"}
    for b in blocks:
        cidr = ipaddress.IPv4Network(b["cidr"])
        assert all(ipaddress.IPv4Network(x).subnet_of(cidr) and ipaddress.IPv4Network(x) != cidr for x in b.get("except", ())), b


def _range_diagnostics(text: str) -> list[tuple[str, str]]:
    return [(d.code, d.summary.split(",")[0]) for d in analyze_text(text).diagnostics if d.code in ("E0235", "W0322")]


def test_a_range_wider_than_a_slash_8_is_reported_wherever_it_is_stated() -> None:
    assert _range_diagnostics(WIDE) == [
        ("W0322", "`network { api_server }` states 0.0.0.0/0"),
        ("W0322", 'external "ntp" states 0.0.0.0/0'),
        ("W0322", 'external "relay" states 160.0.0.0/3'),
        ("W0322", 'target "store" states 0.0.0.0/0'),
    ]
    assert _range_diagnostics(_spec()) == []


def test_an_externals_range_that_reaches_a_subnet_or_link_local_addresses_is_refused() -> None:
    """An external is outside the cluster: its range, less the private ranges inside it, must not reach a subnet or
    169.254/16. A private range apart from the subnets is a host in the same network (a managed database), and a
    recovery target's private range an in-network object store: no report."""
    spec = _spec().replace("default deny", "default deny; subnet data 10.0.2.0/24").replace("namespace data {", "namespace data { subnet data")
    assert _range_diagnostics(spec) == []
    assert _range_diagnostics(spec.replace("192.0.2.0/28", "10.0.0.0/8")) == [("E0235", 'external "ntp" states 10.0.0.0/8')]
    assert _range_diagnostics(spec.replace("192.0.2.0/28", "10.0.2.7/32")) == [("E0235", 'external "ntp" states 10.0.2.7/32')]
    assert _range_diagnostics(spec.replace("192.0.2.0/28", "169.254.169.254/32")) == [("E0235", 'external "ntp" states 169.254.169.254/32')]
    assert _range_diagnostics(spec.replace("192.0.2.0/28", "10.50.0.5/32").replace("203.0.113.128/25", "10.0.2.0/24")) == []
    assert _range_diagnostics(spec.replace("192.0.2.0/28", "0.0.0.0/0")) == [("W0322", 'external "ntp" states 0.0.0.0/0')]


SHARED_PORT = """
topology t {{ version "1.0.0" }}
network {{ default deny }}
mesh istio {{ mtls strict; egress_gateway {{ namespace egress }} }}
namespace app {{
  mesh on
  service shop {{ image "x/shop:1"; port http 8080; calls stripe:https, github:https }}
}}
{batch}
external stripe {{ host "api.stripe.com"; port https 443; addresses 3.18.12.0/24 }}
external github {{ host "github.com"; port https 443{github} }}
"""
#: A workload outside the mesh that calls stripe directly and talks to the API server (any address but link-local on 443).
BATCH = 'namespace batch { service sync { image "x/sync:1"; port http 8080; kubernetes_api on; calls stripe:https } }'
STRIPE_IP, GITHUB_IP = "3.18.12.7", "140.82.112.3"
NARROWED_GITHUB = "; addresses 140.82.112.0/20"


def _shared(github: str = "", batch: str = BATCH) -> str:
    """Two externals on 443 through the egress gateway, stripe narrowed; github narrowed too or not; sync or not."""
    return SHARED_PORT.format(github=github, batch=batch)


def _gateway_egress(w: World) -> list[dict[str, Any]]:
    [policy] = [p for p in w.policies if p["metadata"]["name"] == "istio-egressgateway-egress"]
    return [r for r in policy["spec"]["egress"] if {"port": 443, "protocol": "TCP"} in r["ports"]]


def _i1030(text: str) -> str:
    [found] = [d.summary for d in rendered(topology_of(text)).diagnostics if d.code == "I1030"]
    return found


def test_a_narrowed_externals_rule_beside_every_public_address_on_its_port_is_left_out() -> None:
    """NetworkPolicy rules add up: the egress gateway reaches every public address on 443 for github, so stripe's rule to
    3.18.12.0/24 on 443 would allow nothing more, and is not written; the gateway still reaches both. The API server's
    rule (any address but link-local on 443) does the same for sync, which calls stripe from outside the mesh."""
    w = World(topology_of(_shared()))
    assert [r["to"] for r in _gateway_egress(w)] == [[PUBLIC]]
    cluster = Cluster(w.pods, w.namespaces, w.policies)
    assert w.gateway is not None
    assert cluster.allowed(w.gateway, External(STRIPE_IP), 443) and cluster.allowed(w.gateway, External(GITHUB_IP), 443)
    [sync] = [p for p in w.policies if p["metadata"]["name"] == "sync-egress"]
    assert [r["to"] for r in sync["spec"]["egress"] if {"port": 443, "protocol": "TCP"} in r["ports"]] == [[API_SERVER]]


def test_with_every_external_on_the_port_narrowed_each_keeps_its_rule() -> None:
    w = World(topology_of(_shared(NARROWED_GITHUB)))
    assert [r["to"] for r in _gateway_egress(w)] == [[{"ipBlock": {"cidr": "140.82.112.0/20"}}], [{"ipBlock": {"cidr": "3.18.12.0/24"}}]]
    assert w.gateway is not None
    cluster = Cluster(w.pods, w.namespaces, w.policies)
    assert cluster.allowed(w.gateway, External(STRIPE_IP), 443) and not cluster.allowed(w.gateway, External(PUBLIC_IP), 443)


def test_i1030_names_an_external_narrowed_only_where_no_rule_opens_its_port_to_every_public_address() -> None:
    """stripe's 443 stays open to every public address for github's sake on the gateway (and for the API server's on sync):
    I1030 says so instead of "at their stated addresses". With github narrowed too, the gateway's 443 is narrowed, but sync's
    is not: stripe is still named open. Without sync, both are narrowed."""
    assert "(stated, yet open to every public address on the same pods and port: stripe)" in _i1030(_shared())
    both = _shared(NARROWED_GITHUB)
    assert "(at their stated addresses: github; stated, yet open to every public address on the same pods and port: stripe)" in _i1030(both)
    alone = _shared(NARROWED_GITHUB, batch="")
    assert "(at their stated addresses: github, stripe)" in _i1030(alone)


def _block(cidr: str, *left_out: str) -> dict[str, Any]:
    return {"ipBlock": {"cidr": cidr, **({"except": list(left_out)} if left_out else {})}}


@pytest.mark.parametrize(
    ("narrow", "wide", "held"),
    [
        (_block("3.18.12.0/24"), PUBLIC, True),
        (_block("10.99.0.0/16"), PUBLIC, False),  # inside an except
        (_block("10.99.0.0/16"), API_SERVER, True),
        (_block("160.0.0.0/3", "169.254.0.0/16", "172.16.0.0/12"), PUBLIC, True),
        (_block("160.0.0.0/3"), PUBLIC, False),  # holds 169.254/16, which PUBLIC leaves out
        (API_SERVER, PUBLIC, False),
        (PUBLIC, API_SERVER, True),
    ],
)
def test_a_block_is_covered_when_every_address_of_it_is_in_the_other(narrow: dict[str, Any], wide: dict[str, Any], held: bool) -> None:
    assert covered((narrow,), (wide,)) is held


def test_only_narrowed_pairs_beside_every_public_address_on_their_port_are_left_out() -> None:
    """The API server's rule holds every public address, yet the object store's rule to them beside it is kept: only
    stated ranges are dropped, so a spec without any keeps its rules as they were."""
    https, smtp = Port("https", 443), Port("smtp", 587)
    stripe = (_block("3.18.12.0/24"),)
    pairs = [((API_SERVER,), https), ((PUBLIC,), https), (stripe, https), (stripe, smtp)]
    assert unshadowed(pairs) == [((API_SERVER,), https), ((PUBLIC,), https), (stripe, smtp)]
