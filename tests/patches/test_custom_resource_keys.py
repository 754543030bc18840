"""A custom resource's list merged by its key: CRD schemas carry no strategic-merge keys, only the keys server-side
apply merges a ``x-kubernetes-list-type: map`` list by (``x-kubernetes-list-map-keys``), which the field tree takes
as the list's merge key (tools/patch_schemas.py). Source: the Gateway API CRD (tests/schemas/crds/gateway.networking.k8s.io/
gateway_v1.json, ``spec.listeners``: list-type map, keys ``[name]``)."""

from __future__ import annotations

from orion_dsl.patches import schema
from orion_dsl.patches.apply import merge

from .helpers import ROOT, built, errors

BANK = (ROOT / "examples" / "bank-of-anthos.orion").read_text(encoding="utf-8")


def test_a_gateway_listener_is_merged_by_its_name_and_keeps_its_other_fields() -> None:
    patch = '\npatch Gateway edge { merge { spec { listeners http { hostname "bank.example.com" } } } }\n'
    gateway = next(o for o in built(patch, BANK) if o["kind"] == "Gateway")
    (listener,) = gateway["spec"]["listeners"]
    assert listener["hostname"] == "bank.example.com" and listener["port"] == 80 and listener["allowedRoutes"]["namespaces"]["from"] == "Selector"


def test_a_gateway_listener_without_its_name_is_refused_as_a_keyed_list() -> None:
    patch = '\npatch Gateway edge { merge { spec { listeners { hostname "bank.example.com" } } } }\n'
    assert [d.code for d in errors(patch, BANK)] == ["E0232"]


def test_the_first_list_map_key_is_the_merge_key_as_the_built_in_kinds_containerport() -> None:
    spec = schema.of_kind("monitoring.coreos.com/v1", "Prometheus").child("spec")
    containers = spec.child("containers") if spec is not None else None
    ports = containers.item.child("ports") if containers is not None else None
    assert ports is not None and ports.merge_key == "containerPort"
    target: dict[str, object] = {"spec": {"groups": [{"name": "a", "interval": "30s"}, {"name": "b"}]}}
    merge(target, {"spec": {"groups": [{"name": "a", "interval": "1m"}]}}, schema.of_kind("monitoring.coreos.com/v1", "PrometheusRule"))
    assert target == {"spec": {"groups": [{"name": "a", "interval": "1m"}, {"name": "b"}]}}
