"""Strategic merge patches: maps merge field by field, lists with a merge key merge by it, other lists are replaced."""

from __future__ import annotations

from .helpers import built, container, find


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
