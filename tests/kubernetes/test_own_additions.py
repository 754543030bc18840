"""What ORION adds on its own, named by issue 14, is in docs/LANGUAGE.md's table "What ORION adds on its own", is in
the output by default, and the way the table gives to turn it off does: the /tmp emptyDir, imagePullPolicy, the
prometheus.io annotations (Pod Security and the LimitRange: test_namespace_switches.py). The namespace's default-deny
NetworkPolicy has no off switch by design: `calls`, `allow` and `internet allow` open what is needed."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orion_dsl.pipeline import analyze_text
from tests.conftest import ROOT, topology_of

from .helpers import find, main_container, objects

SPEC = """
topology t {{ version "1.0.0" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
monitoring {{ scraper prom; scrape annotated }}
namespace shop {{
  subnet apps
  statefulset prom {{ engine prometheus-operator; image "quay.io/prometheus/prometheus:v3.5.0"; port web 9090; storage data 1Gi at "/prometheus" }}
  service web {{ image "shop/web:1.0"; port http 8080; port metrics 9100; {web} }}
}}
"""


def _web(web: str = "") -> dict[str, Any]:
    return find(objects(topology_of(SPEC.format(web=web))), "Deployment", "web")


@pytest.mark.parametrize(
    "item",
    ["An `emptyDir` volume named `tmp` at `/tmp`", "`imagePullPolicy: IfNotPresent`", "A NetworkPolicy `default-deny`", "A LimitRange `defaults`",
     "Pod Security `restricted`", "`prometheus.io/scrape`"],
)  # fmt: skip
def test_the_table_of_what_orion_adds_names_it(item: str) -> None:
    assert _row(item)


def _row(item: str) -> list[str]:
    """The cells of the row of "What ORION adds on its own" that starts with ``item``: what, where, why, how to turn it off."""
    table = (ROOT / "docs" / "LANGUAGE.md").read_text(encoding="utf-8").split("### What ORION adds on its own", 1)[1].split("\n## ", 1)[0]
    (line,) = [line for line in table.splitlines() if line.startswith(f"| {item}")]
    return [cell.strip() for cell in line.strip("|").split(" | ")]


QUOTA = """
topology t {{ version "1.0.0" }}
network {{ default deny; subnet apps 10.0.1.0/24 }}
namespace shop {{
  subnet apps
  {switch}
  defaults {{ quota {{ cpu 4; memory 8Gi }} }}
  service web {{ image "shop/web:1.0"; port http 8080; {resources} }}
}}
"""


def _codes(switch: str, resources: str) -> set[str]:
    found = analyze_text(QUOTA.format(switch=switch, resources=resources)).diagnostics
    return {d.code for d in found if d.code in CODES_OF_RESOURCES}


#: The codes the rows of the LimitRange and of the default resources may name for what their switches cost.
CODES_OF_RESOURCES = {"E0221", "W0308", "W0317"}


def test_the_limit_range_and_resources_rows_name_the_codes_a_quota_gives_when_they_are_turned_off() -> None:
    """The rows once said a `quota` never refuses containers without resources, which `limit_range off` made wrong:
    each row's codes are held to what `check` reports (quota admission refuses a pod whose containers state no
    request or limit of what it counts: kubernetes.io/docs/concepts/policy/resource-quotas)."""
    limit_range, resources = _row("A LimitRange `defaults`"), _row("Requests and limits")
    assert set(re.findall(r"[EW]\d{4}", limit_range[3])) == _codes("limit_range off", "resources none") == {"E0221", "W0317"}
    assert set(re.findall(r"[EW]\d{4}", resources[3])) == _codes("limit_range off", "resources none") | _codes("", "resources none")
    assert _codes("", "resources none") == {"W0308"} and _codes("limit_range off", "") == {"W0317"}
    assert "never" not in limit_range[2] and "`limit_range off`" in limit_range[3] and "`limit_range off`" in resources[3]


def test_the_tmp_empty_dir_is_left_out_when_the_spec_mounts_its_own_volume_at_tmp() -> None:
    default, own = _web(), _web('volume scratch empty-dir at "/tmp"')
    assert {"name": "tmp", "emptyDir": {}} in default["spec"]["template"]["spec"]["volumes"]
    assert [v["name"] for v in own["spec"]["template"]["spec"]["volumes"]] == ["scratch"]
    assert [(m["name"], m["mountPath"]) for m in main_container(own)["volumeMounts"]] == [("scratch", "/tmp")]


def test_a_tag_is_pulled_always_unless_the_spec_states_its_pull_policy() -> None:
    assert main_container(_web())["imagePullPolicy"] == "Always"
    assert main_container(_web("image_pull_policy if-not-present"))["imagePullPolicy"] == "IfNotPresent"


def test_scrape_annotations_are_written_only_for_a_workload_the_spec_scrapes() -> None:
    scraped = _web("scrape on")["spec"]["template"]["metadata"].get("annotations", {})
    assert {k: v for k, v in scraped.items() if k.startswith("prometheus.io/")} == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9100",
        "prometheus.io/path": "/metrics",
    }
    assert not any(k.startswith("prometheus.io/") for k in _web()["spec"]["template"]["metadata"].get("annotations", {}))
