"""The vendored field tree: every kind the planners emit is in it, and it is what tools/patch_schemas.py makes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from orion_dsl.lowering import istio, kubernetes
from orion_dsl.patches import schema

from .helpers import ROOT


def test_every_kind_the_planners_emit_has_a_field_tree() -> None:
    emitted = {(v, k) for k, v in (*kubernetes.API_VERSIONS.items(), *istio.API_VERSIONS.items())}
    assert emitted <= set(schema.kinds())


def test_merge_keys_come_from_the_kubernetes_openapi() -> None:
    pod = schema.of_kind("apps/v1", "Deployment").fields["spec"].fields["template"].fields["spec"]
    container = pod.fields["containers"].item
    keys = {name: pod.fields[name].merge_key for name in ("containers", "initContainers", "volumes", "tolerations")}
    assert keys == {"containers": "name", "initContainers": "name", "volumes": "name", "tolerations": None}
    assert (container.fields["env"].merge_key, container.fields["ports"].merge_key) == ("name", "containerPort")


def test_the_vendored_tree_is_what_the_script_makes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("patch_schemas", ROOT / "tools" / "patch_schemas.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main(tmp_path / "fields.json") == 0
    assert (tmp_path / "fields.json").read_bytes() == (ROOT / "orion_dsl" / "patches" / "fields.json").read_bytes()
