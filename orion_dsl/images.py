"""Facts about the images ORION writes configuration for without an operator: Grafana (the monitoring
block's ``dashboards``) and Loki (its ``logging``), and the log shipper (Grafana Alloy). Each names
its source; the image contract of ``tests/kubernetes/test_image_contract.py`` holds the output to
the upstream facts.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class ImageFacts:
    """Where an image reads its configuration and where it writes."""

    runs: str
    #: The directory ORION's ConfigMap is mounted at, and the file in it the image reads.
    config_dir: str
    config_file: str
    #: The directory the process writes its data to (a volume: the root stays read-only).
    data_dir: str
    source: str


#: grafana.com/docs/grafana/latest/setup-grafana/configure-docker (default paths: GF_PATHS_DATA
#: /var/lib/grafana, GF_PATHS_LOGS /var/log/grafana, GF_PATHS_PROVISIONING /etc/grafana/provisioning;
#: ``GF_<SECTION>_<KEY>__FILE`` reads a setting from a file). The image's user is 472, but it runs
#: as any user that can write its data and log directories (volumes here).
GRAFANA = ImageFacts(
    runs="Grafana",
    config_dir="/etc/grafana/provisioning/datasources",
    config_file="datasources.yaml",
    data_dir="/var/lib/grafana",
    source="grafana.com/docs/grafana/latest/setup-grafana/configure-docker",
)

#: Grafana's log directory: file logging is on by default, so it must be writable too.
GRAFANA_LOGS = "/var/log/grafana"
#: The environment variable naming the file that holds Grafana's admin password.
GRAFANA_ADMIN_PASSWORD_FILE = "GF_SECURITY_ADMIN_PASSWORD__FILE"

#: github.com/grafana/loki@0230065a10abdce767a9c3b84a9e43cdf61a1b87 cmd/loki/Dockerfile:
#: ``CMD ["-config.file=/etc/loki/local-config.yaml"]``, ``USER 10001``, /loki owned by it, EXPOSE 3100.
LOKI = ImageFacts(
    runs="Loki",
    config_dir="/etc/loki",
    config_file="local-config.yaml",
    data_dir="/loki",
    source="github.com/grafana/loki cmd/loki/Dockerfile",
)
#: Loki's HTTP port (its API, /ready and /metrics).
LOKI_HTTP = 3100

#: github.com/grafana/alloy@ea30b1f7f5a1e46c647a5a62ee6a4579a8423b21 Dockerfile: ``ENTRYPOINT ["/bin/alloy"]``,
#: ``CMD ["run", "/etc/alloy/config.alloy", "--storage.path=/var/lib/alloy/data"]``, runs as root (the
#: ``alloy`` user 473 exists "but is not the default"). The HTTP server (UI, /metrics, /-/ready) listens on
#: 127.0.0.1:12345 unless ``--server.http.listen-addr`` says otherwise (grafana.com/docs/alloy/latest/
#: reference/cli/run). The tag is the latest release, v1.21.2 (2026-10-22, github.com/grafana/alloy/releases).
ALLOY = ImageFacts(
    runs="Grafana Alloy",
    config_dir="/etc/alloy",
    config_file="config.alloy",
    data_dir="/var/lib/alloy/data",
    source="github.com/grafana/alloy Dockerfile",
)
ALLOY_IMAGE = "grafana/alloy:v1.21.2"
#: Alloy's HTTP port (its UI, /metrics and /-/ready).
ALLOY_HTTP = 12345
#: Where the kubelet writes every container's log (``<namespace>_<pod>_<uid>/<container>/<n>.log``).
POD_LOGS = "/var/log/pods"
