"""The Alertmanager configuration the Prometheus Operator makes from the ``AlertmanagerConfig`` ORION
writes is one ``amtool check-config`` (Debian's prometheus-alertmanager) accepts.

ORION writes no raw ``alertmanager.yaml``: the operator makes it from the AlertmanagerConfig the
Alertmanager's ``spec.alertmanagerConfiguration`` names, reading the webhook URL from the receiver
Secret. :func:`operator_made_config` does what github.com/prometheus-operator/prometheus-operator
pkg/alertmanager/amcfg.go does for that object (v0.93.0): a global AlertmanagerConfig's route keeps
no namespace matcher (``initializeFromAlertmanagerConfig``), receivers are named
``<namespace>/<name>/<receiver>`` (``makeNamespacedString``), a webhook's ``urlSecret`` becomes its
``url`` (``convertWebhookConfig``), and the camelCase fields are Alertmanager's snake_case ones.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import SEED_SPEC
from tests.kubernetes.helpers import load, objects, of_kind

#: What the test puts in the receiver Secret's ``url`` key.
WEBHOOK = "https://alerts.example.com/hook"


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()


def _converted(value: Any) -> Any:
    """camelCase keys to snake_case, all the way down; a ``urlSecret`` to the URL it holds."""
    if isinstance(value, list):
        return [_converted(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = {_snake(k): _converted(v) for k, v in value.items() if k != "urlSecret"}
    if "urlSecret" in value:
        out["url"] = WEBHOOK
    return out


def operator_made_config(config: dict[str, Any]) -> dict[str, Any]:
    """The ``alertmanager.yaml`` the operator generates from a global AlertmanagerConfig."""
    prefix = f"{config['metadata']['namespace']}/{config['metadata']['name']}/"
    spec = _converted(config["spec"])
    spec["route"]["receiver"] = prefix + spec["route"]["receiver"]
    for receiver in spec["receivers"]:
        receiver["name"] = prefix + receiver["name"]
    return {"route": spec["route"], "receivers": spec["receivers"]}


def _seed_config() -> dict[str, Any]:
    (config,) = of_kind(objects(load(SEED_SPEC)), "AlertmanagerConfig")
    return operator_made_config(config)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool (Debian package prometheus-alertmanager) is not installed")
def test_amtool_accepts_the_configuration_the_operator_makes_from_orions(tmp_path: Path) -> None:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(_seed_config()), encoding="utf-8")
    result = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_route_sends_every_alert_to_the_webhook_of_the_receiver_secret() -> None:
    config = _seed_config()
    (receiver,) = config["receivers"]
    assert config["route"]["receiver"] == receiver["name"]
    assert "matchers" not in config["route"]
    assert receiver["webhook_configs"] == [{"send_resolved": True, "url": WEBHOOK}]
