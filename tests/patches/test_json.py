"""JSON patches (RFC 6902): add, remove, replace, test, move and copy, on the generated object."""

from __future__ import annotations

from .helpers import BASE, built, container, errors, find


def test_json_add_sets_a_new_field() -> None:
    objs = built('patch Service payments { json { add "/spec/sessionAffinity" "ClientIP" } }')
    assert find(objs, "Service", "payments")["spec"]["sessionAffinity"] == "ClientIP"


def test_json_add_with_a_block_sets_an_object() -> None:
    objs = built('patch Service payments { json { add "/spec/sessionAffinityConfig" { clientIP { timeoutSeconds 600 } } } }')
    assert find(objs, "Service", "payments")["spec"]["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 600}}


def test_json_add_dash_appends_to_a_list() -> None:
    objs = built('patch Deployment payments { json { add "/spec/template/spec/containers/0/env/-" { name "NEW"; value "1" } } }')
    assert container(objs)["env"][-1] == {"name": "NEW", "value": "1"}


def test_json_remove_deletes_a_field() -> None:
    assert "fsGroup" in find(built(""), "Deployment", "payments")["spec"]["template"]["spec"]["securityContext"]
    objs = built('patch Deployment payments { json { remove "/spec/template/spec/securityContext/fsGroup" } }')
    assert "fsGroup" not in find(objs, "Deployment", "payments")["spec"]["template"]["spec"]["securityContext"]


def test_json_replace_changes_a_value() -> None:
    objs = built('patch Service payments { json { replace "/spec/type" "NodePort" } }')
    assert find(objs, "Service", "payments")["spec"]["type"] == "NodePort"


def test_json_test_that_holds_lets_the_patch_apply() -> None:
    objs = built('patch Service payments { json { test "/spec/type" "ClusterIP"; replace "/spec/type" "NodePort" } }')
    assert find(objs, "Service", "payments")["spec"]["type"] == "NodePort"


def test_json_test_that_fails_is_E0233() -> None:
    found = errors('patch Service payments { json { test "/spec/type" "NodePort" } }')
    assert [(d.code, d.summary) for d in found] == [("E0233", "the test of /spec/type failed: the generated object has 'ClusterIP' there")]


def test_json_copy_copies_a_value_to_another_path() -> None:
    deployment = find(built('patch Deployment payments { json { copy "/metadata/labels" -> "/metadata/annotations" } }'), "Deployment", "payments")
    assert deployment["metadata"]["annotations"] == deployment["metadata"]["labels"]


def test_json_move_takes_the_value_from_its_source() -> None:
    spec = find(built('patch Deployment payments { json { move "/spec/revisionHistoryLimit" -> "/spec/minReadySeconds" } }'), "Deployment", "payments")["spec"]
    assert "revisionHistoryLimit" not in spec and spec["minReadySeconds"] == 10


def test_json_path_the_generated_object_lacks_is_E0233_at_the_operation() -> None:
    (found,) = errors('patch Service payments {\n  json { remove "/spec/sessionAffinity" }\n}')
    assert (found.code, found.span.line, found.span.column) == ("E0233", BASE.count("\n") + 2, 10)


def test_json_add_under_a_missing_parent_says_to_add_the_parent() -> None:
    (found,) = errors('patch Service payments { json { add "/metadata/annotations/team" "payments" } }')
    assert found.code == "E0233" and 'add "/metadata/annotations" { }' in found.help
