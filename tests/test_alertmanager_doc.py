"""The Alertmanager configuration docs/LANGUAGE.md offers for the Secret ``alertmanager-<name>`` is one
``amtool check-config`` accepts (ORION writes no Secret, so the receivers are the cluster's)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

LANGUAGE = Path(__file__).resolve().parent.parent / "docs" / "LANGUAGE.md"


def _offered() -> str:
    text = LANGUAGE.read_text(encoding="utf-8")
    (block,) = re.findall(r"alertmanager\.yaml`\):\n\n```yaml\n(.*?)```", text, flags=re.S)
    return str(block)


@pytest.mark.skipif(shutil.which("amtool") is None, reason="amtool (Debian package prometheus-alertmanager) is not installed")
def test_amtool_accepts_the_alertmanager_configuration_the_docs_offer(tmp_path: Path) -> None:
    path = tmp_path / "alertmanager.yaml"
    path.write_text(_offered(), encoding="utf-8")
    result = subprocess.run(["amtool", "check-config", str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_offered_configuration_routes_to_a_receiver_it_defines() -> None:
    config = yaml.safe_load(_offered())
    assert config["route"]["receiver"] in {r["name"] for r in config["receivers"]}
