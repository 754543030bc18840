"""Regenerate orion_dsl/patches/fields.json: the field tree of every kind ORION emits, for `patch` checks.

What: for each kind of the planners' ``API_VERSIONS`` (orion_dsl/lowering/kubernetes.py and istio.py),
the tree of its fields: each field's type, an object's fields and required fields, a map's value,
an array's items with their strategic-merge key (``x-kubernetes-patch-merge-key``; for a custom
resource, the first of a ``map`` list's ``x-kubernetes-list-map-keys``), a string's allowed values. Descriptions, formats
and CEL rules are dropped, so the tree is small enough to ship in the package.

Why: `orion check` checks a patch's field paths and values against the real schema of the kind,
and the package cannot read the tests' data or the kubernetes-validate package (a test dependency)
at run time.

Sources (provenance in orion_dsl/patches/README.md):

* built-in kinds: the strict JSON schemas of the ``kubernetes-validate`` package (Apache-2.0),
  folder ``v<NEWEST>-local-strict``: ``<kind>-<group>-<version>.json`` and ``_definitions.json``,
  which keep the OpenAPI ``x-kubernetes-patch-merge-key`` / ``-patch-strategy`` extensions;
* custom resources: tests/schemas/crds/<group>/<kind>_<version>.json (datreeio/CRDs-catalog, MIT);
  their ``metadata`` is the built-in ObjectMeta (the API server applies it to every kind).

Run: ``PYTHONPATH=$PWD .venv/bin/python tools/patch_schemas.py`` (rewrites the file; commit it), or with a path
to write the tree there instead (tests/patches/test_schema.py compares the two).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped,unused-ignore]

from orion_dsl.lowering import istio, kubernetes

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "orion_dsl" / "patches" / "fields.json"
CRDS = ROOT / "tests" / "schemas" / "crds"
KV = Path(kubernetes_validate.__file__).resolve().parent / "kubernetes-json-schema"
CORE_GROUPS = {"", "apps", "autoscaling", "batch", "policy", "networking.k8s.io", "rbac.authorization.k8s.io"}
SCALARS = ("string", "integer", "number", "boolean")


def newest_strict() -> Path:
    """The newest ``-local-strict`` folder the installed kubernetes-validate ships."""
    found = [p for p in KV.iterdir() if re.fullmatch(r"v\d+\.\d+\.\d+-local-strict", p.name)]
    return max(found, key=lambda p: tuple(int(x) for x in p.name[1:].split("-")[0].split(".")))


class Tree:
    """Nodes in a table, each written once: a node is a small dict, a reference is its index."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.index: dict[str, int] = {}
        self.definitions = definitions
        self.by_definition: dict[str, int] = {}
        #: Shaping a custom resource's schema (its ``map`` lists are merged by their first key).
        self.custom = False

    def add(self, node: dict[str, Any]) -> int:
        """The index of a node, added if no equal node is in the table yet."""
        key = json.dumps(node, sort_keys=True)
        if key not in self.index:
            self.index[key] = len(self.nodes)
            self.nodes.append(node)
        return self.index[key]

    def definition(self, ref: str) -> int:
        """The index of a ``$ref``'d core definition (one slot each, filled once: definitions may recurse)."""
        name = ref.rsplit("/", 1)[-1]
        if name not in self.by_definition:
            slot = len(self.nodes)
            self.nodes.append({})
            self.by_definition[name] = slot
            self.nodes[slot] = self.shape(self.definitions[name])
        return self.by_definition[name]

    def of(self, schema: dict[str, Any]) -> int:
        """The index of a schema's node."""
        if "$ref" in schema:
            return self.definition(schema["$ref"])
        return self.add(self.shape(schema))

    def shape(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A schema as a node: ``t`` the type (a list for a union of scalars), and the parts of its type."""
        if "$ref" in schema:
            return self.shape(self.definitions[schema["$ref"].rsplit("/", 1)[-1]])
        if schema.get("x-kubernetes-int-or-string"):
            return {"t": ["integer", "string"]}
        union = schema.get("oneOf") or schema.get("anyOf")
        types = schema.get("type")
        if union and not types:
            found = sorted({t for s in union for t in _types(s.get("type"))})
            if found and all(t in SCALARS for t in found):
                return {"t": found if len(found) > 1 else found[0]}
            return {"t": "any"}
        kinds = _types(types)
        if not kinds:
            return {"t": "object", "open": True} if "properties" in schema else {"t": "any"}
        kind = kinds[0] if len(kinds) == 1 else sorted(kinds)
        if kind == "object":
            return self.object(schema)
        if kind == "array":
            node: dict[str, Any] = {"t": "array", "i": self.of(schema.get("items", {}))}
            if schema.get("x-kubernetes-patch-strategy", "").startswith("merge") and "x-kubernetes-patch-merge-key" in schema:
                node["k"] = schema["x-kubernetes-patch-merge-key"]
            elif self.custom and schema.get("x-kubernetes-list-type") == "map" and schema.get("x-kubernetes-list-map-keys"):
                # a custom resource's schema has no patch merge keys, only the keys server-side apply merges a
                # `map` list by: the first, as the built-in kinds' merge key is the first of theirs (ports:
                # containerPort of containerPort and protocol). Built-in kinds keep strategic merge's own keys.
                node["k"] = schema["x-kubernetes-list-map-keys"][0]
            return node
        node = {"t": kind}
        if kind == "string" and "enum" in schema:
            node["e"] = sorted(v for v in schema["enum"] if v is not None)
        return node

    def object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """An object node: its fields (``f``), required fields (``r``); a map (``v``); ``open``: unknown fields kept."""
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        if not props:
            if isinstance(extra, dict):
                return {"t": "map", "v": self.of(extra)}
            return {"t": "any"}
        node: dict[str, Any] = {"t": "object", "f": {k: self.of(v) for k, v in sorted(props.items())}}
        if schema.get("required"):
            node["r"] = sorted(schema["required"])
        if schema.get("x-kubernetes-preserve-unknown-fields") or extra not in (None, False):
            node["open"] = True
        return node


def _types(value: Any) -> list[str]:
    """A schema's ``type`` as a list, without ``null`` (the API server reads null as unset)."""
    found = value if isinstance(value, list) else [value] if value else []
    return [t for t in found if t != "null"]


def main(out_path: Path = OUT) -> int:
    """Write the field tree of every kind the planners emit (to ``out_path``: a test writes it elsewhere to compare)."""
    folder = newest_strict()
    definitions = json.loads((folder / "_definitions.json").read_text())["$defs"]
    tree = Tree(definitions)
    meta = tree.definition("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta")
    kinds: dict[str, int] = {}
    versions = {**kubernetes.API_VERSIONS, **istio.API_VERSIONS}
    sources = {}
    for kind, api_version in sorted({(k, v) for k, v in (*kubernetes.API_VERSIONS.items(), *istio.API_VERSIONS.items())}):
        group, _, version = api_version.rpartition("/")
        if group in CORE_GROUPS:
            mangled = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
            path = folder / f"{kind.lower()}-{mangled}.json"
            schema = json.loads(path.read_text())
            sources[f"{api_version} {kind}"] = f"kubernetes-validate {kubernetes_validate.__version__} {folder.name}/{path.name}"
        else:
            path = CRDS / group / f"{kind.lower()}_{version}.json"
            schema = json.loads(path.read_text())
            schema.setdefault("properties", {})
            sources[f"{api_version} {kind}"] = f"tests/schemas/crds/{group}/{path.name}"
        tree.custom = group not in CORE_GROUPS
        node = tree.shape(schema)
        node["f"]["apiVersion"] = tree.add({"t": "string"})
        node["f"]["kind"] = tree.add({"t": "string"})
        node["f"]["metadata"] = meta
        node["f"].pop("status", None)  # the controllers' to write, never a spec's
        node["f"] = dict(sorted(node["f"].items()))
        node.pop("open", None)
        kinds[f"{api_version} {kind}"] = tree.add(node)
    assert set(versions) <= {k.split(" ")[1] for k in kinds}
    out = {"any": tree.add({"t": "any"}), "kinds": kinds, "nodes": tree.nodes, "sources": sources}
    out_path.write_text(json.dumps(out, separators=(",", ":"), sort_keys=True) + "\n")
    print(f"{out_path}: {len(kinds)} kinds, {len(tree.nodes)} nodes, {out_path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(Path(a) for a in sys.argv[1:2])))
