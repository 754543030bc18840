"""The Istio output as files: schema-valid, well named, laid out, ordered, deterministic, snapshotted (S01)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml
from syrupy.assertion import SnapshotAssertion

from orion_dsl.artifacts import Rendered
from orion_dsl.backends.istio import render
from orion_dsl.backends.istio.layout import KIND_ORDER
from orion_dsl.model import Topology
from tests.istio.conftest import documents
from tests.support.artifacts import by_path
from tests.support.plans import planned
from tests.support.schemas import crd_schema_path, is_dns1123_subdomain, validate_crd
from tests.support.snapshots import YamlSnapshot

ROOT = Path(__file__).resolve().parents[2]


def test_s01_every_seed_object_is_schema_valid(seed_objects: list[dict[str, Any]]) -> None:
    errors = [e for o in seed_objects for e in validate_crd(o)]
    assert errors == []


def test_every_example_object_is_schema_valid(example: Topology) -> None:
    errors = [e for o in documents(render(planned(example))) for e in validate_crd(o)]
    assert errors == []


def test_every_kind_has_a_crd_schema(seed_objects: list[dict[str, Any]]) -> None:
    missing = sorted({o["kind"] for o in seed_objects if not crd_schema_path(o).is_file()})
    assert missing == []


def test_names_and_namespaces_are_dns1123(seed_objects: list[dict[str, Any]]) -> None:
    bad = [
        (o["kind"], o["metadata"]["namespace"], o["metadata"]["name"])
        for o in seed_objects
        if not (is_dns1123_subdomain(o["metadata"]["name"]) and is_dns1123_subdomain(o["metadata"]["namespace"]))
    ]
    assert bad == []


def test_one_file_per_object_at_namespace_kind_name(seed_rendered: Rendered) -> None:
    files = by_path(seed_rendered.artifacts)
    expected = {"istio/kustomization.yaml"}
    for doc in documents(seed_rendered):
        meta = doc["metadata"]
        expected.add(f"istio/{meta['namespace']}/{doc['kind'].lower()}-{meta['name']}.yaml")
    assert set(files) == expected and len(seed_rendered.artifacts) == len(expected)


def test_kustomization_lists_every_file_in_stream_order(seed_rendered: Rendered) -> None:
    files = by_path(seed_rendered.artifacts)
    listed = yaml.safe_load(files["istio/kustomization.yaml"])["resources"]
    assert "".join(f"---\n{files['istio/' + p]}" for p in listed) == seed_rendered.stream


def test_stream_follows_kind_apply_order(seed_objects: list[dict[str, Any]]) -> None:
    ranks = [KIND_ORDER.index(o["kind"]) for o in seed_objects]
    assert ranks == sorted(ranks)


def test_allow_nothing_comes_after_every_allow_policy(seed_objects: list[dict[str, Any]]) -> None:
    policies = [o for o in seed_objects if o["kind"] == "AuthorizationPolicy"]
    empty = [i for i, o in enumerate(policies) if not o["spec"]]
    assert empty and min(empty) == len(policies) - len(empty)


def test_port_exceptions_apply_before_mesh_wide_strict(seed_objects: list[dict[str, Any]]) -> None:
    peer = [o for o in seed_objects if o["kind"] == "PeerAuthentication"]
    assert "selector" not in peer[-1]["spec"] and all("selector" in o["spec"] for o in peer[:-1])


def _run(seed: str) -> bytes:
    code = (
        "import sys; from pathlib import Path; from orion_dsl.pipeline import analyze_file; from orion_dsl.backends.istio import render; "
        "r = render(analyze_file(Path('specs/orion.orion')).plan); "
        "sys.stdout.write(r.stream + ''.join(a.path + a.text for a in r.artifacts) + repr(r.diagnostics))"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, check=True).stdout


def test_output_is_identical_across_hash_seeds() -> None:
    assert _run("1") == _run("2")


def test_seed_stream_snapshot(seed_rendered: Rendered, snapshot: SnapshotAssertion) -> None:
    assert seed_rendered.stream == snapshot.use_extension(YamlSnapshot)


def test_example_stream_snapshot(example: Topology, snapshot: SnapshotAssertion) -> None:
    assert render(planned(example)).stream == snapshot.use_extension(YamlSnapshot)


@pytest.mark.parametrize("field", ["stream", "artifacts", "diagnostics"])
def test_render_is_a_pure_function(seed: Topology, seed_rendered: Rendered, field: str) -> None:
    assert getattr(render(planned(seed)), field) == getattr(seed_rendered, field)


def _variant(seed: Topology, name: str) -> Topology:
    """The seed with one mesh setting changed, to reach the branches the seed does not take."""
    mesh = seed.mesh
    assert mesh is not None and mesh.egress_gateway is not None
    if name == "permissive":
        return attrs.evolve(seed, mesh=attrs.evolve(mesh, mtls="permissive"))
    if name == "passthrough":
        return attrs.evolve(seed, mesh=attrs.evolve(mesh, egress_gateway=attrs.evolve(mesh.egress_gateway, tls_origination=False)))
    return attrs.evolve(seed, mesh=attrs.evolve(mesh, jwt=None, tracing_sampling=None, access_log=False))


@pytest.mark.parametrize("name", ["permissive", "passthrough", "bare"])
def test_variant_objects_are_schema_valid(seed: Topology, name: str) -> None:
    errors = [e for o in documents(render(planned(_variant(seed, name)))) for e in validate_crd(o)]
    assert errors == []


def test_the_seed_writes_its_istio_objects_at_the_paths_the_readme_promises(seed_rendered: Rendered) -> None:
    assert {
        "istio/istio-system/peerauthentication-default.yaml",
        "istio/istio-system/gateway-istio-egressgateway.yaml",
        "istio/istio-system/authorizationpolicy-egress-access-control.yaml",
        "istio/kustomization.yaml",
    } <= {a.path for a in seed_rendered.artifacts}
