"""The cluster backup's Velero locations: ORION writes the BackupStorageLocation and VolumeSnapshotLocation
of an S3 target and the Schedule names both (fields: the vendored CRD schemas, and the AWS plugin's
samples, github.com/vmware-tanzu/velero-plugin-for-aws backupstoragelocation.md / volumesnapshotlocation.md)."""

from __future__ import annotations

from typing import Any

from orion_dsl.pipeline import analyze_text
from tests.support.schemas import validate_crd

from .helpers import find, objects, rendered

SPEC = """
topology t { version "1.0.0" }
namespace data { service api { image "shop/api:1.0"; port http 8080 } }
recovery {
  target primary { kind s3; region %s; bucket "t-backups"; encrypted on }
  cluster_backup velero every 24h at 01:00 to primary
}
"""


def _objects(region: str = "eu-west-1", kind: str = "s3") -> list[dict[str, Any]]:
    analysis = analyze_text((SPEC % region).replace("kind s3", f"kind {kind}"), "velero.orion")
    assert analysis.topology is not None, analysis.diagnostics
    return list(objects(analysis.topology))


def test_the_cluster_backup_writes_to_a_storage_location_orion_defines() -> None:
    objs = _objects()
    location = find(objs, "BackupStorageLocation", "primary", "velero")
    assert location["apiVersion"] == "velero.io/v1"
    assert location["spec"] == {
        "provider": "aws",
        # its own folder: the bucket's root also holds the other backups' <namespace>/ folders
        "objectStorage": {"bucket": "t-backups", "prefix": "velero"},
        "config": {"region": "eu-west-1"},
        "credential": {"name": "primary-credentials", "key": "credentials"},
    }
    assert validate_crd(location) == []
    assert find(objs, "Schedule", "t-cluster", "velero")["spec"]["template"]["storageLocation"] == "primary"


def test_the_cluster_backup_snapshots_volumes_to_a_snapshot_location_in_the_targets_region() -> None:
    objs = _objects()
    snapshots = find(objs, "VolumeSnapshotLocation", "primary", "velero")
    assert snapshots["spec"] == {"provider": "aws", "config": {"region": "eu-west-1"}, "credential": {"name": "primary-credentials", "key": "credentials"}}
    assert validate_crd(snapshots) == []
    schedule = find(objs, "Schedule", "t-cluster", "velero")
    assert schedule["spec"]["template"]["volumeSnapshotLocations"] == ["primary"]
    assert validate_crd(schedule) == []


def test_the_credentials_secret_of_the_locations_stays_for_the_cluster_to_provide() -> None:
    analysis = analyze_text(SPEC % "eu-west-1", "velero.orion")
    assert analysis.topology is not None
    notes = [d.summary for d in rendered(analysis.topology).diagnostics if d.code == "I1010"]
    assert any("velero/primary-credentials" in n for n in notes), notes
    assert not [d for d in rendered(analysis.topology).diagnostics if d.code == "I1054"]


def test_another_kind_of_targets_storage_location_is_still_velero_installations_to_define() -> None:
    analysis = analyze_text((SPEC % "europe-west1").replace("kind s3", "kind gcs"), "velero.orion")
    assert analysis.topology is not None, analysis.diagnostics
    out = rendered(analysis.topology)
    assert not [o for o in objects(analysis.topology) if o["kind"] in ("BackupStorageLocation", "VolumeSnapshotLocation")]
    assert [d for d in out.diagnostics if d.code == "I1054"]
