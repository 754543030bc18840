"""The ``istio`` ingress's rate limit, request buffering and compression: an EnvoyFilter on its gateway pods (S39).

Every field is held to the upstream source it is read by:

* the EnvoyFilter itself: the CRD schema vendored from istio/istio@56df41f6 (tag 1.30.3)
  manifests/charts/base/files/crd-all.gen.yaml (tests/schemas/crds/networking.istio.io/envoyfilter_v1alpha3.json,
  checked for every Istio object by test_output.py), and the shape of upstream's own local rate limit:
  istio/istio@56df41f6 tests/integration/telemetry/policy/testdata/enable_envoy_local_ratelimit.yaml and
  samples/bookinfo/policy/productpage_envoy_ratelimit.yaml (context GATEWAY, the HTTP connection manager's router,
  INSERT_BEFORE); where the patches land: istio/istio 1.30.3 pilot/pkg/networking/core/listener_builder.go (the chain
  Istio builds: metadata exchange, CUSTOM ext-authz, the AUTHN extensions such as the WAF's WasmPlugin, authn, AUTHZ
  extensions, authz, STATS, ..., grpc stats, fault, cors, telemetry, router) and
  pilot/pkg/networking/core/envoyfilter/listener_patch.go (``INSERT_FIRST`` prepends, ``INSERT_BEFORE`` with a
  ``subFilter`` inserts before that filter), which :func:`applied` replays;
* each ``typed_config``: istiod decodes it into the go-control-plane types Istio 1.30 links (istio/istio@56df41f6
  go.mod: github.com/envoyproxy/go-control-plane/envoy v1.37.1-0.20260409083702-98966259b99a;
  pkg/config/xds/xds.go BuildXDSObjectFromStruct; pkg/config/xds/filter_types.gen.go imports the four extensions),
  so :data:`FIELDS` lists each message's fields from envoyproxy/go-control-plane@98966259 (``protobuf:"...name=..."``
  tags of the files named there); the proxy is Envoy 4f1e006e (istio/proxy@81864a1c WORKSPACE ENVOY_SHA), newer than
  both, and Envoy's v3 API removes no field. The semantics (wildcard descriptors, ``remote_address``) are quoted from
  envoyproxy/data-plane-api@84e84367 (mirrored from envoy f126920c, 2026-01-29);
* the four extensions are in Istio's proxy build: istio/proxy@81864a1c bazel/extension_config/extensions_build_config.bzl.
"""

from __future__ import annotations

from typing import Any

import pytest

from orion_dsl.backends.istio import render
from orion_dsl.backends.kubernetes import gateway_api
from orion_dsl.lowering.istio import MAX_REQUEST_BYTES
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.kubernetes.test_gateway_api import HTTP01_SPEC
from tests.support.plans import planned

from .conftest import documents, find, of_kind

#: The Envoy HTTP filters Istio 1.30's proxy is built with (istio/proxy@81864a1c extensions_build_config.bzl).
BUILT_FILTERS = {"envoy.filters.http.local_ratelimit", "envoy.filters.http.buffer", "envoy.filters.http.compressor"}
TYPE = "type.googleapis.com/"
#: Each message ORION writes: its fields (go-control-plane@98966259, the path beside it), and for the fields that are
#: messages, the message (a list's items; ``None``: an ``Any`` whose ``@type`` names it).
FIELDS: dict[str, dict[str, str | None]] = {
    # envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.pb.go
    "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit": {
        **dict.fromkeys(("stat_prefix", "status", "request_headers_to_add_when_not_enforced", "response_headers_to_add", "stage"), ""),
        **dict.fromkeys(("local_rate_limit_per_downstream_connection", "local_cluster_rate_limit", "enable_x_ratelimit_headers"), ""),
        **dict.fromkeys(("vh_rate_limits", "always_consume_default_token_bucket", "rate_limited_as_resource_exhausted"), ""),
        "max_dynamic_descriptors": "",
        "token_bucket": "envoy.type.v3.TokenBucket",
        "filter_enabled": "envoy.config.core.v3.RuntimeFractionalPercent",
        "filter_enforced": "envoy.config.core.v3.RuntimeFractionalPercent",
        "descriptors": "envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor",
        "rate_limits": "envoy.config.route.v3.RateLimit",
    },
    # envoy/type/v3/token_bucket.pb.go
    "envoy.type.v3.TokenBucket": {"max_tokens": "", "tokens_per_fill": "", "fill_interval": ""},
    # envoy/config/core/v3/base.pb.go (RuntimeFractionalPercent), envoy/type/v3/percent.pb.go (FractionalPercent)
    "envoy.config.core.v3.RuntimeFractionalPercent": {"default_value": "envoy.type.v3.FractionalPercent", "runtime_key": ""},
    "envoy.type.v3.FractionalPercent": {"numerator": "", "denominator": ""},
    # envoy/extensions/common/ratelimit/v3/ratelimit.pb.go
    "envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor": {
        "entries": "envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.Entry",
        "token_bucket": "envoy.type.v3.TokenBucket",
        "shadow_mode": "",
    },
    "envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.Entry": {"key": "", "value": ""},
    # envoy/config/route/v3/route_components.pb.go (RateLimit, RateLimit_Action: remote_address is field 4 of its oneof)
    "envoy.config.route.v3.RateLimit": {
        **dict.fromkeys(("stage", "disable_key", "limit", "hits_addend", "apply_on_stream_done", "x_ratelimit_option"), ""),
        "actions": "envoy.config.route.v3.RateLimit.Action",
    },
    # (only the one action ORION writes: any other is flagged)
    "envoy.config.route.v3.RateLimit.Action": {"remote_address": "envoy.config.route.v3.RateLimit.Action.RemoteAddress"},
    "envoy.config.route.v3.RateLimit.Action.RemoteAddress": {},
    # envoy/extensions/filters/http/buffer/v3/buffer.pb.go
    "envoy.extensions.filters.http.buffer.v3.Buffer": {"max_request_bytes": ""},
    # envoy/extensions/filters/http/compressor/v3/compressor.pb.go
    "envoy.extensions.filters.http.compressor.v3.Compressor": {
        **dict.fromkeys(("content_length", "content_type", "disable_on_etag_header", "remove_accept_encoding_header"), ""),
        **dict.fromkeys(("runtime_enabled", "request_direction_config", "response_direction_config", "choose_first"), ""),
        "compressor_library": "envoy.config.core.v3.TypedExtensionConfig",
    },
    # envoy/config/core/v3/extension.pb.go
    "envoy.config.core.v3.TypedExtensionConfig": {"name": "", "typed_config": None},
    # envoy/extensions/compression/gzip/compressor/v3/gzip.pb.go
    "envoy.extensions.compression.gzip.compressor.v3.Gzip": {
        **dict.fromkeys(("memory_level", "compression_level", "compression_strategy", "window_bits", "chunk_size"), ""),
    },
}


def unknown_fields(value: Any, message: str, path: str = "") -> list[str]:
    """The paths in ``value`` (a message written as JSON) that its message has no field for, recursively."""
    fields = FIELDS[message]
    out = [f"{path}.{k}" for k in value if k != "@type" and k not in fields]
    for key, inner in fields.items():
        if key not in value or inner == "":
            continue
        for i, item in enumerate(value[key] if isinstance(value[key], list) else [value[key]]):
            out += unknown_fields(item, inner if inner is not None else item["@type"].removeprefix(TYPE), f"{path}.{key}[{i}]")
    return out


@pytest.fixture(scope="module")
def envoy_filter(seed_objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The seed gateway's EnvoyFilter."""
    return find(seed_objects, "EnvoyFilter", "edge-http-filters", "orion-ingress")


def http_filters(envoy_filter: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each inserted HTTP filter's ``typed_config``, by the filter's name, in patch order."""
    return {p["patch"]["value"]["name"]: p["patch"]["value"]["typed_config"] for p in envoy_filter["spec"]["configPatches"]}


#: The HTTP filters Istio 1.30 builds for a gateway's connection manager, in order (listener_builder.go), with the
#: WAF's WasmPlugin where its ``phase: AUTHN`` puts it.
ISTIO_CHAIN = (
    "istio.metadata_exchange", "edge-waf", "istio_authn", "envoy.filters.http.rbac", "istio.stats",
    "envoy.filters.http.grpc_stats", "envoy.filters.http.fault", "envoy.filters.http.cors", "envoy.filters.http.router",
)  # fmt: skip


def applied(envoy_filter: dict[str, Any], chain: tuple[str, ...]) -> list[str]:
    """The chain after istiod applies the EnvoyFilter's HTTP_FILTER patches, as listener_patch.go does: in patch
    order, ``INSERT_FIRST`` prepending, ``INSERT_BEFORE`` going before the ``subFilter`` it names."""
    out = list(chain)
    for patch in envoy_filter["spec"]["configPatches"]:
        name, operation = patch["patch"]["value"]["name"], patch["patch"]["operation"]
        if operation == "INSERT_FIRST":
            out.insert(0, name)
        else:
            assert operation == "INSERT_BEFORE", operation
            out.insert(out.index(patch["match"]["listener"]["filterChain"]["filter"]["subFilter"]["name"]), name)
    return out


def test_the_filters_are_inserted_into_the_gateway_pods_connection_managers_only(envoy_filter: dict[str, Any]) -> None:
    assert envoy_filter["apiVersion"] == "networking.istio.io/v1alpha3"
    assert envoy_filter["spec"]["workloadSelector"] == {"labels": {"gateway.networking.k8s.io/gateway-name": "edge"}}
    for patch in envoy_filter["spec"]["configPatches"]:
        hcm = patch["match"]["listener"]["filterChain"]["filter"]
        assert patch["applyTo"] == "HTTP_FILTER" and patch["match"]["context"] == "GATEWAY"
        assert hcm["name"] == "envoy.filters.network.http_connection_manager"


def test_the_rate_limit_runs_first_before_the_waf_and_buffering_and_compression_before_the_router(envoy_filter: dict[str, Any]) -> None:
    """A flood is dropped before Coraza reads and buffers it; a refused request is never buffered."""
    chain = applied(envoy_filter, ISTIO_CHAIN)
    assert chain[0] == "envoy.filters.http.local_ratelimit" and chain.index("edge-waf") > 0
    assert chain[-3:] == ["envoy.filters.http.buffer", "envoy.filters.http.compressor", "envoy.filters.http.router"]
    assert set(http_filters(envoy_filter)) <= BUILT_FILTERS


def test_every_field_of_every_filter_is_one_of_envoy_s(envoy_filter: dict[str, Any]) -> None:
    for config in http_filters(envoy_filter).values():
        assert unknown_fields(config, config["@type"].removeprefix(TYPE)) == []


def test_the_checker_finds_a_field_envoy_does_not_have(envoy_filter: dict[str, Any]) -> None:
    config = {**http_filters(envoy_filter)["envoy.filters.http.local_ratelimit"], "descriptors": [{"entries": [{"key": "remote_address", "mask": 24}]}]}
    assert unknown_fields(config, config["@type"].removeprefix(TYPE)) == [".descriptors[0].entries[0].mask"]


def test_the_rate_limit_is_one_bucket_per_client_address_of_the_stated_rate(envoy_filter: dict[str, Any]) -> None:
    """S39 ``rate_limit 100 per second``. ``rate_limits`` makes each request's descriptor from the ``remote_address``
    action, ``("remote_address", "<trusted address from x-forwarded-for>")``; a descriptor entry with the key and no
    value is a wildcard: each value gets its own bucket (data-plane-api@84e84367
    envoy/config/route/v3/route_components.proto RateLimit.Action.RemoteAddress;
    envoy/extensions/common/ratelimit/v3/ratelimit.proto RateLimitDescriptor.Entry.value;
    envoy/extensions/filters/http/local_ratelimit/v3/local_rate_limit.proto max_dynamic_descriptors, default 20).
    Envoy's LocalRateLimiterImpl::requestAllowed counts a wildcard's bucket as a match (DynamicDescriptorMap::getBucket),
    and consumes the default bucket only when nothing matched or always_consume_default_token_bucket is true
    (envoyproxy/envoy source/extensions/filters/common/local_ratelimit/local_ratelimit_impl.cc, the 2026 version with
    dynamic descriptors; the Envoy snapshot of Istio's exact commit is too large to fetch here)."""
    limit = http_filters(envoy_filter)["envoy.filters.http.local_ratelimit"]
    bucket = {"max_tokens": 100, "tokens_per_fill": 100, "fill_interval": "1s"}
    assert limit["rate_limits"] == [{"actions": [{"remote_address": {}}]}]
    assert limit["descriptors"] == [{"entries": [{"key": "remote_address"}], "token_bucket": bucket}]
    assert limit["max_dynamic_descriptors"] > 20  # Envoy's default keeps 20 clients' buckets
    # the default bucket (required: a descriptor's fill interval must be a multiple of it) counts only requests no
    # descriptor matches, and both fractions default to 0% (local_rate_limit.proto filter_enabled, filter_enforced)
    assert limit["token_bucket"] == bucket and limit["always_consume_default_token_bucket"] is False
    always = {"numerator": 100, "denominator": "HUNDRED"}
    assert limit["filter_enabled"]["default_value"] == always and limit["filter_enforced"]["default_value"] == always
    assert limit["stat_prefix"]  # min_len 1


def test_the_client_address_is_the_one_the_proxies_in_front_forwarded(seed: Topology) -> None:
    """Istio's gateway connection manager uses the remote address and trusts ``gatewayTopology.numTrustedProxies``
    X-Forwarded-For hops (istio/istio@56df41f6 pilot/pkg/networking/core/gateway.go useRemoteAddress: true,
    buildGatewayConnectionManager XffNumTrustedHops), the address ``remote_address`` reads: one hop, Cloudflare's."""
    assert seed.ingress is not None
    assert gateway_api.trusted_proxies(seed.ingress) == '{"gatewayTopology":{"numTrustedProxies":1}}'


def test_a_rate_per_minute_refills_every_minute() -> None:
    spec = HTTP01_SPEC.replace("  listen 80, 443\n", "  listen 80, 443\n  rate_limit 600 per minute\n")
    [ef] = of_kind(documents(render(planned(topology_of(spec)))), "EnvoyFilter")
    [patch] = ef["spec"]["configPatches"]
    limit = patch["patch"]["value"]["typed_config"]
    assert limit["token_bucket"] == {"max_tokens": 600, "tokens_per_fill": 600, "fill_interval": "60s"}


def test_buffering_holds_whole_requests_up_to_a_mebibyte_and_compression_is_gzip(envoy_filter: dict[str, Any]) -> None:
    """buffer.proto: max_request_bytes is required and > 0; compressor.proto: compressor_library is required
    (data-plane-api@84e84367)."""
    filters = http_filters(envoy_filter)
    assert filters["envoy.filters.http.buffer"]["max_request_bytes"] == MAX_REQUEST_BYTES == 1048576
    library = filters["envoy.filters.http.compressor"]["compressor_library"]
    assert library["name"] and library["typed_config"]["@type"] == TYPE + "envoy.extensions.compression.gzip.compressor.v3.Gzip"


def test_an_ingress_without_these_settings_gets_no_envoy_filter() -> None:
    assert of_kind(documents(render(planned(topology_of(HTTP01_SPEC)))), "EnvoyFilter") == []


def test_without_a_mesh_they_are_not_applied_and_reported() -> None:
    spec = HTTP01_SPEC.replace("mesh istio { mtls strict }\n", "").replace("  mesh on\n", "")
    spec = spec.replace("  listen 80, 443\n", "  listen 80, 443\n  rate_limit 10 per second\n  compression on\n")
    analysis = analyze_text(spec, "shop.orion")
    assert analysis.topology is not None
    [dropped] = [d for d in gateway_api.diagnostics(analysis.topology) if d.code == "I1046"]
    assert "rate_limit" in dropped.summary and "compression" in dropped.summary and "request_buffering" not in dropped.summary


def test_with_the_mesh_nothing_of_them_is_reported(seed: Topology) -> None:
    assert [d for d in gateway_api.diagnostics(seed) if d.code == "I1046"] == []
