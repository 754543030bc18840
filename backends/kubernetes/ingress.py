"""Ingress objects for the ingress-nginx controller, and cert-manager ClusterIssuers and Certificates.

ingress-nginx was retired in March 2026 (``controller ingress-nginx`` is warned about, W0310); the
default edge is Istio's Gateway API implementation (:mod:`.gateway_api`). The Certificates and
ClusterIssuers here serve both: one Certificate per Secret, no ``cert-manager.io/cluster-issuer``
annotation beside it (the shim would make a second Certificate for the same Secret).

An Ingress must live beside the Services it routes to, so there is one Ingress per target
namespace (``<ingress>-<namespace>``), each with the controller's features as ingress-nginx
annotations: rate limit (``limit-rps``/``limit-rpm``), request buffering, CORS, ModSecurity
with the OWASP core rules, SSL redirect and balancing (``load-balance`` / ``upstream-hash-by``).
Each gets its TLS Secret from a Certificate of the same name. Settings ingress-nginx only offers in its controller ConfigMap (TLS protocols,
gzip) are reported as info diagnostics with the key to set.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role, names, waf
from orion_dsl.lowering.kubernetes import host_groups, tls_groups
from orion_dsl.lowering.prerequisites import pod_security
from orion_dsl.model import Ingress, Issuer, Topology, catch_all

from . import meta
from .meta import Builder, Obj
from .path_types import INGRESS_PATH_TYPES
from .units import go_duration

P = "nginx.ingress.kubernetes.io/"


def _annotations(topology: Topology) -> dict[str, str]:
    ing = topology.ingress
    assert ing is not None
    ann: dict[str, str] = {P + "ssl-redirect": "true", P + "force-ssl-redirect": "true"}
    if ing.rate_limit is not None:
        amount, per = ing.rate_limit
        ann[P + ("limit-rps" if per == "second" else "limit-rpm")] = str(amount)
    ann[P + "proxy-request-buffering"] = "on" if ing.request_buffering else "off"
    if ing.cors_origins or ing.cors_methods:
        ann[P + "enable-cors"] = "true"
        if ing.cors_origins:
            ann[P + "cors-allow-origin"] = ", ".join(ing.cors_origins)
        if ing.cors_methods:
            ann[P + "cors-allow-methods"] = ", ".join(ing.cors_methods)
    if ing.waf == "modsecurity":
        ann[P + "enable-modsecurity"] = "true"
        ann[P + "enable-owasp-core-rules"] = "true"
    if ing.balance == "round-robin":
        ann[P + "load-balance"] = "round_robin"
    elif ing.balance == "ip-hash":
        ann[P + "upstream-hash-by"] = "$remote_addr"
    return ann


def ingress(entry: Planned, plan: Plan) -> Obj:
    """The Ingress of the hosts that route into one namespace, TLS from its Certificate."""
    ing = entry.of(Ingress)
    namespace = entry.namespace
    hosts = host_groups(ing, plan.topology)[namespace]
    paths: dict[str, list[dict[str, Any]]] = {}
    for h in hosts:  # one rule per host, with the paths of every line of it
        backend = {"service": {"name": h.target, "port": {"number": h.port.service_port}}}
        paths.setdefault(h.host, []).extend({"path": path, "pathType": INGRESS_PATH_TYPES[kind], "backend": backend} for kind, path in h.matched)
    rules = [{**({} if catch_all(host) else {"host": host}), "http": {"paths": found}} for host, found in paths.items()]  # no host: every name
    spec: dict[str, Any] = {"ingressClassName": "nginx", "rules": rules}
    certificate = plan.find(Role.CERTIFICATE, ing, namespace)
    if certificate is not None:
        spec["tls"] = [{"hosts": list(dict.fromkeys(h.host for h in hosts)), "secretName": certificate.name}]
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "ingress"), _annotations(plan.topology), spec=spec)


def _solver(issuer: Issuer, plan: Plan) -> dict[str, Any]:
    """DNS-01 through the provider's API; else HTTP-01 through the ingress: a solver HTTPRoute on the
    Gateway's ``http`` listener (cert-manager's ``gatewayHTTPRoute``, which needs its controller's
    ``--enable-gateway-api``), or a solver Ingress for ingress-nginx."""
    if issuer.dns01 == "cloudflare":
        return {"dns01": {"cloudflare": {"apiTokenSecretRef": {"name": names.dns01_token(issuer), "key": names.DNS01_TOKEN_KEY}}}}
    ing = plan.topology.ingress
    if ing is not None and ing.controller == "istio":
        gateway = plan.get(Role.GATEWAY, ing)
        parent = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway.name, "namespace": gateway.namespace, "sectionName": "http"}
        return {"http01": {"gatewayHTTPRoute": {"parentRefs": [parent]}}}
    return {"http01": {"ingress": {"ingressClassName": "nginx"}}}


def _tls_issuer(topology: Topology) -> Issuer | None:
    ing = topology.ingress
    return next((i for i in topology.issuers if ing is not None and i.name == ing.tls_issuer), None)


def cluster_issuer(entry: Planned, plan: Plan) -> Obj:
    """A cert-manager ACME ClusterIssuer: DNS-01 through its provider, else HTTP-01 through the ingress."""
    issuer = entry.of(Issuer)
    acme = {
        "server": issuer.acme,
        "email": issuer.email,
        "privateKeySecretRef": {"name": names.account_key(issuer)},
        "solvers": [_solver(issuer, plan)],
    }
    return meta.build(entry, meta.recommended(plan.topology, issuer.name, "certificates"), spec={"acme": acme})


def certificate(entry: Planned, plan: Plan) -> Obj:
    """The Certificate of the hosts served from one namespace; its Secret takes its name."""
    ing = entry.of(Ingress)
    hosts = tls_groups(ing, plan.topology)[entry.namespace]
    issuer = next((i for i in plan.topology.issuers if i.name == ing.tls_issuer), None)
    spec: dict[str, Any] = {
        "secretName": entry.name,
        "dnsNames": list(dict.fromkeys(h.host for h in hosts)),
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": ing.tls_issuer},
        "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
    }
    if issuer is not None and issuer.renew_before is not None:
        spec["renewBefore"] = go_duration(issuer.renew_before)
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "certificates"), spec=spec)


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What the Ingress objects cannot say (what HTTP-01 needs of the ingress is `check`'s: E0238, E0243)."""
    ing = topology.ingress
    if ing is None:
        return []
    out: list[Diagnostic] = []
    if ing.controller != "ingress-nginx":
        return out
    controller = "ingress-nginx controller ConfigMap"
    if ing.tls_minimum is not None:
        protocols = "TLSv1.3" if ing.tls_minimum == "1.3" else f"TLSv{ing.tls_minimum} TLSv1.3"
        out.append(
            info(
                "I1040",
                None,
                f"TLS {ing.tls_minimum} minimum has no per-Ingress annotation in ingress-nginx",
                f'set `ssl-protocols: "{protocols}"` in the {controller}',
            )
        )
    if ing.compression:
        out.append(
            info(
                "I1041",
                None,
                "compression has no per-Ingress annotation in ingress-nginx",
                f'set `use-gzip: "true"` (or `enable-brotli`) in the {controller}',
            )
        )
    if ing.forwarded_by:
        ranges = ",".join(str(r) for r in topology.front_ranges()) or "the ranges of " + ing.forwarded_by[-1]
        out.append(
            info(
                "I1049",
                None,
                f"behind {', '.join(ing.forwarded_by)}, the client's address is ingress-nginx controller configuration (no Ingress annotation)",
                f'set `use-forwarded-headers: "true"` and `proxy-real-ip-cidr: "{ranges}"` in the {controller}',
            )
        )
    if ing.waf is not None and ing.waf_mode == "block":
        out.append(
            info(
                "I1086",
                ing.span,
                f"waf {ing.waf}: ingress-nginx runs the OWASP core rules in DetectionOnly unless its controller turns the engine on",
                f'set `modsecurity-snippet: "SecRuleEngine On"` in the {controller} (the per-Ingress snippet is a Critical-risk annotation it refuses)',
            )
        )
    out += waf.logging_only(ing)
    notes = [f"{ing.replicas} replicas"]
    if ing.address is not None:
        notes.append(f"address {ing.address}")
    if ing.balance not in ("round-robin", "ip-hash"):
        notes.append(f"balance {ing.balance} (ingress-nginx offers round_robin, ewma and hashing)")
    out.append(
        info(
            "I1042",
            None,
            f"the ingress controller is installed separately (e.g. the ingress-nginx Helm chart): its {', '.join(notes)} are not written here",
            "set controller.replicaCount and the LoadBalancer address in its values; run "
            f"it with a restricted securityContext ({_enforced(topology, ing)})",
        )
    )
    return out


def _enforced(topology: Topology, ing: Ingress) -> str:
    """What Pod Security the controller's namespace enforces: its `pod_security` level, or its own when external."""
    ns = topology.namespace(ing.namespace)
    if ns is None or ns.external:
        return "its external namespace enforces its own Pod Security level"
    return f"its namespace enforces {pod_security(ns)}"


BUILDERS: dict[Role, Builder] = {Role.CLUSTER_ISSUER: cluster_issuer, Role.CERTIFICATE: certificate, Role.INGRESS: ingress}
