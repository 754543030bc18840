"""Which patches change what the allow-graph computed: W0313, and the document's note beside such a patch.

The allow-graph (who may call whom, on which port, through which ingress) is computed from the spec and
written into the NetworkPolicies, AuthorizationPolicies, Services, pod labels and routes; the diagrams and
the architecture document draw the same graph. Patches are applied after, and not fed back into the model
(docs/design/patches.md), so a patch of one of those fields makes the cluster differ from what the diagrams
and the document show. :data:`GRAPH_FIELDS` names those fields per kind; :func:`graph_fields` finds the ones
a patch sets, removes or replaces (a field set whole counts for every field below it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from orion_dsl.diagnostics import Diagnostic, warning
from orion_dsl.patches.model import DIRECTIVE, Json, Patch

#: A field path, by field names (list indexes and merge keys left out): ``("spec", "ports")``.
FieldPath = tuple[str, ...]

_POD = ("spec", "template")
#: Pod annotations that take a pod out of the mesh or let traffic past its sidecar
#: (istio.io/latest/docs/reference/config/annotations/).
_MESH_ANNOTATIONS = (
    "sidecar.istio.io/inject",
    *(f"traffic.sidecar.istio.io/{a}" for a in ("excludeInboundPorts", "excludeOutboundPorts", "excludeOutboundIPRanges", "includeInboundPorts",
                                               "includeOutboundIPRanges", "includeOutboundPorts")),
)  # fmt: skip
_WORKLOAD: tuple[tuple[FieldPath, str], ...] = (
    (("spec", "selector"), "the pods it selects"),
    ((*_POD, "metadata", "labels"), "the pod labels policies and Services select by"),
    *(((*_POD, "metadata", "annotations", a), "the mesh's interception of the pods") for a in _MESH_ANNOTATIONS),
    ((*_POD, "spec", "containers", "ports"), "the container ports"),
    ((*_POD, "spec", "hostNetwork"), "the pod network"),
    *(((*_POD, "spec", f), "the service account (the mTLS principal the ALLOW policies name)") for f in ("serviceAccountName", "serviceAccount")),
)
_WHOLE: tuple[tuple[FieldPath, str], ...] = ((("spec",), "the policy"),)

#: (API group, kind) -> the fields of that kind the allow-graph computed, with what they are (for readers).
GRAPH_FIELDS: dict[tuple[str, str], tuple[tuple[FieldPath, str], ...]] = {
    ("apps", "Deployment"): _WORKLOAD,
    ("apps", "StatefulSet"): _WORKLOAD,
    ("apps", "DaemonSet"): _WORKLOAD,
    ("", "Service"): (
        (("spec", "ports"), "the Service ports"),
        (("spec", "selector"), "the pods the Service selects"),
        (("spec", "type"), "the Service type (who reaches it from outside)"),
        (("spec", "clusterIP"), "the Service address"),
        (("spec", "externalIPs"), "the Service's outside addresses"),
        (("spec", "loadBalancerSourceRanges"), "the addresses the load balancer admits"),
    ),
    ("", "Namespace"): ((("metadata", "labels"), "the namespace labels (mesh injection, policy selectors)"),),
    ("networking.k8s.io", "NetworkPolicy"): _WHOLE,
    ("networking.k8s.io", "Ingress"): ((("spec",), "the ingress hosts and routes"),),
    ("security.istio.io", "AuthorizationPolicy"): _WHOLE,
    ("security.istio.io", "PeerAuthentication"): ((("spec",), "the mutual TLS mode"),),
    ("security.istio.io", "RequestAuthentication"): ((("spec",), "the JSON Web Tokens the workload takes"),),
    ("networking.istio.io", "DestinationRule"): (
        (("spec", "host"), "the host the rule applies to"),
        (("spec", "exportTo"), "the namespaces that see the rule"),
        (("spec", "trafficPolicy", "tls"), "the TLS the callers' sidecars use"),
        (("spec", "trafficPolicy", "portLevelSettings", "tls"), "the TLS the callers' sidecars use"),
        (("spec", "subsets"), "the subsets the routes name"),
    ),
    ("networking.istio.io", "Sidecar"): ((("spec",), "the hosts the sidecar reaches"),),
    ("networking.istio.io", "ServiceEntry"): ((("spec",), "the external service's hosts and ports"),),
    ("networking.istio.io", "Gateway"): ((("spec", "servers"), "the gateway's listeners"),),
    ("networking.istio.io", "VirtualService"): ((("spec",), "the routes"),),
    ("gateway.networking.k8s.io", "Gateway"): (
        (("spec", "listeners"), "the gateway's listeners"),
        (("spec", "addresses"), "the gateway's addresses"),
        (("spec", "infrastructure"), "the gateway's infrastructure (its Service's options, the proxies it trusts)"),
    ),
    ("gateway.networking.k8s.io", "HTTPRoute"): ((("spec",), "the routes"),),
}


def _value_paths(value: Json, at: FieldPath) -> Iterator[FieldPath]:
    """The fields a merge value (or an operation's value) sets: its leaves, and a field it deletes or replaces whole."""
    if isinstance(value, dict):
        if DIRECTIVE in value or not value:
            yield at
        if value.get(DIRECTIVE) != "delete":
            for key, child in value.items():
                if key != DIRECTIVE:
                    yield from _value_paths(child, (*at, key))
    elif isinstance(value, list) and any(isinstance(e, dict) for e in value):
        for element in value:
            yield from _value_paths(element, at)
    else:
        yield at


def _pointer(pointer: str) -> FieldPath:
    """A JSON pointer as a field path: its list indexes (and ``-``) left out."""
    segments = (s.replace("~1", "/").replace("~0", "~") for s in pointer[1:].split("/"))
    return tuple(s for s in segments if not (s.isdigit() or s == "-"))


def touched(patch: Patch) -> tuple[FieldPath, ...]:
    """Every field a patch sets, removes or replaces, in the order written (a ``test`` changes nothing)."""
    found: list[FieldPath] = []
    if patch.merge is not None:
        found += _value_paths(patch.merge, ())
    for op in patch.operations:
        if op.op in ("add", "replace"):
            found += _value_paths(op.value, _pointer(op.path))
        elif op.op in ("remove", "copy"):
            found.append(_pointer(op.path))
        elif op.op == "move":
            assert op.source is not None
            found += [_pointer(op.source), _pointer(op.path)]
    return tuple(dict.fromkeys(found))


def graph_fields(patch: Patch) -> tuple[str, ...]:
    """What of the allow-graph's the patch changes (``the Service ports``), each once: a field it sets is one of
    :data:`GRAPH_FIELDS` or below one, or one above it (a field set whole, removed or replaced)."""
    rules = GRAPH_FIELDS.get((patch.target.group, patch.target.kind), ())
    paths = touched(patch)
    hits = (what for field, what in rules for path in paths if path[: len(field)] == field or field[: len(path)] == path)
    return tuple(dict.fromkeys(hits))


def graph_warnings(patches: Iterable[Patch]) -> list[Diagnostic]:
    """W0313 for each patch that changes what the allow-graph computed: the diagrams and the document no longer show it."""
    help = (
        "state it in the language where it can be (`port`, `calls`, `allow`, `service_type`, `labels`, `mesh`), so the policies, "
        "diagrams and document follow it; else keep the patch, which the document's Patches section marks"
    )
    out = []
    for p in patches:
        changed = graph_fields(p)
        if changed:
            summary = f"the patch of {p.target} changes {', '.join(changed)}, which the allow-graph computed: the diagrams and the document do not show it"
            out.append(warning("W0313", p.span, summary, help))
    return out
