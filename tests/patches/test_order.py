"""Patches apply last, in the order written, deterministically; what they leave passes the schema validation."""

from __future__ import annotations

from orion_dsl.backends.kubernetes import render
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import built, errors, find, plan_of

TWO = """
patch Service payments { json { replace "/spec/type" "NodePort" } }
patch Service payments { json { test "/spec/type" "NodePort"; replace "/spec/type" "LoadBalancer" } }
"""


def test_patches_of_one_object_apply_in_the_order_written() -> None:
    assert find(built(TWO), "Service", "payments")["spec"]["type"] == "LoadBalancer"


def test_a_patch_sees_what_the_patches_before_it_set() -> None:
    swapped = "\n".join(reversed(TWO.strip().splitlines()))
    assert [d.code for d in errors(swapped)] == ["E0233"]  # its test now runs before the replace it expects


def test_within_a_patch_the_merge_applies_before_the_json_operations() -> None:
    patch = 'patch Service payments { merge { spec { type "NodePort" } }; json { test "/spec/type" "NodePort"; replace "/spec/type" "ClusterIP" } }'
    assert find(built(patch), "Service", "payments")["spec"]["type"] == "ClusterIP"


def test_patched_output_is_the_same_on_every_compile() -> None:
    first, second = render(plan_of(TWO)), render(plan_of(TWO))
    assert first.artifacts == second.artifacts


def test_patches_apply_after_every_backend_built_its_objects_and_change_only_their_targets() -> None:
    before, after = built(""), built(TWO)
    changed = [o["kind"] for o, p in zip(before, after, strict=True) if o != p]
    assert changed == ["Service"]


def test_patched_objects_pass_the_schema_validation() -> None:
    patch = """
patch Deployment payments {
  merge { spec { template { spec {
    priorityClassName "high"
    containers payments { env NEW { value "1" }; ports 8080 { hostIP "10.0.0.1" } }
    tolerations { key "dedicated"; operator "Exists"; effect "NoSchedule" }
  } } } }
}
patch Service payments { json { add "/spec/sessionAffinity" "ClientIP"; add "/spec/sessionAffinityConfig" { clientIP { timeoutSeconds 600 } } } }
"""
    objs = built(patch)
    assert [e for o in objs if o["kind"] in ("Deployment", "Service") for e in validate_core(o, NEWEST_K8S)] == []
