"""Labels and annotations the spec writes: Kubernetes' rules for their keys and values, and the keys
ORION keeps for itself.

The rules are the API server's (k8s.io/apimachinery ``pkg/util/validation`` ``IsQualifiedName`` and
``IsValidLabelValue``; ``pkg/api/validation`` ``ValidateAnnotations``): a key is an optional prefix, a
DNS-1123 subdomain of at most 253 characters followed by ``/``, and a name of at most 63 characters of
``[-A-Za-z0-9_.]``, alphanumeric at both ends; a label value is such a name or empty; an annotation
value is any text, and a pod's annotations hold at most 256 KiB together.
"""

from __future__ import annotations

import re
from typing import Literal

import attrs

from orion_dsl.decode import L
from orion_dsl.diagnostics import Diagnostic, error
from orion_dsl.lowering import names

#: What a mapping writes on an object: labels (selectable, short values) or annotations (any text).
MetadataKind = Literal["label", "annotation"]

_NAME = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
NAME_LIMIT = 63
PREFIX_LIMIT = 253
#: The most bytes the annotations of one object hold, keys and values together (TotalAnnotationSizeLimitB).
ANNOTATIONS_LIMIT = 256 * 1024
_RULE = "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit"


def key_problem(key: str) -> str | None:
    """Why a label or annotation key is not a Kubernetes qualified name (``[prefix/]name``), or None."""
    prefix, slash, name = key.rpartition("/")
    if slash and not (len(prefix) <= PREFIX_LIMIT and _SUBDOMAIN.match(prefix)):
        return f'its prefix "{prefix}" is not a DNS subdomain: at most {PREFIX_LIMIT} lower-case letters, digits, "-" and ".", such as "example.com"'
    if len(name) > NAME_LIMIT or not _NAME.match(name):
        return f'its name "{name}" is not {_RULE}'
    return None


def label_value_problem(value: str) -> str | None:
    """Why a label value is not one Kubernetes accepts (it may be empty), or None."""
    if value and (len(value) > NAME_LIMIT or not _NAME.match(value)):
        return f"an empty value, or one of {_RULE}"
    return None


@attrs.frozen
class Owned:
    """A key ORION decides itself: why, and what to write in the spec instead of the key."""

    why: str
    instead: str = "remove it: ORION writes this key on the objects it makes"


#: Keys ORION writes on a workload's objects and pods, with what decides them: a user's label or
#: annotation of that key would change what a selector picks, or contradict the spec.
OWN_KEYS: dict[str, Owned] = {
    **{key: Owned("ORION's own label, which its selectors and monitors use") for key in names.RECOMMENDED_LABELS},
    names.INJECT_KEY: Owned(
        "decided by `mesh` (the namespace's, or the workload's `mesh off`)",
        "remove it: write `mesh off` on the workload, or `mesh on` on its namespace",
    ),
    **{
        key: Owned(
            "decided by `monitoring` and the workload's `scrape`",
            "remove it: declare a `monitoring { scraper ... }` block, and ORION writes it on every pod it scrapes (`scrape off` leaves one out)",
        )
        for key in names.SCRAPE_ANNOTATIONS
    },
    **{
        key: Owned("decided by the mesh's `sidecar_resources`", "remove it: write `sidecar_resources { cpu ...; memory ... }` in the `mesh` block")
        for key in names.PROXY_RESOURCE_ANNOTATIONS
    },
}
#: Keys a namespace may not label: the API server's, and those ORION decides from the spec.
NAMESPACE_KEYS: dict[str, Owned] = {
    names.NAMESPACE_NAME_LABEL: Owned("set by the API server to the namespace's name"),
    **{key: Owned("ORION's own label") for key in names.RECOMMENDED_LABELS},
    **{
        f"{names.POD_SECURITY_PREFIX}{mode}": Owned(
            "decided by the namespace's `pod_security` (restricted unless it says otherwise)",
            "remove it: write `pod_security baseline` (or `privileged`) in the namespace to lower the level it enforces",
        )
        for mode in ("enforce", "audit", "warn")
    },
}


def _owned(key: str, owned: dict[str, Owned]) -> Owned | None:
    if key.startswith(names.OWN_PREFIX):
        return Owned(f"the prefix {names.OWN_PREFIX} is ORION's own")
    return owned.get(key)


def problems(pairs: tuple[L[tuple[str, str]], ...], kind: MetadataKind, keyword: str, owned: dict[str, Owned]) -> list[Diagnostic]:
    """E0204 for every pair of a mapping that Kubernetes refuses or that sets a key ORION decides.

    ``keyword`` is the mapping as written (``labels``, ``pod_annotations``), for the messages.
    """
    out: list[Diagnostic] = []
    size = 0
    for pair in pairs:
        key, value = pair.value
        size += len(key.encode()) + len(value.encode())
        problem = key_problem(key)
        if problem is not None:
            out.append(error("E0204", pair.span, f'the {kind} key "{key}" cannot become a Kubernetes {kind} key: {problem}', 'write `"prefix/name" "value"`'))
            continue
        decided = _owned(key, owned)
        if decided is not None:
            out.append(error("E0204", pair.span, f'`{keyword}` may not set "{key}": {decided.why}', decided.instead))
            continue
        problem = label_value_problem(value) if kind == "label" else None
        if problem is not None:
            out.append(error("E0204", pair.span, f'the value "{value}" of {kind} "{key}" cannot become a Kubernetes {kind} value', f"write {problem}"))
    if size > ANNOTATIONS_LIMIT:
        summary = f"the `{keyword}` hold {size} bytes: Kubernetes takes at most {ANNOTATIONS_LIMIT}"
        out.append(error("E0204", pairs[0].span, summary, "keep large data in a ConfigMap"))
    return out
