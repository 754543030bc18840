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
  value of it could be checked here; a wrong one refuses every request (the agent's deny filter: 403). ``module`` takes a digest;
* the rules: the module embeds Coraza's recommended configuration as ``@recommended-conf``, the CRS setup as
  ``@crs-setup-conf`` and the rules as ``@owasp_crs/*.conf`` (coraza-proxy-wasm wasmplugin/fs.go), chosen by
  ``directives_map`` and ``default_directives`` (wasmplugin/config.go). ``@recommended-conf`` sets
  ``SecRuleEngine DetectionOnly`` (wasmplugin/rules/coraza.conf-recommended.conf), so the engine line comes after it,
  as does the request body limit: the recommended 128 KiB (larger bodies refused) becomes
  :data:`~orion_dsl.lowering.istio.MAX_REQUEST_BYTES`, the ingress's limit. With ``compression on`` the gateway's
  compressor (before the router) has gzipped a response before the WAF, which sits earlier in the chain, sees it, so
  response bodies are not read (the response rules would read gzip);
* the HTTP policy: with crs-setup's 900200 left commented out (as the module's crs-setup.conf.example leaves it),
  CRS 4 allows only ``GET HEAD POST OPTIONS`` (REQUEST-901-INITIALIZATION.conf 901160 sets ``tx.allowed_methods``
  when nothing has), and rule 911100 (CRITICAL, 5 points, the blocking threshold) refuses any other method with 403
  under ``SecRuleEngine On``, so a REST API's PUT, PATCH and DELETE would all be refused. ORION writes the 900200
  ``SecAction`` itself (crs-setup.conf.example's syntax, between the setup and the rules, so 901160 keeps it):
  those four and the ingress's ``cors`` methods (``"*"``: every method of RFC 9110 and PATCH but CONNECT and TRACE).
  Likewise 900220: a host to a gRPC port (one Istio takes for gRPC by its name, ``grpc`` or ``grpc-*``) sends
  ``application/grpc``, which 920420 refuses unless the allowed content types (901162's default) name it.
  Sources: corazawaf/coraza-proxy-wasm@3607c012 (CRS 4.14.0) wasmplugin/rules/crs-setup.conf.example:472-480
  and :531-539, wasmplugin/rules/crs/REQUEST-901-INITIALIZATION.conf:183-200,
  REQUEST-911-METHOD-ENFORCEMENT.conf (911100), REQUEST-920-PROTOCOL-ENFORCEMENT.conf:942-964 (920420).
"""

from __future__ import annotations

from orion_dsl.choices import WafMode
from orion_dsl.diagnostics import Diagnostic, info
from orion_dsl.model import Ingress, Port
from orion_dsl.values import OciModule

from .istio import MAX_REQUEST_BYTES

__all__ = [
    "CORAZA_MODULE", "CRS_CONTENT_TYPES", "CRS_METHODS", "DIRECTIVES",
    "allowed_content_types", "allowed_methods", "directives", "logging_only", "module",
]  # fmt: skip

#: The released Coraza module ORION loads unless the spec names a mirror's (``waf modsecurity { module "..." }``).
CORAZA_MODULE = OciModule("oci://ghcr.io/corazawaf/coraza-proxy-wasm:0.6.0", "ghcr.io", 443)
#: The name of ORION's set of directives in the plugin's ``directives_map`` (its ``default_directives``).
DIRECTIVES = "orion"
#: Coraza's ``SecRuleEngine`` for each mode: ``On`` refuses (403) what the rules match, ``DetectionOnly`` logs it.
ENGINE: dict[WafMode, str] = {"block": "On", "detect": "DetectionOnly"}


#: The methods CRS 4 allows unless crs-setup says otherwise (901160).
CRS_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
#: What a ``cors`` method ``"*"`` stands for: RFC 9110's methods and PATCH (RFC 5789), but CONNECT and TRACE.
ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")
#: The request content types the module's CRS 4.14 allows unless crs-setup says otherwise (901162), lower case.
CRS_CONTENT_TYPES = (
    "application/x-www-form-urlencoded", "multipart/form-data", "text/xml", "application/xml", "application/soap+xml", "application/json",
)  # fmt: skip
#: The content type of a gRPC request (grpc/grpc doc/PROTOCOL-HTTP2.md ``Content-Type``).
GRPC_CONTENT_TYPE = "application/grpc"


def module(ing: Ingress) -> OciModule:
    """Where the gateway's agent pulls the WAF's module from: the spec's mirror, else the pinned release."""
    return ing.waf_module or CORAZA_MODULE


def allowed_methods(ing: Ingress) -> tuple[str, ...]:
    """The methods the WAF lets through: CRS's four and the ``cors`` block's, in that order, each once."""
    stated = (ANY_METHOD if method == "*" else (method,) for method in ing.cors_methods)
    return tuple(dict.fromkeys([*CRS_METHODS, *(m for group in stated for m in group)]))


def _grpc(port: Port) -> bool:
    """Whether Istio takes a Service port for gRPC by its name (``grpc``, ``grpc-*``; ORION writes no appProtocol)."""
    return port.name == "grpc" or port.name.startswith("grpc-")


def allowed_content_types(ing: Ingress) -> tuple[str, ...] | None:
    """The request content types the WAF lets through when CRS's default would refuse some of the hosts' (gRPC's);
    None: the default serves them."""
    if not any(_grpc(host.port) for host in ing.hosts):
        return None
    return (*CRS_CONTENT_TYPES, GRPC_CONTENT_TYPE)


def _setup(rule: int, variable: str, value: str) -> str:
    """A crs-setup ``SecAction`` setting one of CRS's policy variables (crs-setup.conf.example's form, one line)."""
    return f"SecAction \"id:{rule},phase:1,pass,t:none,nolog,setvar:'tx.{variable}={value}'\""


def directives(ing: Ingress) -> list[str]:
    """Coraza's directives, in order: the recommended configuration, then what ORION changes in it (the engine,
    the body limit, response bodies under compression), then the CRS setup, ORION's HTTP policy, and the rules."""
    lines = ["Include @recommended-conf", f"SecRuleEngine {ENGINE[ing.waf_mode]}"]
    lines += [f"SecRequestBodyLimit {MAX_REQUEST_BYTES}", f"SecRequestBodyInMemoryLimit {MAX_REQUEST_BYTES}"]
    if ing.compression:
        lines.append("SecResponseBodyAccess Off")
    lines += ["Include @crs-setup-conf", _setup(900200, "allowed_methods", " ".join(allowed_methods(ing)))]
    content_types = allowed_content_types(ing)
    if content_types is not None:
        lines.append(_setup(900220, "allowed_request_content_type", " ".join(f"|{kind}|" for kind in content_types)))
    return [*lines, "Include @owasp_crs/*.conf"]


def logging_only(ing: Ingress) -> list[Diagnostic]:
    """I1085 for a WAF that runs in ``mode detect``: it logs matches and refuses nothing, which the spec should know."""
    if ing.waf is None or ing.waf_mode != "detect":
        return []
    summary = f"waf {ing.waf} runs in mode detect: the OWASP core rules' matches are logged, no request is refused"
    return [info("I1085", ing.span, summary, "set `mode block` (the default) once the gateway's log shows no false positives")]
