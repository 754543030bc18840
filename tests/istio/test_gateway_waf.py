"""The ``istio`` ingress's ``waf modsecurity``: a WasmPlugin running Coraza with the OWASP core rules on the gateway (S39).

Held to the upstream sources it is read by:

* the WasmPlugin: the CRD schema vendored from istio/istio@56df41f6 (tag 1.30.3) manifests/charts/base/files/crd-all.gen.yaml
  (tests/schemas/crds/extensions.istio.io/wasmplugin_v1alpha1.json, checked here and for every Istio object by
  test_output.py), whose CEL rules ``jsonschema`` skips and :func:`test_the_plugin_passes_the_crds_cel_rules` restates;
  ``targetRefs`` to a Gateway API Gateway: istio/istio@56df41f6 pilot/pkg/model/policyattachment.go ``ShouldAttachPolicy``
  (same namespace, ``kind: Gateway``, group ``gateway.networking.k8s.io``, matched on the pods' gateway-name label);
  phases and fail strategies: istio/api@00017fa3 extensions/v1alpha1/wasm.proto;
* the module and its configuration: corazawaf/coraza-proxy-wasm@3607c012 wasmplugin/fs.go (the ``@recommended-conf``,
  ``@crs-setup-conf`` and ``@owasp_crs`` names of the embedded files), wasmplugin/config.go (``directives_map``,
  ``default_directives``), wasmplugin/rules/coraza.conf-recommended.conf (``SecRuleEngine DetectionOnly``,
  ``SecRequestBodyLimit 131072``), .github/workflows/ci.yaml (a release tag publishes ``ghcr.io/corazawaf/coraza-proxy-wasm:X.Y.Z``);
  the release 0.6.0: the maintainer's comment of 2025-07-11 on corazawaf/coraza-proxy-wasm issue #297;
* the HTTP policy (CRS 4.14.0 as embedded at corazawaf/coraza-proxy-wasm@3607c012): wasmplugin/rules/crs-setup.conf.example
  (the 900200 and 900220 ``SecAction`` forms, commented out), wasmplugin/rules/crs/REQUEST-901-INITIALIZATION.conf
  (901160 and 901162 set ``tx.allowed_methods`` and ``tx.allowed_request_content_type`` only when unset, so
  :data:`CRS_CONTENT_TYPES` is 901162's list), REQUEST-911-METHOD-ENFORCEMENT.conf (911100:
  ``REQUEST_METHOD "!@within %{tx.allowed_methods}"``), REQUEST-920-PROTOCOL-ENFORCEMENT.conf (920420: the content
  type ``!@within`` the allowed ones, lower-cased);
* ``FAIL_RELOAD``: istio/api@b8f8791d extensions/v1alpha1/wasm.proto ``FailStrategy`` (a new VM on a runtime error,
  fail closed otherwise; in the vendored CRD's enum), istio/istio 1.30.3 pkg/wasm/convert.go (a module that cannot be
  fetched is replaced by the deny RBAC filter unless the strategy is ``FAIL_OPEN``).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from orion_dsl.backends.istio import render
from orion_dsl.backends.kubernetes import gateway_api
from orion_dsl.backends.kubernetes import render as render_kubernetes
from orion_dsl.lowering.istio import MAX_REQUEST_BYTES
from orion_dsl.lowering.waf import CORAZA_MODULE, CRS_CONTENT_TYPES
from orion_dsl.model import Topology
from orion_dsl.pipeline import analyze_text
from tests.conftest import topology_of
from tests.kubernetes.helpers import objects as kubernetes_objects
from tests.kubernetes.test_gateway_api import HTTP01_SPEC
from tests.support.plans import planned
from tests.support.schemas import validate_crd

from .conftest import documents, find, of_kind

#: The embedded files coraza-proxy-wasm's ``Include`` names resolve to (wasmplugin/fs.go).
EMBEDDED = {"@recommended-conf", "@crs-setup-conf", "@owasp_crs/*.conf"}
#: The CEL rule of the CRD's ``url`` (crd-all.gen.yaml at 1.30.3): a scheme Istio fetches from.
SCHEMES = ("oci://", "http://", "https://", "file://")
WAF_SPEC = HTTP01_SPEC.replace("  listen 80, 443\n", "  listen 80, 443\n  waf modsecurity\n")


def _plugins(spec: str) -> list[dict[str, Any]]:
    return of_kind(documents(render(planned(topology_of(spec)))), "WasmPlugin")


def _plugin(spec: str) -> dict[str, Any]:
    [plugin] = _plugins(spec)
    spec_: dict[str, Any] = plugin["spec"]
    return spec_


def _directives(spec: dict[str, Any]) -> list[str]:
    config = spec["pluginConfig"]
    lines: list[str] = config["directives_map"][config["default_directives"]]
    return lines


def _setvars(lines: list[str]) -> dict[int, tuple[str, str, int]]:
    """Each ``SecAction`` of the directives by its rule id: the variable it sets, its value, and its line."""
    found: dict[int, tuple[str, str, int]] = {}
    for index, line in enumerate(lines):
        match = re.fullmatch(r"SecAction \"id:(\d+),phase:1,pass,t:none,nolog,setvar:'tx\.(\w+)=([^']*)'\"", line)
        if match is not None:
            found[int(match[1])] = (match[2], match[3], index)
        else:
            assert not line.startswith("SecAction"), line
    return found


@pytest.fixture(scope="module")
def seed_plugin(seed_objects: list[dict[str, Any]]) -> dict[str, Any]:
    return find(seed_objects, "WasmPlugin", "edge-waf", "orion-ingress")


def test_the_seed_gateway_gets_one_wasm_plugin_beside_it_targeting_exactly_its_gateway(seed_objects: list[dict[str, Any]]) -> None:
    [plugin] = of_kind(seed_objects, "WasmPlugin")
    assert plugin["apiVersion"] == "extensions.istio.io/v1alpha1"
    assert (plugin["metadata"]["namespace"], plugin["metadata"]["name"]) == ("orion-ingress", "edge-waf")
    assert plugin["spec"]["targetRefs"] == [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge"}]
    assert "selector" not in plugin["spec"] and "targetRef" not in plugin["spec"]  # a Gateway API gateway takes targetRefs


def test_the_plugin_blocks_with_the_owasp_core_rules_after_the_recommended_configuration(seed_plugin: dict[str, Any]) -> None:
    """``@recommended-conf`` says ``SecRuleEngine DetectionOnly``: the engine line must come after it, or nothing is refused."""
    lines = _directives(seed_plugin["spec"])
    includes = [line.removeprefix("Include ") for line in lines if line.startswith("Include ")]
    assert set(includes) == EMBEDDED
    engines = [line for line in lines if line.startswith("SecRuleEngine ")]
    assert engines == ["SecRuleEngine On"]
    assert lines.index("Include @recommended-conf") < lines.index("SecRuleEngine On") < lines.index("Include @owasp_crs/*.conf")
    assert lines.index("Include @crs-setup-conf") < lines.index("Include @owasp_crs/*.conf")  # the CRS reads its setup first
    assert seed_plugin["spec"]["failStrategy"] == "FAIL_RELOAD" and seed_plugin["spec"]["phase"] == "AUTHN"


def test_the_seed_s_rest_methods_pass_the_method_policy(seed_plugin: dict[str, Any]) -> None:
    """CRS allows GET HEAD POST OPTIONS alone unless crs-setup's 900200 says otherwise, and 911100 refuses the rest
    with 403: the seed's API (its ``cors`` allows PUT, PATCH, DELETE) needs them, set after the setup, before the rules."""
    lines = _directives(seed_plugin["spec"])
    variable, methods, at = _setvars(lines)[900200]
    assert variable == "allowed_methods" and methods.split() == ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]
    assert lines.index("Include @crs-setup-conf") < at < lines.index("Include @owasp_crs/*.conf")
    assert 900220 not in _setvars(lines)  # no host of the seed goes to a gRPC port: CRS's content types stay


def test_without_cors_the_method_policy_is_crs_s_default_and_a_wildcard_adds_the_rest() -> None:
    assert _setvars(_directives(_plugin(WAF_SPEC)))[900200][1] == "GET HEAD POST OPTIONS"
    wildcard = WAF_SPEC.replace("  waf modsecurity\n", '  waf modsecurity\n  cors { origins "*"; methods "*" }\n')
    assert _setvars(_directives(_plugin(wildcard)))[900200][1] == "GET HEAD POST OPTIONS PUT DELETE PATCH"


def test_a_host_to_a_grpc_port_lets_grpc_s_content_type_through() -> None:
    """920420 refuses a content type CRS does not list, and gRPC always sends ``application/grpc``."""
    spec = WAF_SPEC.replace("port http 8080 }", "port grpc 8080 }").replace("-> api:http", "-> api:grpc")
    variable, kinds, _ = _setvars(_directives(_plugin(spec)))[900220]
    assert variable == "allowed_request_content_type"
    assert kinds.split() == [f"|{kind}|" for kind in (*CRS_CONTENT_TYPES, "application/grpc")]
    assert kinds == kinds.lower()  # 920420 compares lower-cased


def test_the_body_limit_is_the_ingress_limit_and_gzipped_responses_are_not_read(seed_plugin: dict[str, Any]) -> None:
    lines = _directives(seed_plugin["spec"])
    assert f"SecRequestBodyLimit {MAX_REQUEST_BYTES}" in lines and f"SecRequestBodyInMemoryLimit {MAX_REQUEST_BYTES}" in lines
    assert "SecResponseBodyAccess Off" in lines  # the seed compresses: the compressor runs before the WAF on responses
    assert "SecResponseBodyAccess Off" not in _directives(_plugin(WAF_SPEC))  # no compression: the recommended On stays


def test_the_module_is_a_pinned_release_never_latest(seed_plugin: dict[str, Any]) -> None:
    url = seed_plugin["spec"]["url"]
    assert url == CORAZA_MODULE.url == "oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.6.0"
    assert re.fullmatch(r"oci://[^:]+:\d+\.\d+\.\d+", url)
    assert seed_plugin["spec"]["imagePullPolicy"] == "IfNotPresent"


def test_the_plugin_passes_the_vendored_crd_schema(seed_plugin: dict[str, Any]) -> None:
    assert validate_crd(seed_plugin) == []


def test_the_plugin_passes_the_crds_cel_rules(seed_plugin: dict[str, Any]) -> None:
    """What ``jsonschema`` skips: at most one of selector/targetRef/targetRefs, a ``url`` scheme Istio fetches, and
    ``targetRefs`` with no other namespace (cross-namespace references are refused)."""
    spec = seed_plugin["spec"]
    assert sum(key in spec for key in ("selector", "targetRef", "targetRefs")) <= 1
    assert spec["url"].startswith(SCHEMES)
    assert all(ref.get("namespace", "") == "" for ref in spec["targetRefs"])


def test_no_wasm_plugin_without_waf_or_without_a_mesh() -> None:
    assert _plugins(HTTP01_SPEC) == []
    meshless = WAF_SPEC.replace("mesh istio { mtls strict }\n", "").replace("  mesh on\n", "")
    assert _plugins(meshless) == []


def test_without_a_mesh_the_waf_is_reported_and_with_it_not(seed: Topology) -> None:
    meshless = WAF_SPEC.replace("mesh istio { mtls strict }\n", "").replace("  mesh on\n", "")
    analysis = analyze_text(meshless, "shop.orion")
    assert analysis.topology is not None
    [dropped] = [d for d in gateway_api.diagnostics(analysis.topology) if d.code == "I1047"]
    assert "no mesh" in dropped.summary and "modsecurity" in dropped.summary
    assert [d for d in gateway_api.diagnostics(seed) if d.code == "I1047"] == []


def test_mode_detect_only_logs_fails_open_and_is_reported() -> None:
    spec = WAF_SPEC.replace("  waf modsecurity\n", "  waf modsecurity { mode detect }\n")
    plugin = _plugin(spec)
    assert [line for line in _directives(plugin) if line.startswith("SecRuleEngine ")] == ["SecRuleEngine DetectionOnly"]
    assert plugin["failStrategy"] == "FAIL_OPEN"
    [detect] = [d for d in gateway_api.diagnostics(topology_of(spec)) if d.code == "I1085"]
    assert "detect" in detect.summary


def test_the_gateway_pods_reach_the_registry_on_443_of_public_addresses_only(seed: Topology) -> None:
    """The pods' istio-agent pulls the module itself (istio/istio pkg/wasm: the agent's image fetcher), so the
    gateway's egress policy must admit the registry: ghcr.io's addresses are public, the cloud metadata one is not."""
    egress = find(kubernetes_objects(seed), "NetworkPolicy", "edge-istio-egress", "orion-ingress")["spec"]["egress"]
    public = [rule for rule in egress if any("ipBlock" in peer for peer in rule["to"])]
    assert [rule["ports"] for rule in public] == [[{"port": 443, "protocol": "TCP"}]]
    [peer] = public[0]["to"]
    assert peer["ipBlock"]["cidr"] == "0.0.0.0/0" and "169.254.0.0/16" in peer["ipBlock"]["except"] and "10.0.0.0/8" in peer["ipBlock"]["except"]


def test_a_mirror_is_reached_on_its_port_and_pulled_from() -> None:
    mirror = "oci://registry.example.com:5000/waf/coraza-proxy-wasm:0.6.0"
    spec = WAF_SPEC.replace("  waf modsecurity\n", f'  waf modsecurity {{ module "{mirror}" }}\n')
    assert _plugin(spec)["url"] == mirror
    egress = find(kubernetes_objects(topology_of(spec)), "NetworkPolicy", "edge-istio-egress", "shop-edge")["spec"]["egress"]
    [rule] = [rule for rule in egress if any("ipBlock" in peer for peer in rule["to"])]
    assert rule["ports"] == [{"port": 5000, "protocol": "TCP"}]
    assert rule["to"] == [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.0.0/16"]}}]  # a mirror is often private
    assert [d for d in render_kubernetes(planned(topology_of(spec))).diagnostics if d.code == "I1087"] == []


def test_without_a_waf_the_gateway_reaches_no_public_address() -> None:
    egress = find(kubernetes_objects(topology_of(HTTP01_SPEC)), "NetworkPolicy", "edge-istio-egress", "shop-edge")["spec"]["egress"]
    assert [rule for rule in egress if any("ipBlock" in peer for peer in rule["to"])] == []


@pytest.mark.parametrize(
    ("module", "why"),
    [
        ("oci://registry.example.com/coraza-proxy-wasm:latest", "not pinned"),
        ("oci://registry.example.com/coraza-proxy-wasm", "not pinned"),
        ("https://registry.example.com/coraza.wasm", "not an OCI reference"),
        ("oci://registry.example.com:99999/coraza-proxy-wasm:0.6.0", "outside 1-65535"),
    ],
)
def test_an_unpinned_or_malformed_module_is_refused(module: str, why: str) -> None:
    spec = WAF_SPEC.replace("  waf modsecurity\n", f'  waf modsecurity {{ module "{module}" }}\n')
    [bad] = [d for d in analyze_text(spec, "shop.orion").diagnostics if d.code == "E0120"]
    assert why in bad.summary


def test_a_digest_pins_the_module() -> None:
    module = "oci://registry.example.com/coraza-proxy-wasm@sha256:" + "0" * 64
    spec = WAF_SPEC.replace("  waf modsecurity\n", f'  waf modsecurity {{ module "{module}" }}\n')
    assert _plugin(spec)["url"] == module


def test_ingress_nginx_says_its_modsecurity_only_detects_unless_the_controller_turns_it_on() -> None:
    spec = WAF_SPEC.replace("namespace shop-edge\n", "controller ingress-nginx\n  namespace shop-edge\n", 1)
    found = [d for d in render_kubernetes(planned(topology_of(spec))).diagnostics if d.code == "I1086"]
    assert len(found) == 1 and "SecRuleEngine On" in found[0].help
    detect = spec.replace("  waf modsecurity\n", "  waf modsecurity { mode detect }\n")
    assert [d.code for d in render_kubernetes(planned(topology_of(detect))).diagnostics if d.code in ("I1085", "I1086")] == ["I1085"]
