"""A patch's target: an object the plan names, by kind and name (and namespace, apiVersion), else E0230 with a did-you-mean."""

from __future__ import annotations

from .helpers import MESHED, built, errors, find


def test_an_unknown_kind_is_E0230_with_a_did_you_mean_over_the_kinds() -> None:
    (found,) = errors("patch Deploymnt payments { merge { spec { minReadySeconds 1 } } }")
    assert (found.code, found.summary, found.help) == ("E0230", 'unknown kind "Deploymnt": ORION generates no such object', 'did you mean "Deployment"?')


def test_a_kind_the_spec_generates_none_of_is_E0230() -> None:
    (found,) = errors("patch StatefulSet payments { merge { spec { minReadySeconds 1 } } }")
    assert (found.code, found.summary) == ("E0230", "this spec generates no StatefulSet")


def test_an_unknown_name_is_E0230_with_a_did_you_mean_over_the_names_of_that_kind() -> None:
    (found,) = errors("patch Deployment paymnts { merge { spec { minReadySeconds 1 } } }")
    assert (found.code, found.summary, found.help) == ("E0230", 'ORION generates no Deployment "paymnts"', 'did you mean "payments"?')


def test_a_name_two_namespaces_hold_needs_its_namespace() -> None:
    (found,) = errors("patch Sidecar default { merge { spec { } } }", MESHED)
    assert found.code == "E0230" and found.summary.startswith('2 generated objects are Sidecar "default"') and "`in NAMESPACE`" in found.help


def test_in_picks_the_namespace() -> None:
    objs = built('patch Sidecar default in edge { merge { metadata { labels { tier "edge" } } } }', MESHED)
    assert find(objs, "Sidecar", "default", "edge")["metadata"]["labels"]["tier"] == "edge"
    assert "tier" not in find(objs, "Sidecar", "default", "backend")["metadata"].get("labels", {})


def test_an_istio_object_is_patched_against_its_crd_schema() -> None:
    objs = built('patch PeerAuthentication default in istio-system { merge { spec { mtls { mode "STRICT" } } } }', MESHED)
    assert find(objs, "PeerAuthentication", "default", "istio-system")["spec"]["mtls"]["mode"] == "STRICT"
    (found,) = errors('patch PeerAuthentication default in istio-system { merge { spec { mtls { mode "STICT" } } } }', MESHED)
    assert (found.code, found.help) == ("E0232", 'did you mean "STRICT"?')


def test_a_patch_without_merge_or_json_is_E0233() -> None:
    assert [d.code for d in errors("patch Deployment payments { }")] == ["E0233"]
