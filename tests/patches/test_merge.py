"""Strategic merge patches: maps merge field by field, lists with a merge key merge by it, other lists are replaced;
the ``$patch`` directives and the order of a merged list are upstream's (kubernetes/apimachinery@eed236ce
pkg/util/strategicpatch/patch.go), checked against upstream's own cases below."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orion_dsl.patches import schema
from orion_dsl.patches.apply import NothingThere, merge

from .helpers import built, container, errors, find


def test_merge_sets_a_field_deep_in_nested_maps() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { priorityClassName "high" } } } } }')
    assert find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["priorityClassName"] == "high"


def test_merge_keeps_the_fields_it_does_not_name() -> None:
    before = find(built(""), "Deployment", "payments")
    after = find(built("patch Deployment payments { merge { spec { minReadySeconds 10 } } }"), "Deployment", "payments")
    assert after["spec"].pop("minReadySeconds") == 10
    assert after == before


def test_merge_into_a_container_by_its_name_keeps_the_rest_of_it() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { containers payments { workingDir "/srv" } } } } } }')
    merged = container(objs)
    assert merged["workingDir"] == "/srv" and merged["image"] == "shop/payments:1.0"


def test_merge_into_env_by_name_changes_one_variable_and_appends_a_new_one() -> None:
    patch = (
        'patch Deployment payments { merge { spec { template { spec { containers payments { env LOG_LEVEL { value "debug" }; env NEW { value "1" } } } } } } }'
    )
    before = [e["name"] for e in container(built(""))["env"]]
    env = container(built(patch))["env"]
    assert [e["name"] for e in env] == [*before[: before.index("LOG_LEVEL")], "LOG_LEVEL", "NEW", *before[before.index("LOG_LEVEL") + 1 :]]
    assert {"name": "LOG_LEVEL", "value": "debug"} in env and {"name": "NEW", "value": "1"} in env


def test_merge_into_ports_by_container_port() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { containers payments { ports 8080 { hostIP "10.0.0.1" } } } } } } }')
    assert container(objs)["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostIP": "10.0.0.1"}]


def test_merge_into_volumes_by_name_puts_a_new_volume_first_as_kubectl_does() -> None:
    """kubernetes/website@047f5dfd content/en/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch.md:
    a patch naming only a new container gives ``containers: [redis (new), nginx]``."""
    objs = built('patch Deployment payments { merge { spec { template { spec { volumes cache { emptyDir { medium "Memory" } } } } } } }')
    volumes = find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["volumes"]
    assert volumes == [{"name": "cache", "emptyDir": {"medium": "Memory"}}, {"name": "tmp", "emptyDir": {}}]


def test_merge_replaces_a_list_without_a_merge_key() -> None:
    patch = (
        "patch Deployment payments { merge { spec { template { spec {"
        ' tolerations { key "a"; operator "Exists" }; tolerations { key "b"; operator "Exists" } } } } } }'
    )
    tolerations = find(built(patch), "Deployment", "payments")["spec"]["template"]["spec"]["tolerations"]
    assert tolerations == [{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}]


def test_merge_writes_a_list_of_scalars_from_its_values() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { containers payments { args "--port", "8080" } } } } } }')
    assert container(objs)["args"] == ["--port", "8080"]


def test_merge_null_removes_a_field() -> None:
    assert "priorityClassName" not in find(built(""), "Deployment", "payments")["spec"]["template"]["spec"]
    objs = built("patch Deployment payments { merge { spec { template { spec { securityContext { fsGroup null } } } } } }")
    assert "fsGroup" not in find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["securityContext"]


def test_merge_takes_quoted_map_keys_and_quantities() -> None:
    patch = (
        'patch Deployment payments { merge { metadata { annotations { "example.com/team" "payments" } };'
        " spec { template { spec { containers payments { resources { limits { cpu 2000m } } } } } } } }"
    )
    objs = built(patch)
    assert find(objs, "Deployment", "payments")["metadata"]["annotations"]["example.com/team"] == "payments"
    assert container(objs)["resources"]["limits"]["cpu"] == "2000m"


# Upstream's cases, from kubernetes/apimachinery@eed236ce pkg/util/strategicpatch/patch_test.go
# (customStrategicMergePatchTestCaseData and createStrategicMergePatchTestCaseData, by their description), with
# upstream's expected result. Upstream's test schema is written with a Deployment's pod spec: its `mergingList`
# (merge key `name`) is `volumes`, its `simpleMap` is `nodeSelector`, and a case's top-level map is a map one level
# down (`nodeSelector`), as ORION refuses a directive at the top of a patch.
_UPSTREAM: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "delete map from nested map",
        {"nodeSelector": {"key1": "1", "key2": "1"}},
        {"nodeSelector": {"$patch": "delete"}},
        {"nodeSelector": {}},
    ),
    (
        "delete all items from merging list",
        {"volumes": [{"name": "1"}, {"name": "2"}]},
        {"volumes": [{"$patch": "replace"}]},
        {"volumes": []},
    ),
    (
        "delete all keys from map",
        {"nodeSelector": {"name": "1", "value": "1"}},
        {"nodeSelector": {"$patch": "replace"}},
        {"nodeSelector": {}},
    ),
    (
        "add key and delete all keys from map",
        {"nodeSelector": {"name": "1", "value": "1"}},
        {"nodeSelector": {"other": "a", "$patch": "replace"}},
        {"nodeSelector": {"other": "a"}},
    ),
    (
        "delete all duplicate entries in a merging list",
        {"volumes": [{"name": "1"}, {"name": "1"}, {"name": "2", "value": "a"}, {"name": "3"}, {"name": "3"}]},
        {"volumes": [{"name": "1", "$patch": "delete"}, {"name": "3", "$patch": "delete"}]},
        {"volumes": [{"name": "2", "value": "a"}]},
    ),
    (
        "delete all maps from merging list",
        {"volumes": [{"name": "1"}, {"name": "2"}]},
        {"volumes": [{"name": "1", "$patch": "delete"}, {"name": "2", "$patch": "delete"}]},
        {"volumes": []},
    ),
    (
        "preserve the order from the patch in a merging list",
        {"volumes": [{"name": "1"}, {"name": "2", "value": "b"}, {"name": "3"}]},
        {"volumes": [{"name": "3", "value": "c"}, {"name": "1", "value": "a"}, {"name": "2", "other": "x"}]},
        {"volumes": [{"name": "3", "value": "c"}, {"name": "1", "value": "a"}, {"name": "2", "value": "b", "other": "x"}]},
    ),
    (
        "preserve the order from the patch in a merging list 2",
        {"volumes": [{"name": "1"}, {"name": "2", "value": "b"}, {"name": "3"}]},
        {"volumes": [{"name": "3", "value": "c"}, {"name": "1", "value": "a"}]},
        {"volumes": [{"name": "2", "value": "b"}, {"name": "3", "value": "c"}, {"name": "1", "value": "a"}]},
    ),
]

#: Upstream's element-level ``$patch: replace`` (mergeSliceWithSpecialElements, which no upstream case writes with
#: other fields): the list becomes the patch's elements without a directive, the one carrying it is dropped.
_ELEMENT_REPLACE = (
    "element replace (mergeSliceWithSpecialElements)",
    {"volumes": [{"name": "a"}, {"name": "b"}]},
    {"volumes": [{"name": "b", "$patch": "replace", "value": "x"}, {"name": "c"}]},
    {"volumes": [{"name": "c"}]},
)


def _pod_spec() -> schema.Node:
    node = schema.of_kind("apps/v1", "Deployment")
    for field in ("spec", "template", "spec"):
        found = node.child(field)
        assert found is not None
        node = found
    return node


@pytest.mark.parametrize(("case", "original", "patch", "expected"), [*_UPSTREAM, _ELEMENT_REPLACE], ids=lambda v: v if isinstance(v, str) else "")
def test_merge_gives_upstreams_result_for_upstreams_case(case: str, original: dict[str, Any], patch: dict[str, Any], expected: dict[str, Any]) -> None:
    target = copy.deepcopy(original)
    merge(target, copy.deepcopy(patch), _pod_spec())
    assert target == expected, case


@pytest.mark.parametrize(
    ("case", "original", "patch", "upstream"),
    [
        # "delete missing map from merging list" (patch_test.go, createStrategicMergePatchTestCaseData's raw cases):
        # upstream leaves the list as it is.
        ("delete missing map from merging list", {"volumes": [{"name": "2", "other": "b"}]}, {"volumes": [{"name": "1", "$patch": "delete"}]}, None),
        # "delete all maps from empty merging list": upstream gives [].
        ("delete all maps from empty merging list", {"volumes": []}, {"volumes": [{"name": "1", "$patch": "delete"}]}, None),
        # mergeMap: a field the original lacks takes removeDirectives(patch value), which drops a map with a directive.
        ("replace of a map the object lacks", {}, {"nodeSelector": {"$patch": "replace", "a": "1"}}, None),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_a_directive_on_what_the_object_lacks_is_refused_where_upstream_does_nothing(
    case: str, original: dict[str, Any], patch: dict[str, Any], upstream: None
) -> None:
    """ORION's deliberate difference (docs/design/patches.md): upstream ignores these, ORION names them (E0233)."""
    with pytest.raises(NothingThere):
        merge(copy.deepcopy(original), copy.deepcopy(patch), _pod_spec())


_SPEC = "patch Deployment payments { merge { spec { template { spec { %s } } } } }"


def test_patch_delete_removes_the_list_element_named_by_its_merge_key_and_keeps_the_others() -> None:
    before = find(built(""), "Deployment", "payments")["spec"]["template"]["spec"]
    assert [v["name"] for v in before["volumes"]] == ["tmp"]
    after = find(built(_SPEC % 'containers payments { volumeMounts "/tmp" { "$patch" delete } }; volumes tmp { "$patch" delete }'), "Deployment", "payments")
    spec = after["spec"]["template"]["spec"]
    assert "volumes" in spec and spec["volumes"] == [] and "volumeMounts" in spec["containers"][0] and spec["containers"][0]["volumeMounts"] == []


def test_patch_delete_of_env_removes_one_variable_by_name() -> None:
    env = container(built(_SPEC % 'containers payments { env LOG_LEVEL { "$patch" delete }; env NEW { value "1" } }')).get("env")
    assert env == [{"name": "NEW", "value": "1"}]


def test_patch_replace_sets_a_map_whole_instead_of_merging_it() -> None:
    merged = find(built(_SPEC % "securityContext { runAsUser 20000 }"), "Deployment", "payments")["spec"]["template"]["spec"]["securityContext"]
    replaced = find(built(_SPEC % 'securityContext { "$patch" replace; runAsUser 20000; runAsNonRoot true }'), "Deployment", "payments")
    assert merged["runAsUser"] == 20000 and len(merged) > 2
    assert replaced["spec"]["template"]["spec"]["securityContext"] == {"runAsUser": 20000, "runAsNonRoot": True}


def test_patch_replace_in_a_keyed_element_is_refused_naming_the_list_form_and_delete_then_add() -> None:
    (found,) = errors(_SPEC % 'containers payments { ports 8080 { "$patch" replace; name "web" } }')
    assert found.code == "E0231" and "would replace the whole list" in found.summary
    assert '`ports { "$patch" replace }`' in found.help and '`ports 8080 { "$patch" delete }`' in found.help


def test_the_refusal_of_replace_in_a_keyed_element_quotes_a_key_that_needs_it() -> None:
    (found,) = errors(_SPEC % 'containers payments { volumeMounts "/tmp" { "$patch" replace; readOnly true } }')
    assert '`volumeMounts "/tmp" { "$patch" delete }`' in found.help


def test_the_list_form_of_patch_replace_makes_the_list_the_patchs_other_elements() -> None:
    ports = container(built(_SPEC % 'containers payments { ports { "$patch" replace }; ports 9090 { name "admin" } }'))["ports"]
    assert ports == [{"containerPort": 9090, "name": "admin"}]


def test_delete_then_write_again_sets_a_keyed_element_whole() -> None:
    ports = container(built(_SPEC % 'containers payments { ports 8080 { "$patch" delete }; ports 8080 { name "web" } }'))["ports"]
    assert ports == [{"containerPort": 8080, "name": "web"}]


def test_the_list_form_holds_replace_alone() -> None:
    (found,) = errors(_SPEC % 'containers payments { ports { "$patch" delete } }')
    assert found.code == "E0232" and '"$patch" replace' in found.summary


def test_patch_delete_of_a_map_empties_it_as_kubectl_does() -> None:
    patch = 'patch Deployment payments { merge { spec { template { spec { securityContext { "$patch" delete } } } } } }'
    assert find(built(patch), "Deployment", "payments")["spec"]["template"]["spec"]["securityContext"] == {}


def test_a_new_element_drops_its_null_fields_as_a_merge_into_nothing_does() -> None:
    volumes = find(built(_SPEC % "volumes cache { emptyDir { medium null } }"), "Deployment", "payments")["spec"]["template"]["spec"]["volumes"]
    assert volumes[0] == {"name": "cache", "emptyDir": {}}


def test_patch_delete_of_an_element_the_object_lacks_is_refused_with_did_you_mean() -> None:
    found = errors(_SPEC % 'containers payment { "$patch" delete }')
    assert [d.code for d in found] == ["E0233"]
    assert "containers[name=payment] to delete" in found[0].summary and '"payments"' in found[0].help


def test_patch_replace_of_a_field_the_object_lacks_is_refused_since_kubectl_would_set_nothing() -> None:
    found = errors(_SPEC % 'nodeSelector { "$patch" replace; disk "ssd" }')
    assert [d.code for d in found] == ["E0233"] and "nodeSelector to replace" in found[0].summary and "without" in found[0].help


def test_a_directive_inside_a_replaced_block_is_refused_naming_its_path() -> None:
    """Upstream's handleDirectiveInMergeMap removes only the replaced map's own directive and keeps the rest as written."""
    found = errors(_SPEC % 'securityContext { "$patch" replace; seLinuxOptions { "$patch" delete } }')
    assert [d.code for d in found] == ["E0233"] and "spec.template.spec.securityContext.seLinuxOptions to delete" in found[0].summary


def test_a_patch_directive_other_than_delete_or_replace_is_refused() -> None:
    found = errors(_SPEC % 'containers payments { "$patch" remove }')
    assert [d.code for d in found] == ["E0232"] and '"replace"' in found[0].help


def test_patch_delete_beside_other_fields_is_refused() -> None:
    assert [d.code for d in errors(_SPEC % 'containers payments { "$patch" delete; workingDir "/srv" }')] == ["E0113"]


def test_a_patch_directive_at_the_top_or_in_an_element_of_a_list_without_merge_key_is_refused() -> None:
    assert [d.code for d in errors('patch Deployment payments { merge { "$patch" replace } }')] == ["E0231"]
    assert [d.code for d in errors(_SPEC % 'tolerations { "$patch" delete }')] == ["E0231"]
