"""A pod listening below 1024 lowers its own net.ipv4.ip_unprivileged_port_start to that port: its
process is not root and has no capability, so nothing else lets it bind the port (backends/kubernetes/low_ports.py)."""

from __future__ import annotations

from typing import Any

import yaml

from orion_dsl.backends import kubernetes
from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK
from tests.support.plans import planned
from tests.support.schemas import NEWEST_K8S, validate_core

SPEC = (
    NETWORK
    + """namespace shop {
  subnet apps
  service web { image "shop/web:1.0"; port http 80; port admin 9000 }
  service dns { image "shop/dns:1.0"; port admin 8053; port dns 53/udp }
  service api { image "shop/api:1.0"; port http 80 -> 8080 }
}
"""
)


def _deployments() -> dict[str, dict[str, Any]]:
    analysis = analyze_text(SPEC)
    assert analysis.topology is not None, [d.summary for d in analysis.diagnostics]
    docs = [d for d in yaml.safe_load_all(kubernetes.render(planned(analysis.topology)).stream) if d]
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}


def test_the_lowest_port_below_1024_becomes_the_pods_unprivileged_port_start_and_a_high_port_writes_none() -> None:
    sysctls = {name: d["spec"]["template"]["spec"]["securityContext"].get("sysctls") for name, d in _deployments().items()}
    assert sysctls == {
        "web": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "80"}],
        "dns": [{"name": "net.ipv4.ip_unprivileged_port_start", "value": "53"}],
        "api": None,  # Service port 80, container port 8080
    }


def test_the_pod_with_the_sysctl_is_a_valid_pod_template() -> None:
    assert validate_core(_deployments()["web"], NEWEST_K8S) == []
