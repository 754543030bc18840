"""Value conversions of the kubernetes backend (its doctests run in tests/test_doctests.py)."""

from __future__ import annotations

import re

import pytest

from orion_dsl.backends.kubernetes.units import cron, go_duration, prom_duration
from orion_dsl.model import Workload, label_value
from orion_dsl.pipeline import analyze_text
from orion_dsl.values import Duration, TimeOfDay

HOUR = 3_600_000


@pytest.mark.parametrize(
    ("hours", "at", "expected", "exact"),
    [
        (24, TimeOfDay(2, 0), "0 2 * * *", True),
        (24, TimeOfDay(3, 30), "30 3 * * *", True),
        (6, None, "0 */6 * * *", True),
        (6, TimeOfDay(1, 15), "15 1-23/6 * * *", True),
        (1, None, "0 * * * *", True),
        (48, TimeOfDay(1, 0), "0 1 */2 * *", False),
        (5, None, "0 */5 * * *", False),
    ],
)
def test_cron(hours: int, at: TimeOfDay | None, expected: str, exact: bool) -> None:
    assert cron(Duration(hours * HOUR, f"{hours}h"), at) == (expected, exact)


def test_minutes_cron() -> None:
    assert cron(Duration(15 * 60_000, "15m"), None) == ("*/15 * * * *", True)


def test_durations() -> None:
    assert go_duration(Duration(90 * 60_000, "90m")) == "1h30m"
    assert go_duration(Duration(0, "0s")) == "0s"
    assert prom_duration(Duration(90_000, "90s")) == "90s"
    assert prom_duration(Duration(2 * 86_400_000, "2d")) == "2d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.0.0", "1.0.0"),
        ("1.0.0+build.5", "1.0.0_build.5"),
        ("sha256:" + "0123456789abcdef" * 4, ("sha256_" + "0123456789abcdef" * 4)[:63]),
        ("-rc.1-", "rc.1"),
        ("ß", ""),
    ],
)
def test_label_value_turns_any_text_into_a_valid_label_value(text: str, expected: str) -> None:
    value = label_value(text)
    assert value == expected
    assert len(value) <= 63 and re.fullmatch(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?", value)


def test_version_of_an_image_pinned_by_digest_is_its_digest() -> None:
    digest = "sha256:" + "0" * 64
    assert workload_with_image(f"registry:5000/app@{digest}").version == digest
    assert workload_with_image(f"app:1.2@{digest}").version == "1.2"
    assert workload_with_image("registry:5000/app").version == "latest"


def workload_with_image(image: str) -> Workload:
    """The one workload of a minimal spec running ``image``."""
    topology = analyze_text(f'topology t {{ version "1" }}\nnamespace a {{ service s {{ image "{image}"; port http 80 }} }}\n').topology
    assert topology is not None
    return topology.workloads[0]
