"""The ``istio`` ingress's rate limit, request buffering and compression: an EnvoyFilter on its gateway pods (S39).

Istio 1.30 has no API for them, so the documented way is an EnvoyFilter (istio.io "Enabling Rate Limits using
Envoy"; istio/istio 1.30.3 tests/integration/telemetry/policy/testdata/enable_envoy_local_ratelimit.yaml,
samples/bookinfo/policy/productpage_envoy_ratelimit.yaml): it selects the Gateway's pods by the label Istio gives
them (``gateway.networking.k8s.io/gateway-name``), and on their ``GATEWAY`` listeners (Istio runs them as
``proxy router``) inserts one HTTP filter per setting: the rate limit first in the chain (``INSERT_FIRST``), the
buffer and compressor just before ``envoy.filters.http.router``. First, because the WAF's WasmPlugin
(``phase: AUTHN``, ``backends/istio/gateway_waf.py``) sits early in the chain Istio builds (istio/istio 1.30.3
pilot/pkg/networking/core/listener_builder.go: metadata exchange, CUSTOM ext-authz, the AUTHN extensions, authn,
..., fault, cors, then the router), and EnvoyFilter patches apply to that built chain, ``INSERT_FIRST`` prepending
(pilot/pkg/networking/core/envoyfilter/listener_patch.go ``EnvoyFilter_Patch_INSERT_FIRST``): so a flood is
dropped before Coraza reads (and buffers) it, and the rate limit protects the gateway's CPU and memory from the
most expensive filter.

Every field is Envoy's v3 API as Istio 1.30 reads it: istiod decodes each ``typed_config`` into the
go-control-plane types it links (istio/istio 1.30.3 pkg/config/xds/xds.go ``BuildXDSObjectFromStruct``;
go.mod: go-control-plane/envoy 98966259b99a) and the proxy is Envoy 4f1e006e (istio/proxy 81864a1c WORKSPACE).
tests/istio/test_gateway_filters.py holds each field to those protos.

* **rate limit**, per client: ``envoy.filters.http.local_ratelimit`` makes one descriptor per request from
  ``rate_limits`` (the ``remote_address`` action: the client's address) and a descriptor with that key and no
  value is a wildcard, so each address gets its own bucket (kept for :data:`CLIENT_BUCKETS` addresses, least
  recently seen dropped first). The address is the client's: Istio's gateway connection manager uses the
  remote address and trusts ``numTrustedProxies`` X-Forwarded-For hops (pilot/pkg/networking/core/gateway.go
  ``buildGatewayConnectionManager``), set from the ingress's ``behind``. The buckets are each pod's own, so
  with R replicas a client may get up to R times the rate. The default bucket (the same rate, per pod) is
  consumed only by a request with no address (``always_consume_default_token_bucket: false``).
* **request buffering**: ``envoy.filters.http.buffer`` holds the whole request before it goes upstream, up
  to :data:`~orion_dsl.lowering.istio.MAX_REQUEST_BYTES` (larger requests get 413).
* **compression**: ``envoy.filters.http.compressor`` with the gzip library, Envoy's defaults (responses of
  30 bytes or more, of its default text content types, to clients that accept gzip).
"""

from __future__ import annotations

from orion_dsl.backends.istio.names import Obj, obj
from orion_dsl.choices import RatePer
from orion_dsl.lowering import Plan, Planned
from orion_dsl.lowering.istio import MAX_REQUEST_BYTES, GatewayFilter, gateway_filters
from orion_dsl.model import Ingress

__all__ = ["CLIENT_BUCKETS", "envoy_filter", "http_filter"]

#: How many clients' buckets each pod keeps (``max_dynamic_descriptors``; Envoy's default is 20): a client
#: dropped from the cache starts again with a full bucket, so it must hold every client seen within one fill interval.
CLIENT_BUCKETS = 10000

TYPE = "type.googleapis.com/envoy.extensions."
INTERVALS: dict[RatePer, str] = {"second": "1s", "minute": "60s"}
CLIENT_KEY = "remote_address"


def _always() -> Obj:
    """A runtime fraction of 100%, what ``filter_enabled`` and ``filter_enforced`` default to 0% without."""
    return {"numerator": 100, "denominator": "HUNDRED"}


def _rate_limit(rate: tuple[int, RatePer]) -> Obj:
    amount, per = rate
    bucket = {"max_tokens": amount, "tokens_per_fill": amount, "fill_interval": INTERVALS[per]}
    return {
        "@type": TYPE + "filters.http.local_ratelimit.v3.LocalRateLimit",
        "stat_prefix": "http_local_rate_limiter",
        "token_bucket": bucket,
        "filter_enabled": {"runtime_key": "local_rate_limit_enabled", "default_value": _always()},
        "filter_enforced": {"runtime_key": "local_rate_limit_enforced", "default_value": _always()},
        "rate_limits": [{"actions": [{CLIENT_KEY: {}}]}],
        "descriptors": [{"entries": [{"key": CLIENT_KEY}], "token_bucket": bucket}],
        "always_consume_default_token_bucket": False,
        "max_dynamic_descriptors": CLIENT_BUCKETS,
    }


def http_filter(ing: Ingress, kind: GatewayFilter) -> Obj:
    """The Envoy HTTP filter (``name`` and ``typed_config``) that applies one of the ingress's settings."""
    if kind == "rate_limit":
        assert ing.rate_limit is not None, "planned for a rate limit only"
        return {"name": "envoy.filters.http.local_ratelimit", "typed_config": _rate_limit(ing.rate_limit)}
    if kind == "request_buffering":
        config: Obj = {"@type": TYPE + "filters.http.buffer.v3.Buffer", "max_request_bytes": MAX_REQUEST_BYTES}
        return {"name": "envoy.filters.http.buffer", "typed_config": config}
    gzip = {"name": "gzip", "typed_config": {"@type": TYPE + "compression.gzip.compressor.v3.Gzip"}}
    config = {"@type": TYPE + "filters.http.compressor.v3.Compressor", "compressor_library": gzip}
    return {"name": "envoy.filters.http.compressor", "typed_config": config}


def _patch(kind: GatewayFilter, value: Obj) -> Obj:
    """A patch inserting an HTTP filter into the gateway's HTTP connection managers: the rate limit first in the
    chain (before the WAF), the others just before the router."""
    hcm: Obj = {"name": "envoy.filters.network.http_connection_manager"}
    if kind != "rate_limit":
        hcm["subFilter"] = {"name": "envoy.filters.http.router"}
    match = {"context": "GATEWAY", "listener": {"filterChain": {"filter": hcm}}}
    operation = "INSERT_FIRST" if kind == "rate_limit" else "INSERT_BEFORE"
    return {"applyTo": "HTTP_FILTER", "match": match, "patch": {"operation": operation, "value": value}}


def envoy_filter(entry: Planned, plan: Plan) -> Obj:
    """The EnvoyFilter on the gateway's pods: one patch per setting, the rate limit first in the chain, the others
    just before the router, in :func:`~orion_dsl.lowering.istio.gateway_filters` order."""
    ing = entry.of(Ingress)
    patches = [_patch(kind, http_filter(ing, kind)) for kind in gateway_filters(plan.topology)]
    return obj(entry, {"workloadSelector": {"labels": entry.selector}, "configPatches": patches})
