"""The ingress's ``waf`` on Istio's gateway: Coraza (OWASP's ModSecurity-compatible engine) with the OWASP core
rules, a Wasm module Istio's WasmPlugin loads into the gateway's Envoys (S39).

What ORION pins, and why (sources kept here, the backend ``backends/istio/gateway_waf.py`` writes the object):

* the module is ``coraza-proxy-wasm``'s image ``ghcr.io/corazawaf/coraza-proxy-wasm`` (corazawaf/coraza-proxy-wasm
  .github/workflows/ci.yaml: a release tag ``X.Y.Z`` publishes the image tags ``X.Y.Z`` and ``X``, ``main`` the
  branch's build). Its last release is 0.6.0 (2025-07-11, issue #297; Coraza 3.3.3, CRS 4.x embedded), and an issue
  asking for a newer one (#322, 2026-04) is open with no answer as of 2026-07: the project is maintained slowly. The tag
  is pinned, not ``latest`` (Istio pulls ``latest`` again whenever the WasmPlugin changes, api
  extensions/v1alpha1/wasm.proto ``PullPolicy``). It is not pinned by digest: Istio compares the ``sha256`` field (and an
  ``@sha256:`` in the URL) with the digest of the platform image it resolves (istio/istio 1.30.3 pkg/wasm/imagefetcher.go
  ``PrepareFetch``: ``desc.Image()`` then ``img.Digest()``), not the image index a registry lists, and no
  value of it could be checked here; a wrong one fails every request (FAIL_CLOSE). ``module`` takes a digest;
* the rules: the module embeds Coraza's recommended configuration as ``@recommended-conf``, the CRS setup as
  ``@crs-setup-conf`` and the rules as ``@owasp_crs/*.conf`` (coraza-proxy-wasm wasmplugin/fs.go), chosen by
  ``directives_map`` and ``default_directives`` (wasmplugin/config.go). ``@recommended-conf`` sets
  ``SecRuleEngine DetectionOnly`` (wasmplugin/rules/coraza.conf-recommended.conf), so the engine line comes after it,
  as does the request body limit: the recommended 128 KiB (larger bodies refused) becomes
  :data:`~orion_dsl.lowering.istio.MAX_REQUEST_BYTES`, the ingress's limit. With ``compression on`` the gateway's
  compressor (before the router) has gzipped a response before the WAF, which sits earlier in the chain, sees it, so
  response bodies are not read (the response rules would read gzip).
"""

from __future__ import annotations

from orion_dsl.choices import WafMode
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Ingress
from orion_dsl.values import OciModule

from .istio import MAX_REQUEST_BYTES

__all__ = ["CORAZA_MODULE", "DIRECTIVES", "directives", "logging_only", "module"]

#: The released Coraza module ORION loads unless the spec names a mirror's (``waf modsecurity { module "..." }``).
CORAZA_MODULE = OciModule("oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.6.0", "ghcr.io", 443)
#: The name of ORION's set of directives in the plugin's ``directives_map`` (its ``default_directives``).
DIRECTIVES = "orion"
#: Coraza's ``SecRuleEngine`` for each mode: ``On`` refuses (403) what the rules match, ``DetectionOnly`` logs it.
ENGINE: dict[WafMode, str] = {"block": "On", "detect": "DetectionOnly"}


def module(ing: Ingress) -> OciModule:
    """Where the gateway's agent pulls the WAF's module from: the spec's mirror, else the pinned release."""
    return ing.waf_module or CORAZA_MODULE


def directives(ing: Ingress) -> list[str]:
    """Coraza's directives, in order: the recommended configuration, then what ORION changes in it (the engine,
    the body limit, response bodies under compression), then the CRS setup and rules."""
    lines = ["Include @recommended-conf", f"SecRuleEngine {ENGINE[ing.waf_mode]}"]
    lines += [f"SecRequestBodyLimit {MAX_REQUEST_BYTES}", f"SecRequestBodyInMemoryLimit {MAX_REQUEST_BYTES}"]
    if ing.compression:
        lines.append("SecResponseBodyAccess Off")
    return [*lines, "Include @crs-setup-conf", "Include @owasp_crs/*.conf"]


def logging_only(ing: Ingress) -> list[Diagnostic]:
    """I1085 for a WAF that runs in ``mode detect``: it logs matches and refuses nothing, which the spec should know."""
    if ing.waf is None or ing.waf_mode != "detect":
        return []
    summary = f"waf {ing.waf} runs in mode detect: the OWASP core rules' matches are logged, no request is refused"
    return [info("I1085", ing.span, summary, "set `mode block` (the default) once the gateway's log shows no false positives")]
