"""What the cluster must provide, read from the plan: operators, CRDs, Secrets with keys and readers, storage."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from orion_dsl import controllers
from orion_dsl.backends import istio, kubernetes
from orion_dsl.engines import FACTS
from orion_dsl.lowering import Plan, Role
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.pipeline import analyze_file, analyze_text
from tests.conftest import EXAMPLES, SEED_SPEC
from tests.support.plans import planned
from tests.test_api_floors import SERVED_SINCE

SPECS = [SEED_SPEC, *EXAMPLES]

OPERATED = """
topology t { version "1" }
namespace data {
  statefulset postgres {
    engine cloudnative-pg
    image "ghcr.io/cloudnative-pg/postgresql:17-standard-trixie"
    replicas 2
    port sql 5432
    storage data 10Gi class fast at "/var/lib/postgresql/data"
    backup wal continuous to s3
    backup incremental every 24h at 02:00 to s3
  }
}
recovery { target s3 { kind s3; region eu-central-1; bucket "b" } }
"""

BACKED_UP = """
topology t { version "1" }
namespace data {
  statefulset db {
    image "postgres:17"
    port sql 5432
    volume secrets secret "db-secrets" at "/etc/db"
    storage data 10Gi at "/var/lib/postgresql/data"
    backup full every 24h at 02:00 to s3
  }
}
recovery { target s3 { kind s3; region eu-central-1; bucket "b" } }
"""


def _plan(text: str) -> Plan:
    analysis = analyze_text(text, "spec.orion")
    assert analysis.plan is not None, analysis.diagnostics
    return analysis.plan


def _written(path: Path) -> list[dict[str, object]]:
    plan = analyze_file(path).plan
    assert plan is not None
    return [*kubernetes.objects(plan)[0], *istio.objects(plan)[0]]


def test_an_engine_lists_its_operator_with_the_version_orion_writes_for() -> None:
    found = {o.name: o for o in prerequisites(_plan(OPERATED)).operators}
    cnpg = FACTS["cloudnative-pg"]
    assert (found[cnpg.operator].version, found[cnpg.operator].namespace) == (cnpg.version, cnpg.operator_namespace)
    assert found[cnpg.operator].engines == ("cloudnative-pg (data/postgres)",)


def test_the_barman_cloud_object_store_is_served_by_the_plugin_which_needs_cloudnative_pg() -> None:
    found = {o.name: o for o in prerequisites(_plan(OPERATED)).operators}
    plugin = next(o for o in found.values() if "barmancloud.cnpg.io/v1" in o.serves)
    assert any(r.startswith("CloudNativePG 1.26") for r in plugin.requires)


def test_a_backup_target_lists_its_credentials_secret_with_its_key_and_readers() -> None:
    found = {(s.namespace, s.name): s for s in prerequisites(_plan(BACKED_UP)).secrets}
    credentials = found[("data", "s3-credentials")]
    assert credentials.keys == ("credentials",)
    assert [r.object for r in credentials.readers] == ["CronJob data/db-backup-full"]


def test_the_object_store_reads_the_access_key_pair_of_the_same_secret() -> None:
    found = {(s.namespace, s.name): s for s in prerequisites(_plan(OPERATED)).secrets}
    assert found[("data", "s3-credentials")].keys == ("ACCESS_KEY_ID", "ACCESS_SECRET_KEY")


def test_a_mounted_secret_has_no_known_keys_and_names_every_reader() -> None:
    found = {(s.namespace, s.name): s for s in prerequisites(_plan(BACKED_UP)).secrets}
    secrets = found[("data", "db-secrets")]
    assert secrets.any_file and [r.object for r in secrets.readers] == ["StatefulSet data/db", "CronJob data/db-backup-full"]


def test_a_secret_an_operator_makes_is_not_listed() -> None:
    plan = _plan(OPERATED)
    made = {(e.namespace, e.name) for e in plan.of_role(Role.OPERATOR_MADE) if e.id.kind == "Secret"}
    assert ("data", "postgres-app") in made
    assert made.isdisjoint({(s.namespace, s.name) for s in prerequisites(plan).secrets})


def test_a_secret_cert_manager_makes_is_not_listed() -> None:
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    made = {(e.namespace, e.name) for e in plan.of_role(Role.MANAGED_SECRET)}
    assert made and made.isdisjoint({(s.namespace, s.name) for s in prerequisites(plan).secrets})


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_the_crds_listed_are_the_kinds_written_that_kubernetes_does_not_serve(path: Path) -> None:
    built_in = {api_kind for api_kind, (platform, _) in SERVED_SINCE.items() if platform == "k8s"}
    apis = {(str(o["apiVersion"]), str(o["kind"])) for o in _written(path)}
    written = {(api.rpartition("/")[0], kind, api.rpartition("/")[2]) for api, kind in apis - built_in}
    plan = analyze_file(path).plan
    assert plan is not None
    assert [(c.group, c.kind, c.version) for c in prerequisites(plan).crds] == sorted(written)


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_crd_listed_names_the_controller_that_serves_it(path: Path) -> None:
    plan = analyze_file(path).plan
    assert plan is not None
    assert [c for c in prerequisites(plan).crds if c.controller is None] == []


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_the_secrets_listed_are_those_i1010_asks_for(path: Path) -> None:
    plan = analyze_file(path).plan
    assert plan is not None
    info = next((d.summary for d in kubernetes.render(plan).diagnostics if d.code == "I1010"), "")
    asked = sorted(info.rpartition(": ")[2].split(", ")) if info else []
    assert [f"{s.namespace}/{s.name}" for s in prerequisites(plan).secrets] == asked


def test_a_storage_declaration_without_a_class_needs_the_cluster_default() -> None:
    classes = prerequisites(_plan(BACKED_UP)).storage_classes
    assert [(c.name, c.users) for c in classes] == [(None, ("storage data of data/db",))]


def test_incremental_backups_of_cloudnative_pg_need_a_snapshot_class_named_after_the_storage_class() -> None:
    found = prerequisites(_plan(OPERATED))
    assert [c.name for c in found.snapshot_classes] == ["fast"]
    assert "CSI volume snapshots" in [f.name for f in found.features]


def test_the_seed_needs_istio_at_the_gateway_floor_and_istio_cni() -> None:
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    found = prerequisites(plan)
    assert [f.name for f in found.platform] == ["Kubernetes 1.32 or later", "Istio 1.30 or later"]  # its ingress is an Istio Gateway
    assert any("istio-cni" in f.name for f in found.features)


def test_istio_cni_needs_its_own_namespace_to_allow_privileged_pods() -> None:
    """The istio-cni chart's install-cni container mounts hostPath volumes and adds SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE
    (istio/istio@00ace666c5324d1528e44101a6be37d32bbbfd31 manifests/charts/istio-cni/templates/daemonset.yaml): only
    Pod Security privileged admits that, so the row says which namespace must allow it."""
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    why = next(f.why for f in prerequisites(plan).features if "istio-cni" in f.name)
    assert why.endswith(
        "; the namespace the istio-cni DaemonSet runs in (istio-system or kube-system, as installed) must allow privileged pods "
        "(Pod Security privileged): its pods mount host paths and add NET_ADMIN, NET_RAW, SYS_ADMIN and SYS_PTRACE"
    )


def _egress_gateway_row(plan: Plan) -> str:
    return next(p.what for p in prerequisites(plan).provided if p.name == "istio-egressgateway")


def test_the_egress_gateway_service_lists_the_routed_ports_istios_chart_lacks() -> None:
    """The istio-egressgateway Service of Istio's chart has 80, 443 and 15443 only
    (istio/istio@00466c1d208933adfca5682a6307f784e8a7f0b4 manifests/charts/gateways/istio-egress/values.yaml):
    the seed routes SMTPS 465 through the gateway, so the Service needs 465 at install."""
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    assert _egress_gateway_row(plan) == (
        "the Service Istio installs of the egress gateway, with port 465 added at install (targetPort the same, TCP)"
    )


def test_an_egress_gateway_routing_only_443_needs_no_port_added() -> None:
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    https_only = tuple(attrs.evolve(e, ports=tuple(p for p in e.ports if p.number == 443)) for e in plan.topology.externals)
    alone = attrs.evolve(plan.topology, externals=tuple(e for e in https_only if e.ports))
    assert _egress_gateway_row(planned(alone)) == "the Service Istio installs of the egress gateway"


QUEUE_SCALED = """
topology t { version "1" }
namespace work {
  service worker {
    image "shop/worker:1.0"
    port http 8080
    autoscale 1..5 { cpu 70%; queue "jobs" 20 on rabbitmq }
  }
  statefulset rabbitmq {
    engine rabbitmq-operator
    image "rabbitmq:4.2-management"
  }
}
"""


def test_scraping_meshed_pods_needs_istio_metrics_merging() -> None:
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    assert any("enablePrometheusMerge" in f.name for f in prerequisites(plan).features)


def test_a_keda_cpu_trigger_needs_the_resource_metrics_api() -> None:
    found = prerequisites(_plan(QUEUE_SCALED))
    assert [f.why for f in found.features if "metrics-server" in f.name] == ["HorizontalPodAutoscalers scale on CPU or memory"]
    assert not any("external metrics" in f.name for f in found.features)


def test_the_cert_manager_release_stated_supports_the_kubernetes_floor() -> None:
    """cert-manager's supported-releases table (cert-manager.io/docs/releases; cert-manager/website#2007, Mar 2026):
    1.20 supports Kubernetes 1.32 to 1.35, 1.21 starts at 1.33. 1.0, stated before, supported 1.11 to 1.19."""
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    assert plan.topology.kubernetes == "1.32"
    assert [o.version for o in prerequisites(plan).operators if o.name == "cert-manager"] == ["1.20"]


def test_a_spec_without_a_mesh_needs_no_istio() -> None:
    found = prerequisites(_plan(BACKED_UP))
    assert not any("Istio" in f.name for f in (*found.platform, *found.features))
    assert not any(o.name == "Istio" for o in found.operators)


def test_the_summary_counts_what_the_lists_hold() -> None:
    found = prerequisites(_plan(BACKED_UP))
    assert found.summary() == (
        "prerequisites: the cluster must provide 0 operators and controllers; 0 CRDs; 2 Secrets; "
        "StorageClasses: the cluster default (listed in docs/PREREQUISITES.md)"
    )


def test_the_velero_locations_written_need_the_plugin_of_their_provider() -> None:
    plan = analyze_file(SEED_SPEC).plan
    assert plan is not None
    providers = {str(o["spec"]["provider"]) for o in kubernetes.objects(plan)[0] if o["kind"] in ("BackupStorageLocation", "VolumeSnapshotLocation")}
    assert providers == {controllers.VELERO_PROVIDER}
    assert f"Velero's {controllers.VELERO_PLUGIN}" in [f.name for f in prerequisites(plan).features]


#: Fields of the written objects that name a Secret and one of its keys: a container's env
#: (``secretKeyRef``), the Barman Cloud ObjectStore's ``s3Credentials`` (plugin-barman-cloud
#: api/v1 ObjectStore, barman-cloud S3Credentials), Velero's BackupStorageLocation and
#: VolumeSnapshotLocation ``credential`` (velero pkg/apis/velero/v1 BackupStorageLocationSpec.Credential).
_KEY_REFERENCES = ("secretKeyRef", "credential", "accessKeyId", "secretAccessKey", "sessionToken", "region")


def _keys_read(node: object, namespace: str, parent: str = "") -> set[tuple[str, str, str]]:
    """(namespace, Secret, key) of every key reference under one object."""
    found: set[tuple[str, str, str]] = set()
    if isinstance(node, dict):
        if parent in _KEY_REFERENCES and isinstance(node.get("name"), str) and isinstance(node.get("key"), str):
            found.add((namespace, node["name"], node["key"]))
        for key, value in node.items():
            found |= _keys_read(value, namespace, str(key))
    elif isinstance(node, list):
        for value in node:
            found |= _keys_read(value, namespace, parent)
    return found


def _credentials_files(o: dict[str, object]) -> set[tuple[str, str, str]]:
    """(namespace, Secret, file) of each ``AWS_SHARED_CREDENTIALS_FILE`` a container of a written
    pod template reads: the file of the Secret volume mounted at its folder."""
    found: set[tuple[str, str, str]] = set()
    pod = o.get("spec", {})
    for step in ("jobTemplate", "spec", "template", "spec"):  # CronJob; a Deployment/StatefulSet has no jobTemplate
        pod = pod.get(step, pod) if isinstance(pod, dict) else pod
    if not isinstance(pod, dict):
        return found
    secrets = {v["name"]: v["secret"]["secretName"] for v in pod.get("volumes", []) if "secret" in v}
    for c in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        for env in c.get("env", []):
            if env.get("name") == "AWS_SHARED_CREDENTIALS_FILE":
                folder, _, file = env["value"].rpartition("/")
                mount = next((m for m in c.get("volumeMounts", []) if m["mountPath"] == folder), None)
                if mount is not None:  # a step that mounts no credentials reads none (the dump of a snapshot)
                    found.add((str(o["metadata"]["namespace"]), secrets[mount["name"]], file))  # type: ignore[index]
    return found


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_secret_key_a_written_object_reads_is_listed_with_its_secret(path: Path) -> None:
    plan = analyze_file(path).plan
    assert plan is not None
    listed = {(s.namespace, s.name): set(s.keys) for s in prerequisites(plan).secrets}
    read: set[tuple[str, str, str]] = set()
    for o in _written(path):
        namespace = str(o["metadata"].get("namespace", ""))  # type: ignore[attr-defined]
        read |= _keys_read(o.get("spec"), namespace) | _credentials_files(o)
    made = {(e.namespace, e.name) for e in plan.of_role(Role.OPERATOR_MADE) if e.id.kind == "Secret"}
    made |= {(e.namespace, e.name) for e in plan.of_role(Role.MANAGED_SECRET)}
    missing = [(ns, name, key) for ns, name, key in sorted(read) if (ns, name) not in made and key not in listed.get((ns, name), set())]
    assert missing == []


EGRESS_ROUTED = """
topology t { version "1" }
mesh istio { mtls strict; egress_gateway { namespace istio-system } }
external stripe { host "api.stripe.com"; port https 443; via egress_gateway }
namespace shop {
  mesh on
  service api { image "shop/api:1.0"; port http 8080; calls stripe:https }
}
"""


def _dedicated_gateway_rows(plan: Plan) -> list[str]:
    return [f.why for f in prerequisites(plan).features if f.name == "an egress gateway in istio-system dedicated to this topology"]


def test_the_egress_gateways_policies_orion_writes_need_a_gateway_dedicated_to_the_topology() -> None:
    """Mesh review D6: the policies select Istio's shared gateway pods (istio=egressgateway) in istio-system."""
    plan = _plan(EGRESS_ROUTED)
    written = {str(e.id) for e in plan.entries if e.emitted and e.id.namespace == "istio-system" and e.id.kind == "NetworkPolicy"}
    assert written == {"NetworkPolicy istio-system/istio-egressgateway-ingress", "NetworkPolicy istio-system/istio-egressgateway-egress"}
    [why] = _dedicated_gateway_rows(plan)
    assert all(policy in why for policy in written)
    assert "merge these policies" in why


def test_no_egress_gateway_policy_written_needs_no_dedicated_gateway() -> None:
    unrouted = EGRESS_ROUTED.replace("; calls stripe:https", "")
    plan = _plan(unrouted)
    assert not any(e.emitted and e.id.namespace == "istio-system" and e.id.kind == "NetworkPolicy" for e in plan.entries)
    assert _dedicated_gateway_rows(plan) == []
