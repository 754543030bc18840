"""Unit tests for the NetworkPolicy evaluator (tests/support/netpol.py).

Every case is a tiny hand-written cluster whose allowed connection set is worked
out by hand from the Kubernetes API reference, then compared *exactly*.
"""

from __future__ import annotations

from typing import Any

import pytest

from .netpol import Cluster, External, NetworkPolicyError, Pod, allowed_pairs


def policy(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    """A NetworkPolicy dict; ``podSelector`` defaults to ``{}`` (all pods)."""
    spec.setdefault("podSelector", {})
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


WEB = Pod("shop", "web", {"app": "web"}, {"http": (8080, "TCP")})
API = Pod("shop", "api", {"app": "api"}, {"http": (9090, "TCP"), "dns": (53, "UDP")})
DB = Pod("data", "db", {"app": "db"}, {"pg": (5432, "TCP")})
MON = Pod("monitoring", "prom", {"app": "prometheus"}, {"web": (9091, "TCP")})
PODS = [WEB, API, DB, MON]
NAMESPACES = {
    "shop": {"team": "shop"},
    "data": {"team": "data"},
    "monitoring": {"team": "ops"},
}

ALL_OPEN = {(src.key, dst.key, number, protocol) for dst in PODS for src in PODS if src is not dst for number, protocol in dst.ports.values()}


def test_no_policies_allow_everything() -> None:
    assert allowed_pairs(PODS, NAMESPACES, []) == ALL_OPEN


def test_default_deny_ingress_blocks_everything_into_the_namespace() -> None:
    deny = policy("shop", "default-deny")  # no policyTypes, no ingress -> Ingress isolation
    expected = {t for t in ALL_OPEN if not t[1].startswith("shop/")}
    assert allowed_pairs(PODS, NAMESPACES, [deny]) == expected


def test_default_deny_everywhere_blocks_everything() -> None:
    denies = [policy(ns, "deny-all", policyTypes=["Ingress", "Egress"]) for ns in ("shop", "data", "monitoring")]
    assert allowed_pairs(PODS, NAMESPACES, denies, candidate_ports=[(80, "TCP"), (53, "UDP")]) == set()


def test_an_allow_rule_opens_exactly_one_pair() -> None:
    policies = [policy(ns, "deny-all", policyTypes=["Ingress", "Egress"]) for ns in ("shop", "data", "monitoring")] + [
        policy(
            "shop",
            "web-to-api",
            podSelector={"matchLabels": {"app": "web"}},
            policyTypes=["Egress"],
            egress=[
                {
                    "to": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                    "ports": [{"port": 9090}],
                }
            ],
        ),
        policy(
            "shop",
            "api-from-web",
            podSelector={"matchLabels": {"app": "api"}},
            ingress=[
                {
                    "from": [{"podSelector": {"matchLabels": {"app": "web"}}}],
                    "ports": [{"port": "http"}],
                }
            ],
        ),
    ]
    assert allowed_pairs(PODS, NAMESPACES, policies, candidate_ports=[(8080, "TCP")]) == {("shop/web", "shop/api", 9090, "TCP")}


def test_egress_side_must_also_allow() -> None:
    ingress_only = policy(
        "data",
        "db-from-shop",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"team": "shop"}}}]}],
    )
    shop_egress_deny = policy("shop", "no-egress", policyTypes=["Egress"])
    cluster = Cluster(PODS, NAMESPACES, [ingress_only])
    assert cluster.allowed(WEB, DB, 5432)
    assert not cluster.allowed(MON, DB, 5432)
    cluster = Cluster(PODS, NAMESPACES, [ingress_only, shop_egress_deny])
    assert not cluster.allowed(WEB, DB, 5432)
    assert not cluster.allowed(WEB, API, 9090)  # same namespace, still egress-isolated
    assert cluster.allowed(DB, WEB, 8080)  # shop ingress is not isolated


def test_policy_types_default_adds_egress_only_with_egress_rules() -> None:
    only_rules = policy("shop", "p", egress=[{"to": [{"podSelector": {}}]}])
    cluster = Cluster(PODS, NAMESPACES, [only_rules])
    assert cluster.isolated(WEB, "Ingress") and cluster.isolated(WEB, "Egress")
    assert not cluster.allowed(WEB, DB, 5432)  # egress only to the shop namespace
    assert not cluster.allowed(API, WEB, 8080)  # ingress isolated with no ingress rules
    empty_egress = policy("shop", "q", egress=[])
    cluster = Cluster(PODS, NAMESPACES, [empty_egress])
    assert cluster.isolated(WEB, "Ingress") and not cluster.isolated(WEB, "Egress")


def test_namespace_and_pod_selector_in_one_peer_are_anded() -> None:
    both = policy(
        "data",
        "db",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[
            {
                "from": [
                    {
                        "namespaceSelector": {"matchLabels": {"team": "shop"}},
                        "podSelector": {"matchLabels": {"app": "api"}},
                    }
                ]
            }
        ],
    )
    either = policy(
        "data",
        "db",
        podSelector={"matchLabels": {"app": "db"}},
        ingress=[
            {
                "from": [
                    {"namespaceSelector": {"matchLabels": {"team": "shop"}}},
                    {"podSelector": {"matchLabels": {"app": "api"}}},
                ]
            }
        ],
    )
    into_db = {t for t in allowed_pairs(PODS, NAMESPACES, [both]) if t[1] == "data/db"}
    assert into_db == {("shop/api", "data/db", 5432, "TCP")}
    into_db = {t for t in allowed_pairs(PODS, NAMESPACES, [either]) if t[1] == "data/db"}
    # second peer: podSelector alone means pods in the policy's own namespace (data) -> none
    assert into_db == {
        ("shop/api", "data/db", 5432, "TCP"),
        ("shop/web", "data/db", 5432, "TCP"),
    }


def test_namespace_selector_matches_the_automatic_name_label() -> None:
    by_name = policy(
        "data",
        "db",
        ingress=[{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}],
    )
    cluster = Cluster(PODS, {}, [by_name])  # even with no namespace labels given
    assert cluster.allowed(MON, DB, 5432)
    assert not cluster.allowed(WEB, DB, 5432)


def test_match_expressions() -> None:
    pods = [
        Pod("a", "x", {"tier": "front"}, {"p": (80, "TCP")}),
        Pod("a", "y", {"tier": "back"}, {"p": (80, "TCP")}),
        Pod("a", "z", {}, {"p": (80, "TCP")}),
        Pod("a", "target", {"role": "t"}, {"p": (80, "TCP")}),
    ]

    def sources(expressions: list[dict[str, Any]]) -> set[str]:
        pol = policy(
            "a",
            "t",
            podSelector={"matchLabels": {"role": "t"}},
            ingress=[{"from": [{"podSelector": {"matchExpressions": expressions}}]}],
        )
        return {s for s, d, _, _ in allowed_pairs(pods, {}, [pol]) if d == "a/target"}

    assert sources([{"key": "tier", "operator": "In", "values": ["front"]}]) == {"a/x"}
    assert sources([{"key": "tier", "operator": "NotIn", "values": ["front"]}]) == {
        "a/y",
        "a/z",
    }
    assert sources([{"key": "tier", "operator": "Exists"}]) == {"a/x", "a/y"}
    assert sources([{"key": "tier", "operator": "DoesNotExist"}]) == {"a/z"}
    assert sources(
        [
            {"key": "tier", "operator": "Exists"},
            {"key": "tier", "operator": "NotIn", "values": ["back"]},
        ]
    ) == {"a/x"}


def test_named_ports_resolve_against_the_destination_pod() -> None:
    a = Pod("n", "a", {"app": "a"}, {"http": (8080, "TCP")})
    b = Pod("n", "b", {"app": "b"}, {"http": (9000, "TCP"), "admin": (9001, "TCP")})
    ingress_named = policy("n", "in", ingress=[{"ports": [{"port": "http"}]}])
    assert allowed_pairs([a, b], {}, [ingress_named], candidate_ports=[(8080, "TCP"), (9001, "TCP")]) == {
        ("n/a", "n/b", 9000, "TCP"),
        ("n/b", "n/a", 8080, "TCP"),
    }
    egress_named = policy("n", "out", policyTypes=["Egress"], egress=[{"ports": [{"port": "http"}]}])
    # egress from a: "http" means b's port named http (9000), not a's own 8080
    cluster = Cluster([a, b], {}, [egress_named])
    assert cluster.allowed(a, b, 9000)
    assert not cluster.allowed(a, b, 8080)
    assert not cluster.allowed(a, External("1.2.3.4"), 8080)  # a name cannot resolve outside
    udp_name = policy("n", "in", ingress=[{"ports": [{"port": "http", "protocol": "UDP"}]}])
    assert not Cluster([a, b], {}, [udp_name]).allowed(a, b, 9000, "TCP")


def test_end_port_ranges_are_inclusive() -> None:
    target = Pod("n", "t", {}, {})
    client = Pod("n", "c", {}, {})
    ranged = policy(
        "n",
        "r",
        podSelector={},
        ingress=[{"ports": [{"port": 32000, "endPort": 32002}]}],
    )
    cluster = Cluster([target, client], {}, [ranged])
    assert [p for p in range(31998, 32005) if cluster.allowed(client, target, p)] == [
        32000,
        32001,
        32002,
    ]


def test_udp_and_tcp_are_distinct() -> None:
    dns = policy(
        "shop",
        "dns",
        podSelector={"matchLabels": {"app": "api"}},
        ingress=[{"ports": [{"port": 53, "protocol": "UDP"}]}],
    )
    cluster = Cluster(PODS, NAMESPACES, [dns])
    assert cluster.allowed(WEB, API, 53, "UDP")
    assert not cluster.allowed(WEB, API, 53, "TCP")
    assert not cluster.allowed(WEB, API, 9090, "TCP")
    no_port = policy("shop", "udp-any", podSelector={}, ingress=[{"ports": [{"protocol": "UDP"}]}])
    cluster = Cluster(PODS, NAMESPACES, [no_port])
    assert cluster.allowed(WEB, API, 5353, "UDP")
    assert not cluster.allowed(WEB, API, 5353, "TCP")


def test_ip_block_with_except_for_external_peers() -> None:
    egress = policy(
        "shop",
        "internet",
        podSelector={"matchLabels": {"app": "web"}},
        policyTypes=["Egress"],
        egress=[
            {
                "to": [
                    {
                        "ipBlock": {
                            "cidr": "0.0.0.0/0",
                            "except": ["10.0.0.0/8", "169.254.169.254/32"],
                        }
                    }
                ]
            }
        ],
    )
    cluster = Cluster(PODS, NAMESPACES, [egress])
    assert cluster.allowed(WEB, External("1.2.3.4"), 443)
    assert not cluster.allowed(WEB, External("10.1.2.3"), 443)
    assert not cluster.allowed(WEB, External("169.254.169.254"), 80)
    assert not cluster.allowed(WEB, External("2001:db8::1"), 443)  # IPv4 block, IPv6 address
    assert not cluster.allowed(WEB, API, 9090)  # ipBlock never matches pods here
    assert cluster.allowed(API, External("10.1.2.3"), 443)  # api is not egress-isolated
    ingress = policy(
        "shop",
        "lb",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[
            {
                "from": [
                    {
                        "ipBlock": {
                            "cidr": "203.0.113.0/24",
                            "except": ["203.0.113.128/25"],
                        }
                    }
                ]
            }
        ],
    )
    cluster = Cluster(PODS, NAMESPACES, [ingress])
    assert cluster.allowed(External("203.0.113.5"), WEB, 8080)
    assert not cluster.allowed(External("203.0.113.200"), WEB, 8080)
    assert not cluster.allowed(API, WEB, 8080)


def test_empty_from_or_to_means_everyone_including_externals() -> None:
    open_ingress = policy("shop", "open", podSelector={"matchLabels": {"app": "web"}}, ingress=[{}])
    cluster = Cluster(PODS, NAMESPACES, [open_ingress])
    assert cluster.allowed(External("8.8.8.8"), WEB, 8080)
    assert cluster.allowed(DB, WEB, 1234)
    ns_any = policy("shop", "ns-any", ingress=[{"from": [{"namespaceSelector": {}}]}])
    cluster = Cluster(PODS, NAMESPACES, [ns_any])
    assert cluster.allowed(DB, WEB, 8080)
    assert not cluster.allowed(External("8.8.8.8"), WEB, 8080)  # namespaceSelector {} = pods only


def test_policies_are_additive_and_namespaced() -> None:
    a = policy(
        "shop",
        "a",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[{"ports": [{"port": 8080}]}],
    )
    b = policy(
        "shop",
        "b",
        podSelector={"matchLabels": {"app": "web"}},
        ingress=[{"ports": [{"port": 8081}]}],
    )
    other_ns = policy("data", "c", podSelector={})  # isolates only data pods
    cluster = Cluster(PODS, NAMESPACES, [a, b, other_ns])
    assert cluster.allowed(API, WEB, 8080) and cluster.allowed(API, WEB, 8081)
    assert not cluster.allowed(API, WEB, 8082)
    assert cluster.allowed(WEB, API, 9090)
    assert not cluster.allowed(WEB, DB, 5432)


def test_externals_in_allowed_pairs() -> None:
    internet = External("1.2.3.4")
    egress = policy(
        "shop",
        "web-out",
        podSelector={"matchLabels": {"app": "web"}},
        policyTypes=["Egress"],
        egress=[{"to": [{"ipBlock": {"cidr": "1.2.3.0/24"}}], "ports": [{"port": 443}]}],
    )
    pairs = allowed_pairs(
        [WEB],
        {},
        [egress],
        candidate_ports=[(443, "TCP"), (80, "TCP")],
        externals=[internet],
    )
    assert pairs == {
        ("shop/web", "1.2.3.4", 443, "TCP"),
        ("1.2.3.4", "shop/web", 8080, "TCP"),
        ("1.2.3.4", "shop/web", 443, "TCP"),
        ("1.2.3.4", "shop/web", 80, "TCP"),
    }


@pytest.mark.parametrize(
    "bad_spec",
    [
        {"ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "a", "operator": "Equals"}]}}]}]},
        {"ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "a", "operator": "In"}]}}]}]},
        {"ingress": [{"from": [{"podSelector": {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}}]}]},
        {"ingress": [{"ports": [{"port": "http", "endPort": 90}]}]},
        {"ingress": [{"ports": [{"port": 100, "endPort": 90}]}]},
        {"ingress": [{"ports": [{"port": 80, "protocol": "ICMP"}]}]},
        {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}]}]},
        {"ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["11.0.0.0/16"]}}]}]},
        {"ingress": [{"from": [{}]}]},
        {"ingress": [{"form": []}]},
        {"policyTypes": ["Inbound"]},
    ],
)
def test_malformed_policies_are_rejected(bad_spec: dict[str, Any]) -> None:
    with pytest.raises(NetworkPolicyError):
        Cluster(PODS, NAMESPACES, [policy("shop", "bad", **bad_spec)])


def test_bad_inputs_are_rejected() -> None:
    with pytest.raises(ValueError):
        External("not-an-ip")
    with pytest.raises(ValueError):
        Pod("n", "p", {}, {"http": (70000, "TCP")})
    with pytest.raises(ValueError):
        Cluster([WEB, WEB], {}, [])
    no_ns = policy("shop", "x")
    del no_ns["metadata"]["namespace"]
    with pytest.raises(ValueError):
        Cluster(PODS, {}, [no_ns])
    with pytest.raises(ValueError):
        Cluster(
            PODS,
            {},
            [{"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "a"}}],
        )
    cluster = Cluster(PODS, NAMESPACES, [])
    with pytest.raises(TypeError):
        cluster.allowed(External("1.1.1.1"), External("2.2.2.2"), 80)
    with pytest.raises(ValueError):
        cluster.allowed(WEB, API, 80, "tcp")
