"""The plan holds every object ORION emits: identities unique, every reference and selector resolving."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orion_dsl.backends import istio, kubernetes
from orion_dsl.lowering import Plan, Planned, Role, lower
from orion_dsl.lowering import istio as planned_istio
from orion_dsl.lowering import kubernetes as planned_kubernetes
from orion_dsl.lowering.identities import ROLE_NAMES
from orion_dsl.lowering.names import POD_INDEX_LABEL
from orion_dsl.model import Workload
from orion_dsl.pipeline import analyze_file
from tests.conftest import EXAMPLES, SEED_SPEC

SPECS = [SEED_SPEC, *EXAMPLES]

#: Pods the cluster runs that the plan does not name (installed with Istio; made by cert-manager for a challenge).
PROVIDED_PODS = ({"istio": "egressgateway"}, {"acme.cert-manager.io/http01-solver": "true"})


def _plan(path: Path) -> Plan:
    plan = analyze_file(path).plan
    assert plan is not None
    return plan


def _rendered(plan: Plan) -> list[dict[str, Any]]:
    return [*kubernetes.objects(plan)[0], *istio.objects(plan)[0]]


def _identity(o: dict[str, Any]) -> tuple[str, str, str | None, str]:
    return (o["apiVersion"], o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"])


def _emitted(plan: Plan) -> dict[tuple[str, str, str | None, str], Planned]:
    """The entries of the objects the backends really wrote (an entry may have nothing to say)."""
    by_identity = {(e.id.api_version, e.id.kind, e.id.namespace, e.id.name): e for e in plan.entries if e.emitted}
    return {key: by_identity[key] for key in map(_identity, _rendered(plan))}


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_identity_of_the_plan_is_unique(path: Path) -> None:
    keys = [e.id.key for e in _plan(path).entries]
    assert len(keys) == len(set(keys))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_written_object_is_one_planned_entry(path: Path) -> None:
    plan = _plan(path)
    written = [_identity(o) for o in _rendered(plan)]
    planned = {(e.id.api_version, e.id.kind, e.id.namespace, e.id.name) for e in plan.entries if e.emitted}
    assert len(written) == len(set(written)) and set(written) <= planned


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_reference_names_a_written_object_or_one_the_cluster_provides(path: Path) -> None:
    plan = _plan(path)
    emitted = _emitted(plan)
    there = {(e.id.kind, e.id.namespace or "", e.id.name) for e in emitted.values()}
    there |= {(e.id.kind, e.id.namespace or "", e.id.name) for e in plan.provided()}
    for entry in emitted.values():
        for ref in entry.refs:
            assert (ref.kind, ref.namespace or "", ref.name) in there, f"{entry.id} names {ref}, which nothing writes or provides"


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_selector_selects_pods_that_are_written_or_provided(path: Path) -> None:
    plan = _plan(path)
    emitted = _emitted(plan).values()
    pods = [(e.id.namespace, dict(e.pods)) for e in (*emitted, *plan.provided()) if e.pods is not None]
    for entry in emitted:
        if entry.selects is None or not entry.selects.labels:
            continue  # an empty selector is every pod of its namespace
        wanted = entry.selects.match_labels
        index = wanted.pop(POD_INDEX_LABEL, None)  # set on each pod by the StatefulSet controller
        found = any(ns == entry.selects.namespace and wanted.items() <= labels.items() for ns, labels in pods)
        if index is not None:
            (owner,) = [e for e in emitted if e.role is Role.STATEFULSET and e.pods is not None and wanted.items() <= dict(e.pods).items()]
            assert int(index) < owner.of(Workload).replicas, f"{entry.id} selects pod {index} of {owner.id}"
        assert found or wanted in PROVIDED_PODS, f"{entry.id} selects {wanted}, which no pod carries"


def test_every_kubernetes_role_has_one_builder() -> None:
    assert set(kubernetes.BUILDERS) == planned_kubernetes.ROLES


def test_every_istio_role_has_one_builder() -> None:
    assert set(istio.BUILDERS) == planned_istio.ROLES


def test_every_role_is_planned_for_one_target() -> None:
    provided = {Role.PROVIDED_SECRET, Role.PROVIDED_CONFIG, Role.PROVIDED_SERVICE, Role.PROVIDED_STORAGE_LOCATION, Role.PROVIDED_PODS, Role.PROVIDED_NAMESPACE}
    provided |= {Role.MANAGED_SECRET, Role.TEMPLATE_CLAIM, Role.OPERATOR_MADE}
    assert planned_kubernetes.ROLES.isdisjoint(planned_istio.ROLES) and planned_kubernetes.ROLES | planned_istio.ROLES | provided == set(Role)


def test_every_role_is_described_for_messages() -> None:
    assert set(ROLE_NAMES) == set(Role)


def test_the_secrets_the_cluster_provides_are_planned_once_each(seed_plan: Plan) -> None:
    secrets = [(e.namespace, e.name) for e in seed_plan.of_role(Role.PROVIDED_SECRET)]
    assert ("orion-data", "s3-primary-credentials") in secrets and len(secrets) == len(set(secrets))


@pytest.fixture(scope="module")
def seed_plan() -> Plan:
    return _plan(SEED_SPEC)


def test_lowering_twice_gives_the_same_identities(seed_plan: Plan) -> None:
    again, _ = lower(seed_plan.topology)
    assert [e.id for e in again.entries] == [e.id for e in seed_plan.entries]


def _named_by(o: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, name) of every object a written object names in its own namespace, read from the object itself."""
    spec = o.get("spec", {})
    found: set[tuple[str, str]] = set()
    pod = spec.get("template", spec.get("jobTemplate", {}).get("spec", {}).get("template", {})).get("spec", {})
    if pod.get("serviceAccountName"):
        found.add(("ServiceAccount", pod["serviceAccountName"]))
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            found.add(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume:
            found.add(("Secret", volume["secret"]["secretName"]))
        if "persistentVolumeClaim" in volume:
            found.add(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
    if o["kind"] == "StatefulSet":
        found.add(("Service", spec["serviceName"]))
    for key in ("scaleTargetRef", "targetRef"):
        if key in spec:
            found.add((spec[key]["kind"], spec[key]["name"]))
    if o["kind"] == "Ingress":
        found |= {("Service", p["backend"]["service"]["name"]) for rule in spec["rules"] for p in rule["http"]["paths"]}
        found |= {("Secret", tls["secretName"]) for tls in spec.get("tls", [])}
    if o["kind"] == "AuthorizationPolicy":
        principals = [p for rule in spec.get("rules", []) for f in rule.get("from", []) for p in f["source"].get("principals", [])]
        found |= {("ServiceAccount", p.rpartition("/sa/")[2]) for p in principals}
    if o["kind"] == "RoleBinding":
        found.add(("Role", o["roleRef"]["name"]))
        found |= {("ServiceAccount", s["name"]) for s in o["subjects"]}
    return found


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_the_objects_a_written_object_names_are_the_references_its_entry_plans(path: Path) -> None:
    plan = _plan(path)
    emitted = _emitted(plan)
    for o in _rendered(plan):
        entry = emitted[_identity(o)]
        planned = {(ref.kind, ref.name) for ref in entry.refs}
        assert _named_by(o) <= planned, f"{entry.id} names {sorted(_named_by(o) - planned)} that its plan entry does not"
