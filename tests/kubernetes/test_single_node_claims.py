"""A Deployment whose pods mount a claim that attaches to one node (read-write-once) or one pod
(read-write-once-pod) is recreated on a rollout: a rolling update's surge pod would mount the old pod's
claim (Multi-Attach on another node, two servers writing one directory on the same), so it is ORION's
default there; a stated rolling update with a surge is E0219, one without a surge is kept.
kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes,
kubernetes.io/docs/concepts/workloads/controllers/deployment/#recreate-deployment."""

from __future__ import annotations

import pytest

from orion_dsl.pipeline import analyze_text
from tests.conftest import NETWORK, topology_of

from .helpers import find, objects

CACHE = """
namespace data {
  subnet apps
  service cache {
    image "redis:7.2-alpine"
    port redis 6379
    STORAGE
    ROLLOUT
  }
}
"""


def _strategy(storage: str, rollout: str = "") -> object:
    topology = topology_of(NETWORK + CACHE.replace("STORAGE", storage).replace("ROLLOUT", rollout))
    return find(objects(topology), "Deployment", "cache", "data")["spec"]["strategy"]


@pytest.mark.parametrize("access", ["", "access read-write-once", "access read-write-once-pod"])
def test_a_deployment_with_a_single_node_claim_is_recreated(access: str) -> None:
    assert _strategy(f'storage data 5Gi {access} at "/data"') == {"type": "Recreate"}


def test_a_deployment_with_a_shared_claim_or_none_rolls() -> None:
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    assert _strategy('storage data 5Gi access read-write-many at "/data"') == rolling
    assert _strategy("") == rolling


def test_a_stated_rolling_update_without_a_surge_is_kept() -> None:
    rolling = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
    assert _strategy('storage data 5Gi at "/data"', "rollout rolling { surge 0; unavailable 1 }") == rolling


def test_a_stated_rolling_update_with_a_surge_is_refused() -> None:
    spec = NETWORK + CACHE.replace("STORAGE", 'storage data 5Gi at "/data"').replace("ROLLOUT", "rollout rolling")
    (found,) = [d for d in analyze_text(spec, "cache.orion").diagnostics if d.code == "E0219"]
    assert "starts a new pod beside the old one (surge 1)" in found.summary
