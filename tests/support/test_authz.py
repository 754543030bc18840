"""Unit tests for the Istio AuthorizationPolicy evaluator (tests/support/authz.py).

The expected outcomes follow the Istio reference examples (allow-nothing, allow-all,
deny-all, principal wildcards, JWT ``requestPrincipals: ["*"]``, TCP behaviour from
the authz-tcp task); each feature is shown both to allow and to REJECT.
"""

from __future__ import annotations

from typing import Any

import pytest

from .authz import Request, decide, evaluate, string_match


def ap(namespace: str, name: str, **spec: Any) -> dict[str, Any]:
    """An AuthorizationPolicy dict."""
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }


FRONTEND = "cluster.local/ns/shop/sa/frontend"
BATCH = "cluster.local/ns/jobs/sa/batch"


def req(principal: str | None = FRONTEND, port: int = 8080, **kw: Any) -> Request:
    """A request to the ``app: api`` workload in namespace ``shop``."""
    kw.setdefault("dst_namespace", "shop")
    kw.setdefault("dst_labels", {"app": "api"})
    return Request(principal, kw.pop("source_namespace", None), port=port, **kw)


ALLOW_FRONTEND_8080 = ap(
    "shop",
    "api-from-frontend",
    selector={"matchLabels": {"app": "api"}},
    action="ALLOW",
    rules=[
        {
            "from": [{"source": {"principals": [FRONTEND]}}],
            "to": [{"operation": {"ports": ["8080"]}}],
        }
    ],
)


def test_no_policy_allows_everything() -> None:
    assert decide([], req())
    assert decide([], req(None))


def test_allow_nothing_denies_everything() -> None:
    allow_nothing = ap("shop", "allow-nothing")  # spec: {}
    assert allow_nothing["spec"] == {}
    assert not decide([allow_nothing], req())
    assert not decide([allow_nothing], req(BATCH, port=9090))
    assert decide([allow_nothing], req(dst_namespace="other"))  # other namespaces are untouched
    assert not decide([ap("shop", "empty-rules", rules=[])], req())


def test_allow_all_rule_allows_everything() -> None:
    policies = [ap("shop", "allow-nothing"), ap("shop", "allow-all", rules=[{}])]
    assert decide(policies, req(None, port=1, path="/admin", method="DELETE"))


def test_allow_for_one_principal_and_port() -> None:
    policies = [ap("shop", "allow-nothing"), ALLOW_FRONTEND_8080]
    assert decide(policies, req())
    assert not decide(policies, req(port=9090))
    assert not decide(policies, req(BATCH))
    assert not decide(policies, req(None))  # plaintext has no principal
    # the selector limits the policy to app=api; app=web only sees allow-nothing
    assert not decide(policies, req(dst_labels={"app": "web"}))
    assert decide([ALLOW_FRONTEND_8080], req(BATCH, dst_labels={"app": "web"}))  # no ALLOW applies


def test_deny_overrides_allow() -> None:
    deny_admin = ap(
        "shop",
        "deny-admin",
        action="DENY",
        rules=[{"to": [{"operation": {"paths": ["/admin*"]}}]}],
    )
    policies = [ap("shop", "allow-all", rules=[{}]), deny_admin]
    assert decide(policies, req(path="/orders"))
    assert not decide(policies, req(path="/admin"))
    assert not decide(policies, req(path="/admin/users?x=1"))
    deny_all = ap("shop", "deny-all", action="DENY", rules=[{}])
    decision = evaluate([ALLOW_FRONTEND_8080, deny_all], req())
    assert not decision.allowed and "shop/deny-all" in decision.reason
    assert decide([ap("shop", "deny-nothing", action="DENY")], req())  # DENY without rules matches nothing


def test_principal_wildcards() -> None:
    def allowed(pattern: str, principal: str | None) -> bool:
        policy = ap("shop", "p", rules=[{"from": [{"source": {"principals": [pattern]}}]}])
        return decide([policy], req(principal))

    assert allowed("*", FRONTEND) and not allowed("*", None)
    assert allowed("cluster.local/ns/shop/*", FRONTEND) and not allowed("cluster.local/ns/shop/*", BATCH)
    assert allowed("*/sa/batch", BATCH) and not allowed("*/sa/batch", FRONTEND)
    assert not allowed("cluster.local/ns/shop/sa/front", FRONTEND)  # exact means exact
    assert string_match("abc*", "abc") and string_match("*abc", "abc") and not string_match("*", "")


def test_not_principals_and_namespaces() -> None:
    policy = ap(
        "shop",
        "p",
        rules=[
            {
                "from": [
                    {
                        "source": {
                            "namespaces": ["shop", "jobs"],
                            "notPrincipals": [BATCH],
                        }
                    }
                ]
            }
        ],
    )
    assert decide([policy], req(FRONTEND))
    assert not decide([policy], req(BATCH))
    assert not decide([policy], req("cluster.local/ns/evil/sa/x"))
    assert not decide([policy], req(None))  # no principal -> no namespace either
    only_not = ap("shop", "q", rules=[{"from": [{"source": {"notNamespaces": ["jobs"]}}]}])
    assert decide([only_not], req(FRONTEND))
    assert not decide([only_not], req(BATCH))
    assert decide([only_not], req(None))  # absent attribute satisfies a negative match


def test_request_principals_star_requires_a_jwt() -> None:
    policy = ap("shop", "jwt", rules=[{"from": [{"source": {"requestPrincipals": ["*"]}}]}])
    assert not decide([policy], req())
    assert decide([policy], req(request_principal="https://issuer.example.com/alice"))
    issuer_only = ap(
        "shop",
        "iss",
        rules=[{"from": [{"source": {"requestPrincipals": ["https://issuer.example.com/*"]}}]}],
    )
    assert decide([issuer_only], req(request_principal="https://issuer.example.com/bob"))
    assert not decide([issuer_only], req(request_principal="https://other.example.com/bob"))


def test_operation_fields() -> None:
    policy = ap(
        "shop",
        "ops",
        rules=[
            {
                "to": [
                    {
                        "operation": {
                            "methods": ["GET", "HEAD"],
                            "paths": ["/api/*"],
                            "notPaths": ["/api/admin*"],
                        }
                    },
                    {
                        "operation": {
                            "methods": ["POST"],
                            "paths": ["/api/orders"],
                            "hosts": ["api.shop.svc*"],
                        }
                    },
                ]
            }
        ],
    )
    assert decide([policy], req(method="GET", path="/api/items"))
    assert not decide([policy], req(method="GET", path="/api/admin/x"))
    assert not decide([policy], req(method="DELETE", path="/api/items"))
    assert decide(
        [policy],
        req(method="POST", path="/api/orders", host="API.shop.svc.cluster.local"),
    )
    assert not decide([policy], req(method="POST", path="/api/orders"))  # no host header
    not_ports = ap("shop", "np", rules=[{"to": [{"operation": {"notPorts": ["15020", "9090"]}}]}])
    assert decide([not_ports], req(port=8080)) and not decide([not_ports], req(port=9090))


def test_root_namespace_policies_apply_mesh_wide() -> None:
    mesh_nothing = ap("istio-system", "allow-nothing")
    assert not decide([mesh_nothing], req())
    assert not decide([mesh_nothing], req(dst_namespace="anything"))
    assert decide([mesh_nothing, ALLOW_FRONTEND_8080], req())
    assert decide([mesh_nothing], req(), root_namespace="mesh-root")  # other root: no ALLOW applies
    versioned = ap("istio-system", "v1-only", selector={"matchLabels": {"version": "v1"}})
    assert not decide([versioned], req(dst_labels={"app": "api", "version": "v1"}))
    assert decide([versioned], req(dst_labels={"app": "api", "version": "v2"}))


def test_custom_and_audit_are_ignored() -> None:
    custom = ap("shop", "ext", action="CUSTOM", provider={"name": "opa"}, rules=[{}])
    audit = ap("shop", "audit", action="AUDIT", rules=[{}])
    assert decide([custom, audit], req())
    assert not decide([custom, audit, ap("shop", "allow-nothing")], req())


def test_service_accounts_field() -> None:
    policy = ap(
        "shop",
        "sa",
        rules=[{"from": [{"source": {"serviceAccounts": ["shop/frontend"]}}]}],
    )
    assert decide([policy], req(FRONTEND))
    assert not decide([policy], req(BATCH))
    assert not decide([policy], req(None))


def test_when_conditions() -> None:
    claims = ap(
        "shop",
        "claims",
        rules=[
            {
                "from": [{"source": {"requestPrincipals": ["*"]}}],
                "when": [
                    {
                        "key": "request.auth.claims[iss]",
                        "values": ["https://issuer.example.com"],
                    },
                    {"key": "request.auth.claims[groups]", "values": ["admins"]},
                    {"key": "request.auth.claims[org][team]", "notValues": ["blocked"]},
                ],
            }
        ],
    )
    good = {
        "iss": "https://issuer.example.com",
        "groups": ["users", "admins"],
        "org": {"team": "a"},
    }
    jwt = "https://issuer.example.com/alice"
    assert decide([claims], req(request_principal=jwt, claims=good))
    assert not decide([claims], req(request_principal=jwt, claims={**good, "groups": ["users"]}))
    assert not decide(
        [claims],
        req(request_principal=jwt, claims={**good, "org": {"team": "blocked"}}),
    )
    assert not decide([claims], req(request_principal=jwt, claims={"groups": ["admins"]}))  # no iss
    headers = ap(
        "shop",
        "h",
        rules=[{"when": [{"key": "request.headers[X-Version]", "values": ["v1", "v2*"]}]}],
    )
    assert decide([headers], req(headers={"x-version": "v2-beta"}))
    assert not decide([headers], req(headers={"x-version": "v3"}))
    src = ap(
        "shop",
        "s",
        rules=[
            {
                "when": [
                    {"key": "source.namespace", "values": ["shop"]},
                    {"key": "destination.port", "values": ["8080"]},
                ]
            }
        ],
    )
    assert decide([src], req()) and not decide([src], req(BATCH)) and not decide([src], req(port=80))
    ip = ap("shop", "ip", rules=[{"when": [{"key": "source.ip", "values": ["10.0.0.0/8"]}]}])
    assert decide([ip], req(source_ip="10.1.2.3")) and not decide([ip], req(source_ip="192.168.0.1"))


def test_tcp_requests_follow_the_authz_tcp_task() -> None:
    allow_ports = ap("shop", "tcp", rules=[{"to": [{"operation": {"ports": ["9000", "9001"]}}]}])
    assert decide([allow_ports], req(port=9000, tcp=True))
    assert not decide([allow_ports], req(port=9002, tcp=True))
    allow_with_method = ap(
        "shop",
        "tcp",
        rules=[{"to": [{"operation": {"methods": ["GET"], "ports": ["9000"]}}]}],
    )
    assert not decide([allow_with_method], req(port=9000, tcp=True))  # rule ignored on TCP
    assert decide([allow_with_method], req(port=9000))  # but fine for HTTP GET
    deny_method = ap(
        "shop",
        "tcp",
        action="DENY",
        rules=[{"to": [{"operation": {"methods": ["GET"]}}]}],
    )
    assert not decide([deny_method], req(port=9001, tcp=True))  # HTTP field counts as match -> denies all TCP
    assert decide([deny_method], req(port=9001, method="POST"))
    deny_method_port = ap(
        "shop",
        "tcp",
        action="DENY",
        rules=[{"to": [{"operation": {"methods": ["GET"], "ports": ["9000"]}}]}],
    )
    assert not decide([deny_method_port], req(port=9000, tcp=True))
    assert decide([deny_method_port], req(port=9001, tcp=True))


def test_other_kinds_are_skipped() -> None:
    peer_auth = {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": {"name": "default", "namespace": "shop"},
        "spec": {"mtls": {"mode": "STRICT"}},
    }
    assert decide([peer_auth], req())


@pytest.mark.parametrize(
    ("policy", "error"),
    [
        (ap("shop", "x", action="PERMIT"), ValueError),
        (
            ap("shop", "x", rules=[{"from": [{"source": {"principal": ["a"]}}]}]),
            ValueError,
        ),
        (
            ap("shop", "x", rules=[{"to": [{"operation": {"ports": [8080]}}]}]),
            ValueError,
        ),
        (ap("shop", "x", rules=[{"when": [{"key": "source.principal"}]}]), ValueError),
        (
            ap(
                "shop",
                "x",
                rules=[{"when": [{"key": "connection.sni", "values": ["a"]}]}],
            ),
            NotImplementedError,
        ),
        (
            ap("shop", "x", rules=[{"to": [{"operation": {"paths": ["/a/{*}"]}}]}]),
            NotImplementedError,
        ),
        (
            ap("shop", "x", targetRefs=[{"kind": "Gateway", "name": "gw"}]),
            NotImplementedError,
        ),
        ({**ap("shop", "x"), "apiVersion": "security.istio.io/v2"}, ValueError),
        ({**ap("shop", "x"), "metadata": {"name": "x"}}, ValueError),
    ],
)
def test_malformed_or_unmodelled_policies_raise(policy: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        decide([policy], req())


def test_bad_requests_are_rejected() -> None:
    with pytest.raises(ValueError):
        req("frontend")  # not a SPIFFE-style principal
    with pytest.raises(ValueError):
        req(FRONTEND, source_namespace="jobs")  # contradicts the principal
    assert req(FRONTEND).effective_source_namespace == "shop"
    assert req(None, source_namespace="shop").effective_source_namespace == "shop"
