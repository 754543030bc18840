"""A ConfigMap or Secret volume with ``file`` lines mounts only those keys, under those names
(the volume's ``items``), beside ORION's /tmp scratch directory even when it lies below /tmp.

Bank of Anthos (GoogleCloudPlatform/bank-of-anthos@d0af04743a6d951665169ca6370d15725ec51252,
kubernetes-manifests/userservice.yaml) mounts the Secret jwt-key at /tmp/.ssh with the items
jwtRS256.key -> privatekey and jwtRS256.key.pub -> publickey, and an emptyDir at /tmp.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orion_dsl.backends.kubernetes import workloads
from orion_dsl.lowering.prerequisites import prerequisites
from orion_dsl.pipeline import analyze_text
from tests.support.schemas import NEWEST_K8S, validate_core

from .helpers import find, objects

SPEC = """
topology bank { version "1.0" }
network {
  default deny
  subnet apps 10.1.0.0/24
}
namespace bank {
  subnet apps
  service userservice {
    image "bank/userservice:1.0"
    port http 8080
    volume keys secret "jwt-key" at "/tmp/.ssh" {
      file "privatekey" key "jwtRS256.key"
      file "publickey" key "jwtRS256.key.pub"
    }
    volume settings config-map "settings" at "/etc/settings"
  }
}
"""


def _deployment() -> dict[str, Any]:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    return find(objects(analysis.topology), "Deployment", "userservice")


def test_the_files_become_the_volumes_items_and_a_volume_without_them_mounts_every_key() -> None:
    volumes = {v["name"]: v for v in _deployment()["spec"]["template"]["spec"]["volumes"]}
    assert volumes["keys"]["secret"]["items"] == [{"key": "jwtRS256.key", "path": "privatekey"}, {"key": "jwtRS256.key.pub", "path": "publickey"}]
    assert "items" not in volumes["settings"]["configMap"]
    assert validate_core(_deployment(), NEWEST_K8S) == []


def test_the_tmp_scratch_directory_is_mounted_before_a_volume_below_it() -> None:
    (container,) = _deployment()["spec"]["template"]["spec"]["containers"]
    mounts = [(m["name"], m["mountPath"]) for m in container["volumeMounts"]]
    assert mounts == [("tmp", "/tmp"), ("keys", "/tmp/.ssh"), ("settings", "/etc/settings")]
    assert {"name": "tmp", "emptyDir": {}} in _deployment()["spec"]["template"]["spec"]["volumes"]


def test_the_prerequisites_name_the_keys_the_files_read() -> None:
    analysis = analyze_text(SPEC)
    assert analysis.plan is not None
    (secret,) = prerequisites(analysis.plan).secrets
    assert (secret.name, secret.keys, secret.any_file) == ("jwt-key", ("jwtRS256.key", "jwtRS256.key.pub"), False)


@settings(max_examples=300, deadline=None)
@given(path=st.text(alphabet="/tmp.x", max_size=12))
def test_a_mount_is_below_tmp_exactly_when_pathlib_says_so(path: str) -> None:
    # _below_tmp skips parsing a path without "tmp" in it: held to PurePosixPath, roots like "//tmp" included.
    assert workloads._below_tmp(path) == PurePosixPath(path).is_relative_to("/tmp")
