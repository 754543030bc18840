"""What Kubernetes and the platform own, which a spec may not take over.

ORION makes every namespace of the spec its own: a Namespace object under the restricted Pod
Security profile, and a NetworkPolicy denying everything not declared. In ``kube-system``
that would stop CoreDNS and kube-proxy; in ``default`` or ``istio-system`` whatever already
runs there. And the sidecar injection label ORION sets on a meshed namespace is not the
user's to change: written with another value, it would be overwritten without a word.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from orion_dsl.diagnostics import Diagnostic, error

if TYPE_CHECKING:
    from orion_dsl.semantic.checks import Context

#: Namespaces Kubernetes (``kube-*`` too) or the platform create and run their own pods in.
OWNED_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease", "istio-system"})
#: The label by which Istio injects its sidecar: ORION sets it to "enabled" on a ``mesh on`` namespace.
_INJECTION = "istio-injection"


def owned_namespace(name: str) -> bool:
    """Whether a namespace belongs to Kubernetes or the platform rather than to a spec."""
    return name in OWNED_NAMESPACES or name.startswith("kube-")


def namespaces_are_not_owned(ctx: Context) -> list[Diagnostic]:
    """A namespace of the spec may not be one Kubernetes or the platform own."""
    return [
        error(
            "E0204",
            ns.name.span,
            f'namespace "{ns.name.value}" belongs to Kubernetes or the platform: ORION would restrict its pods and deny its traffic',
            f"put your workloads in a namespace of your own, or write `namespace {ns.name.value} external` to place them there without ORION managing it",
        )
        for ns in ctx.spec.namespaces
        if ns.name is not None and owned_namespace(ns.name.value) and not (ns.external is not None and ns.external.value)
    ]


def injection_label_is_not_overwritten(ctx: Context) -> list[Diagnostic]:
    """A ``mesh on`` namespace may not label ``istio-injection`` with another value than the
    ``enabled`` ORION sets (the Pod Security labels are refused with the other keys ORION writes)."""
    return [
        error(
            "E0204",
            label.span,
            f'label "{_INJECTION}" is "enabled" on a namespace with mesh on, not "{label.value[1]}"',
            "remove the label, or turn the mesh off for this namespace",
        )
        for ns in ctx.spec.namespaces
        if ns.mesh is not None and ns.mesh.value
        for label in ns.labels
        if label.value[0] == _INJECTION and label.value[1] != "enabled"
    ]
