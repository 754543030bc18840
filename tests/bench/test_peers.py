"""The peer benchmark's Python floor: one process writes, through PyYAML's C dumper, the four objects per service it describes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "bench" / "peers.py"


def test_python_floor_writes_four_documents_per_service_admitting_three_callers(tmp_path: Path) -> None:
    out = tmp_path / "floor.yaml"
    subprocess.run([sys.executable, str(PEERS), "--child", "pyyaml-c", "5", str(out)], check=True, cwd=ROOT, timeout=120)
    documents = list(yaml.safe_load_all(out.read_text(encoding="utf-8")))
    assert [d["kind"] for d in documents[:4]] == ["Deployment", "Service", "HorizontalPodAutoscaler", "NetworkPolicy"]
    assert len(documents) == 20
    assert [p["podSelector"]["matchLabels"]["app"] for p in documents[3]["spec"]["ingress"][0]["from"]] == ["svc-1", "svc-2", "svc-3"]
