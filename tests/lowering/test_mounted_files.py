"""The keys of a Secret mounted whole that a workload's pods name by path, whatever the image."""

from __future__ import annotations

from orion_dsl.lowering.mounted_files import named_keys
from tests.conftest import NETWORK, topology_of

SPEC = """
namespace web {
  subnet apps
  service api {
    image "shop/api:1.0"
    port http 8080
    volume secrets secret "api-secrets" at "/etc/api"
    volume nested secret "api-tls" at "/etc/api/tls"
    volume config config-map "api-config" at "/etc/config"
    env TOKEN_FILE "/etc/api/token"
    env TLS_CERT "/etc/api/tls/tls.crt"
    env SEARCH_PATH "/etc/api-extra/x:/opt/etc/api/other"
    args "--key=/etc/api/signing.key", "--config", "/etc/config/app.yaml"
    probes { liveness exec "cat", "/etc/api/health-token" }
  }
}
"""


def test_every_path_into_the_mount_names_its_first_part_and_a_deeper_mount_keeps_its_own() -> None:
    (w,) = topology_of(NETWORK + SPEC).workloads
    volumes = {v.name: v for v in w.volumes}
    assert named_keys(w, volumes["secrets"]) == ("token", "signing.key", "health-token")
    assert named_keys(w, volumes["nested"]) == ("tls.crt",)
