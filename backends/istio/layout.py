"""Apply order, file layout and the kustomization of the Istio output."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from operator import itemgetter
from typing import Any

from orion_dsl.artifacts import Artifact, to_yaml, yaml_stream
from orion_dsl.backends.istio.names import Obj
from orion_dsl.lowering.plan import file_path

TARGET = "istio"

#: Kinds in the order they are applied: identities and policies of the mesh first, then
#: external services and gateways, subsets before the routes that use them, the gateway's Envoy filters and WAF, the Sidecar
#: scope once its hosts exist, and authorization last (ALLOW policies before allow-nothing).
KIND_ORDER = (
    "PeerAuthentication",
    "Telemetry",
    "ServiceEntry",
    "Gateway",
    "DestinationRule",
    "VirtualService",
    "EnvoyFilter",
    "WasmPlugin",
    "Sidecar",
    "RequestAuthentication",
    "AuthorizationPolicy",
)


def _rank(o: Obj) -> tuple[int, int, str, str]:
    """Sort key: kind, then exceptions before defaults, then namespace and name."""
    spec: dict[str, Any] = o.get("spec") or {}
    kind = o["kind"]
    if kind == "PeerAuthentication":
        sub = 0 if "selector" in spec else 1  # per-workload port exceptions before the mesh-wide STRICT
    elif kind == "AuthorizationPolicy":
        sub = 1 if not spec else 0  # allow-nothing after the ALLOW policies it would otherwise break
    else:
        sub = 0
    meta = o["metadata"]
    return (KIND_ORDER.index(kind), sub, meta["namespace"], meta["name"])


def path(o: Obj) -> str:
    """``istio/<namespace>/<kind>-<name>.yaml``, lower case."""
    meta = o["metadata"]
    return file_path(TARGET, o["kind"], meta["namespace"], meta["name"])


def kustomization(paths: Sequence[str]) -> Obj:
    """A Kustomization listing every file, in apply order, relative to ``istio/``."""
    prefix = f"{TARGET}/"
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": [p.removeprefix(prefix) for p in paths]}


def layout(objects: Iterable[Obj]) -> tuple[tuple[Artifact, ...], Callable[[], str]]:
    """(files, stream): one file per object plus the kustomization; the stream, spelled when asked, holds every object in apply order.

    Each object is spelled as it comes and then let go: only the texts are held.
    """
    placed = sorted(((_rank(o), path(o), to_yaml(o)) for o in objects), key=itemgetter(0))
    documents = tuple(Artifact(p, text) for _, p, text in placed)
    del placed
    listing = Artifact(f"{TARGET}/kustomization.yaml", to_yaml(kustomization([f.path for f in documents])))
    return (*documents, listing), lambda: yaml_stream(f.text for f in documents)
