"""An independent evaluator of Istio AuthorizationPolicy (security.istio.io/v1, v1beta1).

What: decide whether one request to a sidecar-injected workload is allowed by a set
of AuthorizationPolicy dicts, for mTLS-authenticated workload-to-workload calls (and
optionally JWT-authenticated end users).

Why: tests must check what ORION's generated policies *permit*, not how they look;
this module follows the Istio reference (``security/v1/authorization_policy.proto``,
the authorization concept page, the conditions page and the authz-tcp task) and knows
nothing about ORION.

Evaluation order (Istio reference):

1. CUSTOM policies: ignored here (they delegate to an external authorizer; ORION's
   oracle cannot model one).  AUDIT policies never affect the decision.
2. Any applicable DENY policy with a matching rule -> deny.
3. No applicable ALLOW policy -> allow.
4. Any applicable ALLOW policy with a matching rule -> allow; otherwise deny.

A policy applies to the destination workload when its ``metadata.namespace`` is the
workload's namespace or the root namespace (``istio-system`` by default, mesh-wide),
and its ``spec.selector.matchLabels`` (missing = all workloads) is a subset of the
workload labels.  ``spec: {}`` is an ALLOW policy without rules, so it allows nothing;
``rules: [{}]`` contains the empty rule, which matches everything.

A rule matches when (``from`` missing/empty or any ``from[].source`` matches) AND
(``to`` missing/empty or any ``to[].operation`` matches) AND every ``when`` condition
matches.  Inside a source / operation all set fields must match (AND); inside a field's
list any value may match (OR); a ``notX`` field matches when no value matches.
String values support exact, prefix (``abc*``), suffix (``*abc``) and presence
(``*`` = any non-empty value) matching; an absent attribute (e.g. no peer identity on
a plaintext request, no JWT) never matches a positive list and always satisfies a
negative one.  ``hosts`` match case-insensitively; ``ports`` are decimal strings;
``serviceAccounts`` are exact ``<namespace>/<sa>`` values (no wildcards); a query
string is ignored for ``paths``.

``when`` keys supported: ``source.principal``, ``source.namespace``, ``source.ip``,
``destination.port``, ``request.auth.principal``, ``request.auth.claims[name]`` (nested
``[a][b]``; list-valued claims match when any element matches) and
``request.headers[name]``.  Any other key, ``remoteIpBlocks``, path templates
(``{*}``/``{**}``) and ``targetRef(s)`` raise ``NotImplementedError`` instead of
being guessed at; malformed policies (unknown fields or action, non-string ports, a
condition without values) raise :class:`AuthorizationPolicyError` (a ``ValueError``).

Plain TCP (``Request(tcp=True)``), per the authz-tcp task: an ALLOW rule that uses an
HTTP-only field (requestPrincipals, hosts, methods, paths, their ``not`` forms, or a
``request.*`` condition) is ignored; in a DENY rule those fields are treated as
matching, so the rest of the rule decides.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "ROOT_NAMESPACE",
    "AuthorizationPolicyError",
    "Decision",
    "Request",
    "decide",
    "evaluate",
    "string_match",
]

ROOT_NAMESPACE: Final[str] = "istio-system"
_PRINCIPAL_RE: Final[re.Pattern[str]] = re.compile(r"^[^/]+/ns/([^/]+)/sa/([^/]+)$")
_API_VERSIONS: Final[frozenset[str]] = frozenset({"security.istio.io/v1", "security.istio.io/v1beta1"})
_ACTIONS: Final[frozenset[str]] = frozenset({"ALLOW", "DENY", "AUDIT", "CUSTOM"})

_SOURCE_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "principals",
        "notPrincipals",
        "requestPrincipals",
        "notRequestPrincipals",
        "namespaces",
        "notNamespaces",
        "serviceAccounts",
        "notServiceAccounts",
        "ipBlocks",
        "notIpBlocks",
        "remoteIpBlocks",
        "notRemoteIpBlocks",
    }
)
_OPERATION_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "hosts",
        "notHosts",
        "ports",
        "notPorts",
        "methods",
        "notMethods",
        "paths",
        "notPaths",
    }
)
_HTTP_ONLY_SOURCE: Final[frozenset[str]] = frozenset({"requestPrincipals", "notRequestPrincipals"})
_HTTP_ONLY_OPERATION: Final[frozenset[str]] = frozenset({"hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"})


class AuthorizationPolicyError(ValueError):
    """An AuthorizationPolicy Istio would refuse (so the evaluator refuses it too)."""


@dataclass(frozen=True)
class Request:
    """One request as the destination sidecar sees it.

    ``source_principal`` is the peer's mTLS identity ``cluster.local/ns/<ns>/sa/<sa>``
    (``None`` = plaintext).  ``source_namespace`` defaults to the namespace inside the
    principal; giving a different one is an error.  ``request_principal`` is the JWT
    identity ``<iss>/<sub>`` (``None`` = no valid JWT) and ``claims`` its claims.
    ``tcp=True`` models a plain TCP connection (no HTTP attributes at all).
    """

    source_principal: str | None
    source_namespace: str | None
    dst_namespace: str
    dst_labels: Mapping[str, str] = field(hash=False)
    port: int
    path: str = "/"
    method: str = "GET"
    request_principal: str | None = None
    host: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict, hash=False)
    claims: Mapping[str, Any] = field(default_factory=dict, hash=False)
    source_ip: str | None = None
    tcp: bool = False

    def __post_init__(self) -> None:
        if not 1 <= self.port <= 65535:
            raise ValueError(f"port out of range: {self.port}")
        if self.source_principal is not None:
            match = _PRINCIPAL_RE.match(self.source_principal)
            if match is None:
                raise ValueError(f"principal must look like <td>/ns/<ns>/sa/<sa>: {self.source_principal!r}")
            if self.source_namespace is not None and self.source_namespace != match.group(1):
                raise ValueError(f"source_namespace {self.source_namespace!r} contradicts principal {self.source_principal!r}")
        if self.source_ip is not None:
            ipaddress.ip_address(self.source_ip)

    @property
    def effective_source_namespace(self) -> str | None:
        """``source_namespace``, else the namespace encoded in the principal."""
        if self.source_namespace is not None:
            return self.source_namespace
        match = _PRINCIPAL_RE.match(self.source_principal or "")
        return match.group(1) if match else None

    @property
    def service_account(self) -> str | None:
        """``<namespace>/<sa>`` taken from the principal, if any."""
        match = _PRINCIPAL_RE.match(self.source_principal or "")
        return f"{match.group(1)}/{match.group(2)}" if match else None


@dataclass(frozen=True)
class Decision:
    """The outcome of :func:`evaluate` and the policy that decided it (for messages)."""

    allowed: bool
    reason: str


def string_match(pattern: str, value: str | None, *, ignore_case: bool = False) -> bool:
    """Istio string matching: exact, ``prefix*``, ``*suffix``, ``*`` = present and non-empty."""
    if value is None:
        return False
    if ignore_case:
        pattern, value = pattern.lower(), value.lower()
    if pattern == "*":
        return value != ""
    if pattern.startswith("*"):
        return value.endswith(pattern[1:])
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def _strings(raw: Any, where: str) -> list[str]:
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise AuthorizationPolicyError(f"{where}: expected a list of strings, got {raw!r}")
    return list(raw)


def _ip_match(block: str, ip: str | None) -> bool:
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block, strict=False)
    return address.version == network.version and address in network


def _path_match(pattern: str, path: str) -> bool:
    if "{" in pattern:
        raise NotImplementedError(f"path templates are not modelled: {pattern!r}")
    return string_match(pattern, path.split("?", 1)[0])


def _field_match(name: str, values: list[str], request: Request) -> bool:
    """Whether the positive field ``name`` (e.g. ``principals``) matches the request."""
    if name == "principals":
        return any(string_match(v, request.source_principal) for v in values)
    if name == "requestPrincipals":
        return any(string_match(v, request.request_principal) for v in values)
    if name == "namespaces":
        return any(string_match(v, request.effective_source_namespace) for v in values)
    if name == "serviceAccounts":
        return request.service_account is not None and request.service_account in values
    if name == "ipBlocks":
        return any(_ip_match(v, request.source_ip) for v in values)
    if name == "hosts":
        return any(string_match(v, request.host, ignore_case=True) for v in values)
    if name == "ports":
        return any(string_match(v, str(request.port)) for v in values)
    if name == "methods":
        return any(string_match(v, request.method) for v in values)
    if name == "paths":
        return any(_path_match(v, request.path) for v in values)
    raise NotImplementedError(f"field {name!r} is not modelled")


def _fields_match(
    raw: Any,
    allowed_fields: frozenset[str],
    http_only: frozenset[str],
    request: Request,
    where: str,
) -> bool:
    """AND over the set fields of a Source or Operation (HTTP-only ones skipped on TCP)."""
    if raw is None:
        return True
    if not isinstance(raw, Mapping):
        raise AuthorizationPolicyError(f"{where}: expected a mapping, got {raw!r}")
    unknown = set(raw) - allowed_fields
    if unknown:
        raise AuthorizationPolicyError(f"{where}: unknown fields {sorted(unknown)}")
    for name, raw_values in raw.items():
        if request.tcp and name in http_only:
            continue  # DENY on TCP: HTTP-only fields count as matching (ALLOW rules are dropped earlier)
        if name in ("remoteIpBlocks", "notRemoteIpBlocks"):
            raise NotImplementedError(f"{where}: {name} (X-Forwarded-For based) is not modelled")
        values = _strings(raw_values, f"{where}.{name}")
        if name.startswith("not"):
            positive = name[3].lower() + name[4:]
            if _field_match(positive, values, request):
                return False
        elif not _field_match(name, values, request):
            return False
    return True


_CLAIM_KEY_RE: Final[re.Pattern[str]] = re.compile(r"^request\.auth\.claims((?:\[[^\[\]]+\])+)$")
_HEADER_KEY_RE: Final[re.Pattern[str]] = re.compile(r"^request\.headers\[([^\[\]]+)\]$")


def _condition_values(key: str, request: Request) -> list[str]:
    """The attribute values a ``when`` key refers to (empty list = attribute absent)."""
    simple: dict[str, str | None] = {
        "source.principal": request.source_principal,
        "source.namespace": request.effective_source_namespace,
        "destination.port": str(request.port),
        "request.auth.principal": request.request_principal,
    }
    if key in simple:
        value = simple[key]
        return [] if value is None else [value]
    claim = _CLAIM_KEY_RE.match(key)
    if claim:
        node: Any = request.claims
        for part in re.findall(r"\[([^\[\]]+)\]", claim.group(1)):
            if not isinstance(node, Mapping) or part not in node:
                return []
            node = node[part]
        if isinstance(node, list):
            return [str(v) for v in node]
        return [str(node)]
    header = _HEADER_KEY_RE.match(key)
    if header:
        lowered = {k.lower(): v for k, v in request.headers.items()}
        value = lowered.get(header.group(1).lower())
        return [] if value is None else [value]
    raise NotImplementedError(f"condition key {key!r} is not modelled")


def _condition_match(raw: Any, request: Request, where: str) -> bool:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("key"), str):
        raise AuthorizationPolicyError(f"{where}: a condition needs a key: {raw!r}")
    unknown = set(raw) - {"key", "values", "notValues"}
    if unknown:
        raise AuthorizationPolicyError(f"{where}: unknown condition fields {sorted(unknown)}")
    key = raw["key"]
    if "values" not in raw and "notValues" not in raw:
        raise AuthorizationPolicyError(f"{where}: condition {key} needs values or notValues")
    if request.tcp and key.startswith("request."):
        return True  # DENY on TCP: HTTP-only conditions count as matching
    if key == "source.ip":
        ip_values = _strings(raw.get("values", []), where)
        ip_not = _strings(raw.get("notValues", []), where)
        positive = not ip_values or any(_ip_match(v, request.source_ip) for v in ip_values)
        return positive and not any(_ip_match(v, request.source_ip) for v in ip_not)
    actual = _condition_values(key, request)
    values = _strings(raw.get("values", []), f"{where}.values")
    not_values = _strings(raw.get("notValues", []), f"{where}.notValues")
    if values and not any(string_match(v, a) for v in values for a in actual):
        return False
    return not any(string_match(v, a) for v in not_values for a in actual)


def _uses_http_only(rule: Mapping[str, Any]) -> bool:
    for entry in rule.get("from") or []:
        if set((entry or {}).get("source") or {}) & _HTTP_ONLY_SOURCE:
            return True
    for entry in rule.get("to") or []:
        if set((entry or {}).get("operation") or {}) & _HTTP_ONLY_OPERATION:
            return True
    return any(str((c or {}).get("key", "")).startswith("request.") for c in rule.get("when") or [])


def _rule_match(rule: Any, action: str, request: Request, where: str) -> bool:
    if not isinstance(rule, Mapping):
        raise AuthorizationPolicyError(f"{where}: a rule must be a mapping, got {rule!r}")
    unknown = set(rule) - {"from", "to", "when"}
    if unknown:
        raise AuthorizationPolicyError(f"{where}: unknown rule fields {sorted(unknown)}")
    froms: Sequence[Any] = rule.get("from") or []
    tos: Sequence[Any] = rule.get("to") or []
    for index, entry in enumerate(froms):
        if not isinstance(entry, Mapping) or set(entry) - {"source"}:
            raise AuthorizationPolicyError(f"{where}.from[{index}]: only 'source' is allowed: {entry!r}")
    for index, entry in enumerate(tos):
        if not isinstance(entry, Mapping) or set(entry) - {"operation"}:
            raise AuthorizationPolicyError(f"{where}.to[{index}]: only 'operation' is allowed: {entry!r}")
    if request.tcp and action == "ALLOW" and _uses_http_only(rule):
        return False  # Istio drops ALLOW rules with HTTP-only fields on TCP
    source_ok = not froms or any(
        _fields_match(
            e.get("source"),
            _SOURCE_FIELDS,
            _HTTP_ONLY_SOURCE,
            request,
            f"{where}.from[{i}].source",
        )
        for i, e in enumerate(froms)
    )
    operation_ok = not tos or any(
        _fields_match(
            e.get("operation"),
            _OPERATION_FIELDS,
            _HTTP_ONLY_OPERATION,
            request,
            f"{where}.to[{i}]",
        )
        for i, e in enumerate(tos)
    )
    conditions = rule.get("when") or []
    when_ok = all(_condition_match(c, request, f"{where}.when[{i}]") for i, c in enumerate(conditions))
    return source_ok and operation_ok and when_ok


def _policy_parts(policy: Mapping[str, Any]) -> tuple[str, str, Mapping[str, Any]]:
    """(namespace, name, spec) of an AuthorizationPolicy, validating the envelope."""
    if policy.get("apiVersion") not in _API_VERSIONS:
        raise AuthorizationPolicyError(f"AuthorizationPolicy with unsupported apiVersion {policy.get('apiVersion')!r}")
    meta = policy.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name", "?")
    if not isinstance(namespace, str) or not namespace:
        raise AuthorizationPolicyError(f"AuthorizationPolicy {name}: metadata.namespace is required for evaluation")
    spec = policy.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise AuthorizationPolicyError(f"AuthorizationPolicy {namespace}/{name}: spec must be a mapping")
    return namespace, str(name), spec


def _applies(namespace: str, spec: Mapping[str, Any], request: Request, root_namespace: str) -> bool:
    if "targetRef" in spec or "targetRefs" in spec:
        raise NotImplementedError("targetRef/targetRefs (gateway/waypoint attachment) is not modelled")
    if namespace not in (request.dst_namespace, root_namespace):
        return False
    selector = spec.get("selector") or {}
    match_labels = selector.get("matchLabels") or {}
    return all(request.dst_labels.get(k) == v for k, v in match_labels.items())


def evaluate(
    policies: Iterable[Mapping[str, Any]],
    request: Request,
    root_namespace: str = ROOT_NAMESPACE,
) -> Decision:
    """Decide ``request`` against ``policies`` and say which policy decided.

    Objects of other kinds in ``policies`` are skipped, so a whole generated bundle
    can be passed in.
    """
    allow_policies: list[str] = []
    allow_match: str | None = None
    for policy in policies:
        if policy.get("kind") != "AuthorizationPolicy":
            continue
        namespace, name, spec = _policy_parts(policy)
        action = spec.get("action", "ALLOW")
        if action not in _ACTIONS:
            raise AuthorizationPolicyError(f"AuthorizationPolicy {namespace}/{name}: unknown action {action!r}")
        if not _applies(namespace, spec, request, root_namespace) or action in (
            "CUSTOM",
            "AUDIT",
        ):
            continue
        rules = spec.get("rules") or []
        if not isinstance(rules, list):
            raise AuthorizationPolicyError(f"AuthorizationPolicy {namespace}/{name}: rules must be a list")
        ident = f"{namespace}/{name}"
        matched = any(_rule_match(r, action, request, f"{ident}.rules[{i}]") for i, r in enumerate(rules))
        if action == "DENY" and matched:
            return Decision(False, f"denied by DENY policy {ident}")
        if action == "ALLOW":
            allow_policies.append(ident)
            if matched and allow_match is None:
                allow_match = ident
    if not allow_policies:
        return Decision(True, "allowed: no ALLOW policy applies to the workload")
    if allow_match is not None:
        return Decision(True, f"allowed by ALLOW policy {allow_match}")
    return Decision(
        False,
        f"denied: no rule of the applicable ALLOW policies {allow_policies} matches",
    )


def decide(
    policies: Iterable[Mapping[str, Any]],
    request: Request,
    root_namespace: str = ROOT_NAMESPACE,
) -> bool:
    """True when Istio would let ``request`` through ``policies`` (see :func:`evaluate`)."""
    return evaluate(policies, request, root_namespace).allowed
