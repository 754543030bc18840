"""Schema oracles for the Kubernetes and Istio objects ORION generates.

What: given one generated object (a plain ``dict``), return the list of reasons a
Kubernetes API server would refuse it (empty list = valid).  Core Kubernetes kinds
are checked against the strict JSON schemas shipped by the ``kubernetes-validate``
package; custom-resource kinds (Istio, cert-manager, Prometheus operator, VPA,
Velero) are checked against the CRD JSON schemas vendored in
``tests/schemas/crds`` (provenance and licenses in its README.md).

Why: these checks know nothing about ORION, so they can judge ORION's output
independently.  They are used by tests that may validate thousands of objects,
so every schema file is read once and every validator is built once
(``functools.cache``); the package's own ``kubernetes_validate.validate`` re-reads
the 1-2 MB ``_definitions.json`` on every call.

Engine details (looked up in ``kubernetes_validate/utils.py`` 1.37.0):

* schema files live in ``kubernetes-json-schema/v<X.Y.Z>-local-strict/`` (strict =
  ``additionalProperties: false`` everywhere, so unknown fields fail), are named
  ``<kind lower>-<group first label>-<version>.json`` (``v1`` core kinds:
  ``<kind>-v1.json``) and reference ``_definitions.json`` in the same folder by
  ``$id``;  they are draft 2020-12 and are validated with
  ``jsonschema.Draft202012Validator`` and a ``referencing.Registry`` holding
  both files, exactly as the package does;
* the package picks the newest schema folder whose ``major.minor`` is not newer
  than the requested version; so do we (with real version comparison);
* a missing schema file is ``SchemaNotFoundError`` in the package (the CLI only
  prints a WARN for it); here it is always a failure.

What the schemas do *not* check is covered by :func:`check_metadata`: object
names (DNS-1123 subdomain / label, DNS-1035 label for Services, path segment for
RBAC), namespace names, label keys/values and annotation keys.  The Istio CRD
schemas describe only ``spec``/``status``, so for custom resources the top-level
keys and the ``metadata`` keys are also checked here.

Known limits: ``x-kubernetes-validations`` (CEL) and formats are not enforced;
the core schemas accept ``null`` for every field (the API server treats JSON
``null`` as "unset", so that matches reality).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final, Protocol, cast

import jsonschema  # type: ignore[import-untyped,unused-ignore]
import kubernetes_validate  # type: ignore[import-untyped,unused-ignore]
from kubernetes_validate import utils as kv_utils
from packaging.version import Version
from referencing import Registry, Resource

__all__ = [
    "CORE_GROUPS",
    "CRD_DIR",
    "NEWEST_K8S",
    "OLDEST_K8S",
    "SUPPORTED_K8S",
    "check_metadata",
    "core_cache_info",
    "crd_schema_path",
    "is_core",
    "is_dns1123_label",
    "is_dns1123_subdomain",
    "validate_any",
    "validate_core",
    "validate_crd",
]

# --------------------------------------------------------------------------- paths

REPO_ROOT: Final[Path] = Path(__file__).resolve().parents[2]
"""The repository checkout that contains ``tests/support/schemas.py``."""

CRD_DIR: Final[Path] = REPO_ROOT / "tests" / "schemas" / "crds"
"""Vendored CRD schema folder (provenance and licenses in its README.md)."""

_KV_SCHEMA_ROOT: Final[str] = "kubernetes-json-schema"
_KV_PACKAGE_DIR: Final[Path] = Path(kubernetes_validate.__file__).resolve().parent
_STRICT_DIR_RE: Final[re.Pattern[str]] = re.compile(r"^v(\d+\.\d+\.\d+)-local-strict$")


def _shipped_strict_versions() -> tuple[str, ...]:
    """Versions for which the installed package ships a ``-local-strict`` folder."""
    root = _KV_PACKAGE_DIR / _KV_SCHEMA_ROOT
    found = []
    for entry in root.iterdir():
        match = _STRICT_DIR_RE.match(entry.name)
        if match and entry.is_dir() and (entry / "_definitions.json").is_file():
            found.append(match.group(1))
    if not found:
        raise RuntimeError(f"kubernetes-validate ships no strict schema folders under {root}")
    return tuple(sorted(found, key=Version))


SUPPORTED_K8S: Final[tuple[str, ...]] = _shipped_strict_versions()
"""Kubernetes versions with strict schemas in the installed kubernetes-validate."""

NEWEST_K8S: Final[str] = SUPPORTED_K8S[-1]
"""Newest Kubernetes version the installed kubernetes-validate has schemas for."""

OLDEST_K8S: Final[str] = SUPPORTED_K8S[0]
"""Oldest Kubernetes version the installed kubernetes-validate has schemas for."""

# --------------------------------------------------------------------- core groups

CORE_GROUPS: Final[frozenset[str]] = frozenset(
    {
        "",  # apiVersion "v1"
        "admission.k8s.io",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "apps",
        "authentication.k8s.io",
        "authorization.k8s.io",
        "autoscaling",
        "batch",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "extensions",
        "flowcontrol.apiserver.k8s.io",
        "imagepolicy.k8s.io",
        "internal.apiserver.k8s.io",
        "lifecycle.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "policy",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
        "storagemigration.k8s.io",
    }
)
"""API groups built into Kubernetes (the groups kubernetes-validate has schemas for).

Note ``autoscaling.k8s.io`` (VerticalPodAutoscaler) is a CRD group, unlike
``autoscaling`` (HorizontalPodAutoscaler)."""


def _group_version(api_version: str) -> tuple[str, str]:
    """Split ``apiVersion`` into (group, version); the core group is ``""``."""
    if "/" in api_version:
        group, _, version = api_version.partition("/")
        return group, version
    return "", api_version


def is_core(obj: Mapping[str, Any]) -> bool:
    """True when ``obj``'s apiVersion group is built into Kubernetes (see CORE_GROUPS)."""
    if not isinstance(obj, Mapping):
        return False
    api_version = obj.get("apiVersion")
    if not isinstance(api_version, str) or not api_version:
        return False
    return _group_version(api_version)[0] in CORE_GROUPS


# ----------------------------------------------------------------- small helpers


class _SchemaError(Protocol):
    """The parts of ``jsonschema.ValidationError`` used here."""

    @property
    def json_path(self) -> str: ...

    message: str


class _Validator(Protocol):
    """The part of a ``jsonschema`` validator used here."""

    def iter_errors(self, instance: object) -> Iterator[_SchemaError]: ...


def _ident(obj: Mapping[str, Any]) -> str:
    """``Kind/name`` (or ``Kind/namespace/name``) for error messages."""
    kind = obj.get("kind", "?")
    meta = obj.get("metadata")
    name = meta.get("name", "?") if isinstance(meta, Mapping) else "?"
    namespace = meta.get("namespace") if isinstance(meta, Mapping) else None
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def _format(obj: Mapping[str, Any], errors: Iterator[_SchemaError]) -> list[str]:
    """Render schema errors deterministically, sorted by path then message."""
    ident = _ident(obj)
    rendered = {f"{ident}: {err.json_path}: {err.message}" for err in errors}
    return sorted(rendered)


def _type_errors(obj: object) -> list[str]:
    """Errors for an object that lacks string ``apiVersion``/``kind`` or is no dict."""
    if not isinstance(obj, Mapping):
        return [f"object is a {type(obj).__name__}, not a mapping"]
    errors = []
    for key in ("apiVersion", "kind"):
        if not isinstance(obj.get(key), str) or not obj.get(key):
            errors.append(f"{_ident(obj)}: {key} is missing or not a non-empty string")
    return errors


# ------------------------------------------------------------------ core objects


@functools.cache
def _schema_contents(relative: str, desired_version: str) -> Any:
    """Cached ``kubernetes_validate.utils.schema_contents`` (the package's file loader)."""
    return kv_utils.schema_contents(relative, desired_version)


def _strict_dir(k8s_version: str) -> str:
    """Schema folder for ``k8s_version``: newest shipped ``major.minor`` not newer than it."""
    wanted = Version(k8s_version.removeprefix("v"))
    candidates = [v for v in SUPPORTED_K8S if Version(v).release[:2] <= wanted.release[:2]]
    if wanted.release[:2] > Version(NEWEST_K8S).release[:2] or not candidates:
        raise ValueError(
            f"kubernetes-validate {kubernetes_validate.__version__} has no schemas for Kubernetes {k8s_version} (shipped: {OLDEST_K8S} .. {NEWEST_K8S})"
        )
    return f"v{candidates[-1]}-local-strict"


@functools.cache
def _core_validator(schema_dir: str, filename: str) -> _Validator | None:
    """Build (once) the validator for one kind; ``None`` when the package has no schema."""
    if not (_KV_PACKAGE_DIR / _KV_SCHEMA_ROOT / schema_dir / filename).is_file():
        return None
    version = schema_dir[1:].split("-", 1)[0]
    schema = _schema_contents(f"{_KV_SCHEMA_ROOT}/{schema_dir}/{filename}", version)
    definitions = _schema_contents(f"{_KV_SCHEMA_ROOT}/{schema_dir}/_definitions.json", version)
    registry: Registry[Any] = Resource.from_contents(schema) @ Registry()
    registry = Resource.from_contents(definitions) @ registry
    return cast(_Validator, jsonschema.Draft202012Validator(schema, registry=registry))


def core_cache_info() -> dict[str, Any]:
    """Hit/miss counters of the file and validator caches (for tests and tuning)."""
    return {
        "files": _schema_contents.cache_info(),
        "validators": _core_validator.cache_info(),
    }


def _core_filename(api_version: str, kind: str) -> str:
    """File name the package uses: ``rbac.authorization.k8s.io/v1`` -> ``<kind>-rbac-v1.json``."""
    mangled = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    return f"{kind.lower()}-{mangled}.json"


def validate_core(obj: Mapping[str, Any], k8s_version: str) -> list[str]:
    """Validate a core Kubernetes object against kubernetes-validate's strict schema.

    ``k8s_version`` is e.g. ``"1.28.0"`` or :data:`NEWEST_K8S`; a version newer than
    the package ships raises ``ValueError`` (a test-setup error, not an object
    defect).  Unknown fields, wrong types, bad enums, missing required fields and a
    kind/apiVersion without a schema are failures.  Returns the error messages
    (empty = valid).  Does not check names; :func:`validate_any` adds that.
    """
    schema_dir = _strict_dir(k8s_version)
    errors = _type_errors(obj)
    if errors:
        return errors
    api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
    if not is_core(obj):
        return [f"{_ident(obj)}: {api_version} is not a built-in Kubernetes group"]
    validator = _core_validator(schema_dir, _core_filename(api_version, kind))
    if validator is None:
        version = schema_dir[1:].split("-", 1)[0]
        message = f"schema not found: kind {kind} apiVersion {api_version} does not exist in Kubernetes {version}"
        return [f"{_ident(obj)}: {message}"]
    return _format(obj, validator.iter_errors(obj))


# ------------------------------------------------------------------- CRD objects

_OBJECT_META_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "annotations",
        "creationTimestamp",
        "deletionGracePeriodSeconds",
        "deletionTimestamp",
        "finalizers",
        "generateName",
        "generation",
        "labels",
        "managedFields",
        "name",
        "namespace",
        "ownerReferences",
        "resourceVersion",
        "selfLink",
        "uid",
    }
)
_SAFE_GROUP_RE: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_SAFE_KIND_RE: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_SAFE_VERSION_RE: Final[re.Pattern[str]] = re.compile(r"^v[0-9]+[a-z0-9]*$")
_MISPLACED_FLAGS_RE: Final[re.Pattern[str]] = re.compile(r"^\^\(\?([aiLmsux]+)\)(.*)$", re.DOTALL)


_GROUP_FLAGS_RE: Final[re.Pattern[str]] = re.compile(r"\(\(\?([aiLmsux]+)\)")


def _scope_group_flags(pattern: str) -> str:
    """``((?i)a|b)`` -> ``((?i:a|b))``: in RE2 flags set inside a group last to its end, which is
    what Python's scoped flags say."""
    while (match := _GROUP_FLAGS_RE.search(pattern)) is not None:
        depth, i = 1, match.end()
        while depth:
            if pattern[i] == "\\":
                i += 1
            elif pattern[i] == "(":
                depth += 1
            elif pattern[i] == ")":
                depth -= 1
            i += 1
        close = i - 1  # the enclosing group's ``)``
        pattern = f"{pattern[: match.start()]}((?{match.group(1)}:{pattern[match.end() : close]}){pattern[close:]}"
    return pattern


def _fix_pattern(pattern: str) -> str:
    """Move global inline flags to the front: ``^(?i)(a|b)$`` -> ``(?i)^(a|b)$``; scope flags set at
    the start of a group to it: ``^((?i)a|b)$`` -> ``^((?i:a|b))$``.

    Go's RE2 accepts flags anywhere; Python's ``re`` only at the start.  Only those
    two rewrites are done, and only for patterns Python rejects.
    """
    try:
        re.compile(pattern)
        return pattern
    except re.error:
        match = _MISPLACED_FLAGS_RE.match(pattern)
        fixed = f"(?{match.group(1)})^{match.group(2)}" if match is not None else _scope_group_flags(pattern)
        if fixed == pattern:
            raise
        re.compile(fixed)
        return fixed


def _patch_patterns(node: Any) -> int:
    """Rewrite, in place, every ``pattern`` Python's ``re`` rejects; return the count."""
    patched = 0
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                fixed = _fix_pattern(value)
                if fixed != value:
                    node[key] = fixed
                    patched += 1
            else:
                patched += _patch_patterns(value)
    elif isinstance(node, list):
        for item in node:
            patched += _patch_patterns(item)
    return patched


@functools.cache
def _crd_schema(path: Path) -> tuple[_Validator, frozenset[str]]:
    """Load, patch, check and compile one CRD schema; also return its top-level keys.

    ``check_schema`` runs *after* the pattern patch (the README documents that the
    unpatched ``prometheusrule_v1.json`` fails it), so any other broken schema is
    reported loudly instead of crashing in the middle of a validation.
    """
    schema = json.loads(path.read_text(encoding="utf-8"))
    _patch_patterns(schema)
    jsonschema.Draft7Validator.check_schema(schema)
    top = frozenset(schema.get("properties", {}))
    return cast(_Validator, jsonschema.Draft7Validator(schema)), top


def crd_schema_path(obj: Mapping[str, Any]) -> Path:
    """Where the schema for ``obj`` should be: ``CRD_DIR/<group>/<kind lower>_<version>.json``."""
    group, version = _group_version(str(obj.get("apiVersion", "")))
    return CRD_DIR / group / f"{str(obj.get('kind', '')).lower()}_{version}.json"


def validate_crd(obj: Mapping[str, Any]) -> list[str]:
    """Validate a custom resource against the shared CRD schema for its group/kind/version.

    Failures: no schema file for the kind; schema violations (``Draft7Validator``;
    nested objects are strict); top-level keys other than apiVersion/kind/metadata and
    the schema's own properties (the Istio schemas do not check these); unknown
    ``metadata`` keys; the name/namespace/label checks of :func:`check_metadata`.
    Returns the error messages (empty = valid).
    """
    errors = _type_errors(obj)
    if errors:
        return errors
    api_version, kind = str(obj["apiVersion"]), str(obj["kind"])
    group, version = _group_version(api_version)
    ident = _ident(obj)
    if is_core(obj):
        return [f"{ident}: {api_version} is a built-in Kubernetes group; use validate_core"]
    if not (_SAFE_GROUP_RE.match(group) and _SAFE_KIND_RE.match(kind) and _SAFE_VERSION_RE.match(version)):
        return [f"{ident}: malformed apiVersion {api_version!r} or kind {kind!r}"]
    path = crd_schema_path(obj)
    if not CRD_DIR.is_dir():
        return [f"{ident}: CRD schema folder {CRD_DIR} does not exist"]
    if not path.is_file():
        return [f"{ident}: schema not found: no CRD schema for {kind} {api_version} ({path})"]
    validator, top_level = _crd_schema(path)
    errors = _format(obj, validator.iter_errors(obj))
    allowed_top = top_level | {"apiVersion", "kind", "metadata"}
    errors += [f"{ident}: $: unknown top-level field {key!r}" for key in sorted(set(obj) - allowed_top)]
    meta = obj.get("metadata")
    if isinstance(meta, Mapping):
        unknown = sorted(set(meta) - _OBJECT_META_FIELDS)
        errors += [f"{ident}: $.metadata: unknown field {key!r}" for key in unknown]
    return errors + check_metadata(obj)


# ---------------------------------------------------------------------- metadata

_DNS1123_LABEL: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN: Final[re.Pattern[str]] = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL: Final[re.Pattern[str]] = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME: Final[re.Pattern[str]] = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE: Final[re.Pattern[str]] = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")

_RBAC_KINDS: Final[frozenset[str]] = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})


def is_dns1123_label(value: str) -> bool:
    """RFC 1123 label as Kubernetes defines it: ``[a-z0-9]([-a-z0-9]*[a-z0-9])?``, <= 63 chars."""
    return len(value) <= 63 and bool(_DNS1123_LABEL.match(value))


def is_dns1123_subdomain(value: str) -> bool:
    """RFC 1123 subdomain: dot-separated DNS-1123 labels, <= 253 chars."""
    return len(value) <= 253 and bool(_DNS1123_SUBDOMAIN.match(value))


def _name_problem(group: str, kind: str, name: str) -> str | None:
    """Why ``name`` is not a valid object name for this kind (``None`` if it is).

    Rules as in the Kubernetes validation code: Service names are DNS-1035 labels,
    Namespace names DNS-1123 labels, RBAC names path segments, everything else
    (including custom resources) DNS-1123 subdomains.
    """
    if group == "" and kind == "Service":
        if len(name) > 63 or not _DNS1035_LABEL.match(name):
            return "must be a DNS-1035 label (lowercase alphanumerics and '-', starting with a letter)"
        return None
    if group == "" and kind == "Namespace":
        return None if is_dns1123_label(name) else "must be a DNS-1123 label"
    if group == "rbac.authorization.k8s.io" and kind in _RBAC_KINDS:
        if name in (".", "..") or "/" in name or "%" in name:
            return "must be a valid path segment (no '/', '%', not '.' or '..')"
        return None
    return None if is_dns1123_subdomain(name) else "must be a DNS-1123 subdomain"


def _qualified_key_problem(key: str) -> str | None:
    """Why ``key`` is not a valid label/annotation key (``prefix/name``), or ``None``."""
    prefix, slash, name = key.rpartition("/")
    if slash and not (prefix and is_dns1123_subdomain(prefix)):
        return "prefix must be a DNS-1123 subdomain"
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return "name part must be <= 63 alphanumerics, '-', '_', '.', starting and ending alphanumeric"
    return None


def check_metadata(obj: Mapping[str, Any]) -> list[str]:
    """Check what JSON schemas cannot: object name, namespace, label and annotation keys.

    Returns error messages (empty = valid).  ``metadata.name`` is required (unless
    ``generateName`` is set); ``metadata.namespace``, when present, must be a
    DNS-1123 label; label values must be <= 63 alphanumerics/``-_.`` (empty allowed).
    """
    ident = _ident(obj)
    meta = obj.get("metadata")
    if not isinstance(meta, Mapping):
        return [f"{ident}: metadata is missing or not a mapping"]
    errors: list[str] = []
    group = _group_version(str(obj.get("apiVersion", "")))[0]
    name = meta.get("name")
    if name is None:
        if not isinstance(meta.get("generateName"), str):
            errors.append(f"{ident}: metadata.name is required")
    elif not isinstance(name, str):
        errors.append(f"{ident}: metadata.name must be a string")
    else:
        problem = _name_problem(group, str(obj.get("kind", "")), name)
        if problem:
            errors.append(f"{ident}: metadata.name {name!r} {problem}")
    namespace = meta.get("namespace")
    if namespace is not None and not (isinstance(namespace, str) and is_dns1123_label(namespace)):
        errors.append(f"{ident}: metadata.namespace {namespace!r} must be a DNS-1123 label")
    for field_name in ("labels", "annotations"):
        values = meta.get(field_name)
        if values is None:
            continue
        if not isinstance(values, Mapping):
            errors.append(f"{ident}: metadata.{field_name} must be a mapping")
            continue
        for key, value in values.items():
            key_problem = _qualified_key_problem(key) if isinstance(key, str) else "must be a string"
            if key_problem:
                errors.append(f"{ident}: metadata.{field_name} key {key!r}: {key_problem}")
            if not isinstance(value, str):
                errors.append(f"{ident}: metadata.{field_name}[{key!r}] must be a string")
            elif field_name == "labels" and (len(value) > 63 or not _LABEL_VALUE.match(value)):
                errors.append(f"{ident}: metadata.labels[{key!r}] value {value!r} is not a valid label value")
    return errors


# ---------------------------------------------------------------------- dispatch


def validate_any(obj: Mapping[str, Any], k8s_version: str) -> list[str]:
    """Validate any generated object: core kinds with :func:`validate_core` plus
    :func:`check_metadata`, everything else with :func:`validate_crd`."""
    if is_core(obj):
        errors = validate_core(obj, k8s_version)
        if _type_errors(obj):
            return errors
        return errors + check_metadata(obj)
    return validate_crd(obj)
