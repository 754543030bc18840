"""Field paths and values are checked against the kind's schema: E0231 for a field it does not have, E0232 for a
value of the wrong type, E0233 for a patched object the schema refuses."""

from __future__ import annotations

import pytest

from .helpers import errors


def _one(patch: str) -> tuple[str, str, str]:
    (found,) = errors(patch)
    return found.code, found.summary, found.help


def test_an_unknown_merge_field_is_E0231_with_a_did_you_mean_over_that_objects_fields() -> None:
    assert _one('patch Deployment payments { merge { spec { template { spec { priorityClass "high" } } } } }') == (
        "E0231",
        '"priorityClass" is not a field of spec.template.spec',
        'did you mean "priorityClassName"?',
    )


def test_an_unknown_field_inside_a_merged_container_is_E0231() -> None:
    code, summary, help = _one('patch Deployment payments { merge { spec { template { spec { containers payments { imagePullPolicyy "Always" } } } } } }')
    assert (code, help) == ("E0231", 'did you mean "imagePullPolicy"?') and "containers[name=payments]" in summary


def test_an_unknown_json_pointer_field_is_E0231_with_a_did_you_mean() -> None:
    assert _one('patch Service payments { json { replace "/spec/sessionAfinity" "ClientIP" } }') == (
        "E0231",
        '"sessionAfinity" is not a field of /spec',
        'did you mean "sessionAffinity"?',
    )


def test_a_list_indexed_by_a_name_in_a_pointer_is_E0231() -> None:
    code, summary, _ = _one('patch Deployment payments { json { replace "/spec/template/spec/containers/payments/image" "x" } }')
    assert code == "E0231" and "is a list" in summary


@pytest.mark.parametrize("path", ["/metadata/name", "/metadata/namespace", "/kind", "/apiVersion"])
def test_the_identity_is_the_plans_and_no_patch_changes_it(path: str) -> None:
    assert _one(f'patch Service payments {{ json {{ replace "{path}" "x" }} }}')[0] == "E0231"


def test_a_string_where_the_schema_wants_an_integer_is_E0232() -> None:
    assert _one('patch Deployment payments { merge { spec { minReadySeconds "ten" } } }') == (
        "E0232",
        '"minReadySeconds" takes a whole number, found a string "ten"',
        "write a whole number",
    )


def test_a_number_where_the_schema_wants_a_string_is_E0232() -> None:
    assert _one("patch Service payments { json { replace /spec/type 3 } }")[0] == "E0101"  # a pointer is a string
    assert _one('patch Service payments { json { replace "/spec/type" 3 } }')[:2] == ("E0232", '"type" takes a string, found a number "3"')


def test_a_value_where_the_schema_wants_a_block_is_E0232() -> None:
    assert _one('patch Deployment payments { merge { spec { template "x" } } }')[0] == "E0232"


def test_a_list_with_a_merge_key_written_without_it_is_E0232() -> None:
    code, _, help = _one('patch Deployment payments { merge { spec { template { spec { containers { image "x" } } } } } }')
    assert (code, help) == ("E0232", "name the element by its name: `containers <name> { ... }`")


def test_a_patch_that_removes_a_required_field_is_E0233() -> None:
    code, summary, _ = _one('patch Deployment payments { json { remove "/spec/selector" } }')
    assert (code, summary) == ("E0233", "the patched Deployment shop/payments is not valid for its schema: /spec/selector is required")


def test_an_element_a_merge_appends_without_its_required_fields_is_E0233() -> None:
    code, summary, _ = _one("patch Deployment payments { merge { spec { template { spec { readinessGates { } } } } } }")
    assert (code, summary) == (
        "E0233",
        "the patched Deployment shop/payments is not valid for its schema: /spec/template/spec/readinessGates/0/conditionType is required",
    )


def test_values_for_a_list_of_objects_are_E0232() -> None:
    code, summary, _ = _one('patch Deployment payments { merge { spec { template { spec { containers "payments" } } } } }')
    assert (code, summary) == ("E0232", '"containers" is a list of objects: write its elements in blocks')


def test_merge_and_json_take_a_block_and_nothing_else() -> None:
    assert _one('patch Deployment payments { merge "x" }')[:2] == ("E0112", '"merge" takes a { ... } block and nothing else')
