"""Fixtures shared by the Kubernetes backend's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SEED_SPEC

from .helpers import REPO_ROOT, load, objects

#: The specs with a monitoring block: the seed and the monitoring example.
MONITORING_SPECS = [SEED_SPEC, REPO_ROOT / "examples" / "monitoring.orion"]


@pytest.fixture(scope="module", params=MONITORING_SPECS, ids=["seed", "monitoring"])
def monitoring_spec(request: pytest.FixtureRequest) -> Path:
    """Each spec with a monitoring block."""
    path: Path = request.param
    return path


@pytest.fixture(scope="module")
def monitoring_objs(monitoring_spec: Path) -> list[dict[str, Any]]:
    """The Kubernetes objects of a spec with a monitoring block."""
    return objects(load(monitoring_spec))
