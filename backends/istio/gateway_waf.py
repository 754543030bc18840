"""The ``istio`` ingress's ``waf``: a WasmPlugin that runs Coraza with the OWASP core rules on the gateway's pods (S39).

The WasmPlugin (``extensions.istio.io/v1alpha1``, istio/api@00017fa3 extensions/v1alpha1/wasm.proto; the CRD Istio 1.30.3
ships, vendored in tests/schemas/crds/extensions.istio.io, has the same fields):

* ``targetRefs`` names the Gateway (group ``gateway.networking.k8s.io``, same namespace): a Gateway API gateway's
  pods take a policy by ``targetRefs``, matched on their ``gateway.networking.k8s.io/gateway-name`` label
  (istio/istio 1.30.3 pilot/pkg/model/policyattachment.go ``ShouldAttachPolicy``; since 1.22), and a ``selector``
  policy on them is only a feature-flag fallback;
* ``phase: AUTHN``: the filter goes before Istio's authentication filters (istio/istio 1.30.3
  pilot/pkg/networking/core/listener_builder.go: metadata exchange, CUSTOM ext-authz, the AUTHN extensions, then
  authn; pilot/pkg/config/kube/extensions/translate.go makes a WasmPlugin such an extension), so the EnvoyFilter's
  rate limit, inserted first in the chain, runs before it and a flood is dropped before the rules read it, and the
  buffer and compressor (inserted just before the router) after it;
* ``failStrategy``: ``FAIL_RELOAD`` when blocking: a Coraza runtime error (its known out-of-memory panics) gets a
  new VM instead of failing every later request on that worker with 503 while the pod stays Ready, and any other
  error falls back to fail closed (istio/api extensions/v1alpha1/wasm.proto ``FAIL_RELOAD``; Istio 1.30.3
  pilot/pkg/model/extensions.go maps it to Envoy's ``FAIL_RELOAD``). A module the agent cannot fetch is never let
  through unfiltered: the agent puts an RBAC filter with empty rules in its place, so requests get 403 "RBAC: access
  denied" (stat prefix ``wasm-default-deny``; agent log "error in converting the wasm config to local", pkg/wasm/
  convert.go ``denyHTTPTypedConfig``: only ``FAIL_OPEN`` gets the allow filter). ``FAIL_OPEN`` when only detecting
  (a WAF that refuses nothing must not take the edge down);
* ``imagePullPolicy: IfNotPresent`` with a pinned tag: each pod's istio-agent pulls the module once (its
  NetworkPolicy admits the registry, ``backends/kubernetes/policies.py``) and keeps it in its cache;
* ``pluginConfig``: :func:`orion_dsl.lowering.waf.directives` as the one set of ``directives_map``.
"""

from __future__ import annotations

from orion_dsl.backends.istio.names import Obj, obj
from orion_dsl.lowering import Plan, Planned, Role
from orion_dsl.lowering.waf import DIRECTIVES, directives, module
from orion_dsl.model import Ingress

__all__ = ["wasm_plugin"]


def wasm_plugin(entry: Planned, plan: Plan) -> Obj:
    """The WasmPlugin on the Gateway's pods: Coraza's module, pinned, with the OWASP core rules and the engine's mode."""
    ing = entry.of(Ingress)
    gateway = plan.get(Role.GATEWAY, ing)
    spec: Obj = {
        "targetRefs": [{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": gateway.name}],
        "url": module(ing).url,
        "imagePullPolicy": "IfNotPresent",
        "phase": "AUTHN",
        "failStrategy": "FAIL_RELOAD" if ing.waf_mode == "block" else "FAIL_OPEN",
        "pluginConfig": {"directives_map": {DIRECTIVES: directives(ing)}, "default_directives": DIRECTIVES},
    }
    return obj(entry, spec)
