"""The edge on Istio's Gateway API implementation: a Gateway, its options, HTTPRoutes and the HTTPS redirect.

ORION writes the Gateway (``gatewayClassName: istio``); Istio's gateway controller makes its
Deployment, Service and ServiceAccount, all ``<gateway>-istio``, and its pods are Envoys with the
mesh identity of that ServiceAccount, so they reach STRICT-mTLS backends and AuthorizationPolicies
admit them by principal (``backends/istio/security.py``). Sources, at istio/istio 1.30.3 and
kubernetes-sigs/gateway-api v1.5.1 (docs/design/edge-gateway-api.md has the details):

* names and labels: pilot/pkg/config/kube/gatewaycommon/deploymentcontroller.go,
  manifests/charts/istio-control/istio-discovery/files/kube-gateway.yaml;
* ``infrastructure.parametersRef`` names a ConfigMap in the Gateway's namespace whose keys
  (``deployment``, ``service``, ...) are strategic-merge overlays of what Istio makes
  (deploymentcontroller.go ``fetchParameters``): ORION sets the replicas and the RuntimeDefault
  seccomp profile Pod Security ``restricted`` asks for (the template sets it only when istiod's
  ``gateways.seccompProfile`` value is set);
* one HTTPRoute per Service port the hosts reach, beside its Service (no ReferenceGrant), each
  naming the Service port (``backendRefs[].port`` is the Service's, not the container's); CORS is
  the route's ``CORS`` filter, Standard from Gateway API v1.5.1; the target's timeout and ``traffic``
  block (weights, matches, mirrors to its versions' Services) are its rules (``route_rules.py``);
* a listener on 443 terminates TLS with the Secret of the Gateway's one Certificate; a listener on
  80 beside it only redirects to HTTPS (and serves cert-manager's HTTP-01 solver route, which
  cert-manager makes in the Certificate's namespace: the listener admits routes from it alone).

The rate limit, request buffering and compression are an EnvoyFilter on the gateway's pods, the WAF a WasmPlugin,
both Istio objects (``backends/istio/gateway_filters.py``, ``gateway_waf.py``). What the Gateway API and Istio cannot
state per Gateway (the TLS minimum; those settings without a mesh) is reported by :func:`diagnostics`.
"""

from __future__ import annotations

import json

from orion_dsl.artifacts import to_yaml
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.lowering import Plan, Planned, Role, names, waf
from orion_dsl.lowering.istio import gateway_filters, gateway_waf
from orion_dsl.lowering.kubernetes import route_groups, serves_tls
from orion_dsl.model import Host, Ingress, Port, Topology, folded_paths

from . import meta
from .meta import Builder, Obj
from .path_types import GATEWAY_PATH_TYPES
from .route_rules import route_rules

#: The pod annotation an Istio proxy reads its ProxyConfig overrides from.
PROXY_CONFIG = "proxy.istio.io/config"
HTTPS_LISTENER = "https"
HTTP_LISTENER = "http"


def _hostnames(hosts: list[Host] | tuple[Host, ...]) -> Obj:
    """A route's ``hostnames``, left out (every name) when one of its hosts is the catch-all ``"*"``."""
    if any(h.every_name for h in hosts):
        return {}
    return {"hostnames": list(dict.fromkeys(h.host for h in hosts))}


def _route_namespaces(plan: Plan, ing: Ingress) -> list[str]:
    return sorted({namespace for namespace, *_ in route_groups(ing, plan.topology)})


def _from_namespaces(namespaces: list[str]) -> Obj:
    """``allowedRoutes``: routes from these namespaces only (by the name label every namespace carries)."""
    expression = {"key": names.NAMESPACE_NAME_LABEL, "operator": "In", "values": namespaces}
    return {"namespaces": {"from": "Selector", "selector": {"matchExpressions": [expression]}}}


def listener_name(ing: Ingress, port: Port) -> str:
    """A listener's name: ``https`` for TLS on 443, ``http`` on 80, else ``http-<port>`` (plain HTTP)."""
    if port.number == 443 and serves_tls(ing):
        return HTTPS_LISTENER
    return HTTP_LISTENER if port.number == 80 else f"http-{port.number}"


def _listener(plan: Plan, ing: Ingress, port: Port) -> Obj:
    name = listener_name(ing, port)
    routes = _from_namespaces(_route_namespaces(plan, ing))
    if name == HTTPS_LISTENER:
        secret = plan.get(Role.CERTIFICATE, ing, ing.namespace).name
        tls = {"mode": "Terminate", "certificateRefs": [{"group": "", "kind": "Secret", "name": secret}]}
        return {"name": name, "protocol": "HTTPS", "port": port.number, "tls": tls, "allowedRoutes": routes}
    if serves_tls(ing):  # beside HTTPS, plain HTTP only redirects (and answers ACME HTTP-01 challenges)
        routes = {"namespaces": {"from": "Same"}}
    return {"name": name, "protocol": "HTTP", "port": port.number, "allowedRoutes": routes}


def gateway(entry: Planned, plan: Plan) -> Obj:
    """The Gateway: one listener per listen port, the options ConfigMap, the requested address."""
    ing = entry.of(Ingress)
    spec: Obj = {"gatewayClassName": names.ISTIO_GATEWAY_CLASS}
    if ing.address is not None and plan.topology.fronting_load_balancer() is None:  # Istio writes it to the Service's loadBalancerIP
        spec["addresses"] = [{"type": "IPAddress", "value": str(ing.address)}]
    options = plan.get(Role.GATEWAY_OPTIONS, ing)
    spec["infrastructure"] = {"parametersRef": {"group": "", "kind": "ConfigMap", "name": options.name}}
    if ing.forwarded_by:
        spec["infrastructure"]["annotations"] = {PROXY_CONFIG: trusted_proxies(ing)}
    spec["listeners"] = [_listener(plan, ing, p) for p in ing.listen]
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "ingress"), spec=spec)


def gateway_options(entry: Planned, plan: Plan) -> Obj:
    """Istio's overlay of the gateway's Deployment: the replicas, and the seccomp profile Pod Security ``restricted`` requires."""
    ing = entry.of(Ingress)
    deployment = {"spec": {"replicas": ing.replicas, "template": {"spec": {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}}}}
    data = {"deployment": to_yaml(deployment)}
    ranges = plan.topology.front_ranges()
    if ranges:  # the pods see the proxy's address (no SNAT to a node's), which their NetworkPolicy admits alone
        service = {"spec": {"externalTrafficPolicy": "Local", "loadBalancerSourceRanges": [str(r) for r in ranges]}}
        data["service"] = to_yaml(service)
    labels = meta.recommended(plan.topology, entry.name, "ingress")
    return meta.build(entry, labels, data=data)


def trusted_proxies(ing: Ingress) -> str:
    """The gateway pods' proxy configuration behind HTTP proxies: Envoy takes the client's address
    from X-Forwarded-For, skipping the one entry each HTTP proxy in front appends (``numTrustedProxies``;
    a layer-4 load balancer appends none, so it is not counted: one hop more would trust the client's own entry).
    Istio copies the Gateway's infrastructure annotations to its pods, whose agent reads
    ``proxy.istio.io/config`` through the downward API last (istio/istio
    pilot/cmd/pilot-agent/config/config.go getMeshConfig; kube-gateway.yaml, 1.30)."""
    return json.dumps({"gatewayTopology": {"numTrustedProxies": len(ing.forwarded_by)}}, separators=(",", ":"))


def _parent(plan: Plan, ing: Ingress, section: str | None) -> Obj:
    found = plan.get(Role.GATEWAY, ing)
    parent: Obj = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "namespace": found.namespace, "name": found.name}
    if section is not None:
        parent["sectionName"] = section
    return parent


def _cors(ing: Ingress) -> list[Obj]:
    if not (ing.cors_origins or ing.cors_methods):
        return []
    cors: Obj = {}
    if ing.cors_origins:
        cors["allowOrigins"] = list(ing.cors_origins)
    if ing.cors_methods:
        cors["allowMethods"] = list(ing.cors_methods)
    return [{"type": "CORS", "cors": cors}]


def http_route(entry: Planned, plan: Plan) -> Obj:
    """The route of the hosts that reach one Service port with the same paths: every path to it, or the paths their
    lines match (:func:`~orion_dsl.model.folded_paths`), with the ingress's CORS, the target's timeout and its
    ``traffic`` block (:mod:`.route_rules`). The Gateway API picks, per request, the route of the
    exact path, else of the longest prefix, so `/api` can go to one Service and `/` to another."""
    ing = entry.of(Ingress)
    target, port, number = entry.part_of(tuple)
    hosts = route_groups(ing, plan.topology)[(entry.namespace, target, port, number)]
    workload = plan.topology.workload(target)
    assert workload is not None, "routes are planned for workload targets"
    paths = [{"path": {"type": GATEWAY_PATH_TYPES[kind], "value": path}} for kind, path in folded_paths(hosts)]
    rules = route_rules(plan, workload, paths, _cors(ing), hosts[0].port.service_port)
    section = HTTPS_LISTENER if serves_tls(ing) else None
    spec = {"parentRefs": [_parent(plan, ing, section)], **_hostnames(hosts), "rules": rules}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "ingress"), spec=spec)


def https_redirect(entry: Planned, plan: Plan) -> Obj:
    """Plain HTTP on 80 answered with a permanent redirect to HTTPS (path-less, so cert-manager's longer solver path wins)."""
    ing = entry.of(Ingress)
    rule = {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
    spec = {"parentRefs": [_parent(plan, ing, HTTP_LISTENER)], **_hostnames(ing.hosts), "rules": [rule]}
    return meta.build(entry, meta.recommended(plan.topology, entry.name, "ingress"), spec=spec)


def diagnostics(topology: Topology) -> list[Diagnostic]:
    """What an Istio Gateway cannot be told per Gateway: each setting the spec asks for that is not generated, and where to set it."""
    ing = topology.istio_gateway
    if ing is None:
        return []
    out: list[Diagnostic] = []
    if ing.tls_minimum is not None and ing.tls_minimum != "1.2":
        out.append(
            info(
                "I1045",
                ing.span,
                f"TLS {ing.tls_minimum} minimum is mesh-wide in Istio (no Gateway field sets it)",
                "set meshConfig.tlsDefaults.minProtocolVersion: TLSV1_3 in the Istio installation (fixed in Istio 1.30; PREREQUISITES.md)",
            )
        )
    applied = set(gateway_filters(topology))
    asked = {"rate_limit": ing.rate_limit is not None, "request_buffering": ing.request_buffering, "compression": ing.compression}
    dropped = [setting for setting, wanted in asked.items() if wanted and setting not in applied]
    if dropped:
        out.append(
            info(
                "I1046",
                ing.span,
                f"the Istio gateway does not apply {', '.join(dropped)}: the EnvoyFilter that adds them is an Istio object, and the spec has no mesh",
                "add a `mesh istio { ... }` block (the gateway's pods then get the EnvoyFilter), or apply them at the CDN in front",
            )
        )
    if ing.waf is not None and gateway_waf(topology) is None:
        out.append(
            info(
                "I1047",
                ing.span,
                f"the Istio gateway does not run waf {ing.waf}: its WasmPlugin (Coraza with the OWASP core rules) is an Istio object, and the spec has no mesh",
                "add a `mesh istio { ... }` block (the gateway's pods then load the WAF), or enforce the OWASP core rules at the CDN in front",
            )
        )
    out += waf.logging_only(ing) if gateway_waf(topology) is not None else []
    fronting = topology.fronting_load_balancer()
    if ing.address is not None and fronting is not None:
        out.append(
            info(
                "I1048",
                ing.span,
                f"the gateway's address {ing.address} is documented, not requested: the load balancer {fronting} in front of it gives the Service its address",
                f"the Gateway asks for no address (a cloud load balancer refuses one it cannot assign); point {fronting} or DNS at the one it reports",
            )
        )
    elif ing.address is not None:
        out.append(
            info(
                "I1048",
                ing.span,
                f"the gateway's address {ing.address} is requested as the Service's loadBalancerIP",
                "it takes effect where the load balancer honours loadBalancerIP (MetalLB, some clouds); elsewhere point DNS at the address it gets",
            )
        )
    return out


BUILDERS: dict[Role, Builder] = {
    Role.GATEWAY: gateway,
    Role.GATEWAY_OPTIONS: gateway_options,
    Role.HTTP_ROUTE: http_route,
    Role.HTTPS_REDIRECT: https_redirect,
}

__all__ = ["BUILDERS", "diagnostics", "listener_name"]
