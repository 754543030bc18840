"""Layout hints the DOT emitter adds so that newrank draws small views as compactly as the old ranker."""

from __future__ import annotations

from tests.diagrams.dotdata import edges
from tests.support.renderers import dot_json


def _y(dot_text: str, node: str) -> float:
    doc = dot_json(dot_text)
    count = int(doc.get("_subgraph_cnt", 0))
    found = next(o for o in doc["objects"][count:] if o["name"] == node)
    return float(str(found["pos"]).split(",")[1])


def test_a_node_no_arrow_orders_sits_on_the_rank_of_its_cluster_sibling(seed_files: dict[str, str]) -> None:
    # The dashboard has no arrow of its own in the network view (its scrape reaches the subnet).
    network = seed_files["diagrams/network.dot"]
    assert _y(network, "wl_dashboard") == _y(network, "wl_admin_ui")


def test_an_objective_pointing_at_what_it_covers_does_not_order_the_layout(seed_files: dict[str, str]) -> None:
    covers = [e for es in edges(seed_files["diagrams/disaster-recovery.dot"]).values() for e in es if e.get("label") == "covers"]
    assert covers and all(e.get("constraint") == "false" for e in covers)


def test_peers_in_a_cluster_share_one_rank(seed_files: dict[str, str]) -> None:
    # No arrow joins two allow-listed externals: they stand in one row, as the old ranker drew them.
    view = seed_files["diagrams/ingress-egress.dot"]
    assert len({_y(view, node) for node in ("ext_s3", "ext_sentry", "ext_datadog")}) == 1
