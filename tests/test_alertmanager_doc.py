"""The Alertmanager configuration the Prometheus Operator makes from the ``AlertmanagerConfig`` ORION
writes is one ``amtool check-config`` (Debian's prometheus-alertmanager) accepts.

ORION writes no raw ``alertmanager.yaml``: the operator makes it from the AlertmanagerConfig the
Alertmanager's ``spec.alertmanagerConfiguration`` names, reading the webhook URL from the receiver
Secret. :func:`operator_made_config` does what github.com/prometheus-operator/prometheus-operator
pkg/alertmanager/amcfg.go does for that object (v0.93.0): a global AlertmanagerConfig's route keeps
no namespace matcher (``initializeFromAlertmanagerConfig``), receivers are named
``<namespace>/<name>/<receiver>`` (``makeNamespacedString``), a receiver's Secret key becomes the
value of its Alertmanager field (a webhook's ``urlSecret`` its ``url``, ``convertWebhookConfig``;
PagerDuty's ``routingKey`` its ``routing_key``; Slack's ``apiURL`` its ``api_url``; Opsgenie's
``apiKey`` its ``api_key``), and the camelCase fields are Alertmanager's snake_case ones.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from orion_dsl.choices import ALERT_RECEIVERS
from orion_dsl.receivers import RECEIVERS
from tests.conftest import SEED_SPEC, topology_of
from tests.kubernetes.helpers import load, objects, of_kind

#: What the test puts in the receiver Secret's key, by the Alertmanager field it becomes.
SECRET_VALUES = {
    "url": "https://alerts.example.com/hook",
    "routing_key": "0123456789abcdef0123456789abcdef",
    "api_url": "https://hooks.slack.com/services/T0/B0/x",
    "api_key": "00000000-0000-0000-0000-000000000000",
}
SECRET_FIELDS = {r.secret_field: r.alertmanager_field for r in RECEIVERS.values()}


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def _converted(value: Any) -> Any:
    """camelCase keys to snake_case, all the way down; a receiver's Secret key to the value it holds."""
    if isinstance(value, list):
        return [_converted(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {_snake(k): _converted(v) for k, v in value.items() if k not in SECRET_FIELDS}
    out.update({SECRET_FIELDS[k]: SECRET_VALUES[SECRET_FIELDS[k]] for k in value if k in SECRET_FIELDS})
    return out


def operator_made_config(config: dict[str, Any]) -> dict[str, Any]:
    """The ``alertmanager.yaml`` the operator generates from a global AlertmanagerConfig."""
    prefix = f"{config['metadata']['namespace']}/{config['metadata']['name']}/"
    spec = _converted(config["spec"])
    spec["route"]["receiver"] = prefix + spec["route"]["receiver"]
    for receiver in spec["receivers"]:
        receiver["name"] = prefix + receiver["name"]
    return {"route": spec["route"], "receivers": spec["receivers"]}


def _seed_config(receiver: str = "pagerduty") -> dict[str, Any]:
    """The seed's operator-made configuration, with the monitoring block's receiver of that kind."""
    text = SEED_SPEC.read_text(encoding="utf-8").replace("  receiver pagerduty ", f"  receiver {receiver} ", 1)
    topology = load(SEED_SPEC) if receiver == "pagerduty" else topology_of(text, "orion.orion")
    (config,) = of_kind(objects(topology), "AlertmanagerConfig")
    return operator_made_config(config)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool (Debian package prometheus-alertmanager) is not installed")
@pytest.mark.parametrize("receiver", ALERT_RECEIVERS)
def test_amtool_accepts_the_configuration_the_operator_makes_from_orions(tmp_path: Path, receiver: str) -> None:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(_seed_config(receiver)), encoding="utf-8")
    result = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_route_sends_every_alert_to_pagerduty_with_the_key_of_the_receiver_secret() -> None:
    config = _seed_config()
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert "matchers" not in config["route"]
    assert receiver["pagerduty_configs"] == [{"send_resolved": True, "routing_key": SECRET_VALUES["routing_key"]}]
