"""Strategic merge patches: maps merge field by field, lists with a merge key merge by it, other lists are replaced."""

from __future__ import annotations

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
    env = container(built(patch))["env"]
    assert (
        {"name": "LOG_LEVEL", "value": "debug"} in env and env[-1] == {"name": "NEW", "value": "1"} and len([e for e in env if e["name"] == "LOG_LEVEL"]) == 1
    )


def test_merge_into_ports_by_container_port() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { containers payments { ports 8080 { hostIP "10.0.0.1" } } } } } } }')
    assert container(objs)["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP", "hostIP": "10.0.0.1"}]


def test_merge_into_volumes_by_name_appends_a_new_volume() -> None:
    objs = built('patch Deployment payments { merge { spec { template { spec { volumes cache { emptyDir { medium "Memory" } } } } } } }')
    volumes = find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["volumes"]
    assert volumes[-1] == {"name": "cache", "emptyDir": {"medium": "Memory"}} and any(v["name"] == "tmp" for v in volumes)


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


# ``$patch`` directives, as kubernetes/community@5a685b8c contributors/devel/sig-api-machinery/strategic-merge-patch.md
# writes them: in a map, ``$patch: replace`` sets it whole and ``$patch: delete`` removes it; in a list element
# named by its merge key, ``delete`` removes that element and ``replace`` sets it whole.
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


def test_patch_replace_sets_a_keyed_element_whole_keeping_its_key() -> None:
    ports = container(built(_SPEC % 'containers payments { ports 8080 { "$patch" replace; name "web" } }'))["ports"]
    assert ports == [{"containerPort": 8080, "name": "web"}]


def test_patch_delete_of_a_map_removes_the_field() -> None:
    patch = 'patch Deployment payments { merge { spec { strategy { rollingUpdate { "$patch" delete }; type "Recreate" } } } }'
    assert find(built(patch), "Deployment", "payments")["spec"]["strategy"] == {"type": "Recreate"}


def test_a_new_element_drops_its_null_fields_as_a_merge_into_nothing_does() -> None:
    volumes = find(built(_SPEC % "volumes cache { emptyDir { medium null } }"), "Deployment", "payments")["spec"]["template"]["spec"]["volumes"]
    assert volumes[-1] == {"name": "cache", "emptyDir": {}}


def test_patch_delete_of_an_element_the_object_lacks_is_refused_with_did_you_mean() -> None:
    found = errors(_SPEC % 'containers payment { "$patch" delete }')
    assert [d.code for d in found] == ["E0233"]
    assert "containers[name=payment] to delete" in found[0].summary and '"payments"' in found[0].help


def test_a_patch_directive_other_than_delete_or_replace_is_refused() -> None:
    found = errors(_SPEC % 'containers payments { "$patch" remove }')
    assert [d.code for d in found] == ["E0232"] and '"replace"' in found[0].help


def test_patch_delete_beside_other_fields_is_refused() -> None:
    assert [d.code for d in errors(_SPEC % 'containers payments { "$patch" delete; workingDir "/srv" }')] == ["E0113"]


def test_a_patch_directive_at_the_top_or_in_an_element_of_a_list_without_merge_key_is_refused() -> None:
    assert [d.code for d in errors('patch Deployment payments { merge { "$patch" replace } }')] == ["E0231"]
    assert [d.code for d in errors(_SPEC % 'tolerations { "$patch" delete }')] == ["E0231"]
