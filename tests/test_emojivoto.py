"""examples/emojivoto.orion against Linkerd's emojivoto manifests, fact by fact.

The upstream facts are written out here from BuoyantIO/emojivoto: kustomize/deployment/emoji.yml,
voting.yml and web.yml (commit 0054a564d8abff9afc7991ffb626e562ba1ab90a) and training/traffic-split/
web-svc-2.yml and 75-25.yml (commit c8a51d8fd923ba172d1d873853fc793e6eaf71c2). The example's header
comment lists every deliberate difference; the upstream Deployment names differ from ORION's
(``emoji`` -> ``emoji-svc``, ``web`` and ``web-svc-2`` -> ``web-svc-v1`` and ``web-svc-v2``).
"""

from __future__ import annotations

import functools
from typing import Any

from tests.support.authz import Request, decide
from tests.support.netpol import Pod, allowed_pairs
from tests.support.ported import example, example_objects, named_objects

NAMESPACE = "emojivoto"
#: Upstream Deployment -> ORION's, with (image, replicas, CPU request, environment) as upstream states them.
DEPLOYMENTS: dict[str, tuple[str, str, int, str, dict[str, str]]] = {
    "emoji": ("emoji-svc", "buoyantio/emojivoto-emoji-svc:v8", 1, "100m", {"GRPC_PORT": "8080"}),
    "voting": ("voting-svc", "buoyantio/emojivoto-voting-svc:v8", 1, "100m", {"GRPC_PORT": "8080"}),
    "web": (
        "web-svc-v1",
        "buoyantio/emojivoto-web:v8",
        1,
        "100m",
        {
            "WEB_PORT": "8080",
            "EMOJISVC_HOST": "emoji-svc.emojivoto:8080",
            "VOTINGSVC_HOST": "voting-svc.emojivoto:8080",
            "INDEX_BUNDLE": "dist/index_bundle.js",
        },
    ),
    # kustomize/deployment/vote-bot.yml: the web image with its own command
    "vote-bot": ("vote-bot", "buoyantio/emojivoto-web:v8", 1, "10m", {"WEB_HOST": "web-svc.emojivoto:80"}),
}
#: Upstream containers with a command of their own.
COMMANDS = {"vote-bot": ["emojivoto-vote-bot"]}
#: web-svc-2.yml's image, and the variable it adds to web.yml's.
WEB_V2_IMAGE = "buoyantio/emojivoto-web:lf-training"
WEB_V2_ENV = {"MESSAGE_OF_THE_DAY": "Welcome to version 2! Now with more words!"}
#: Upstream Services: name -> {port name: (port, container port)}.
SERVICES = {"emoji-svc": {"grpc": (8080, 8080)}, "voting-svc": {"grpc": (8080, 8080)}, "web-svc": {"http": (80, 8080)}}
#: The calls web makes (its EMOJISVC_HOST and VOTINGSVC_HOST), as (caller, callee, container port).
CALLS = {("web-svc", "emoji-svc", 8080), ("web-svc", "voting-svc", 8080), ("vote-bot", "web-svc", 8080)}
#: 75-25.yml: web-svc 250m, web-svc-2 750m of the apex's traffic.
WEIGHTS = {"v1": 25, "v2": 75}


_topology = functools.partial(example, "emojivoto")
_objects = functools.partial(example_objects, "emojivoto")
_of = functools.partial(named_objects, "emojivoto", NAMESPACE)


def _main(deployment: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = deployment["spec"]["template"]["spec"]["containers"][0]
    return container


def test_every_upstream_deployment_is_there_with_its_image_replicas_cpu_request_and_environment() -> None:
    deployments = _of("Deployment")
    assert set(deployments) == {"emoji-svc", "voting-svc", "web-svc-v1", "web-svc-v2", "vote-bot"}
    for ours, image, replicas, cpu, env in DEPLOYMENTS.values():
        main = _main(deployments[ours])
        assert (main["image"], deployments[ours]["spec"]["replicas"], main["resources"]["requests"]["cpu"]) == (image, replicas, cpu)
        assert {e["name"]: e["value"] for e in main["env"]} == env
        assert main.get("command") == COMMANDS.get(ours)


def test_the_second_web_version_runs_the_training_image_with_the_first_ones_environment_and_its_own_message() -> None:
    deployments = _of("Deployment")
    v1, v2 = _main(deployments["web-svc-v1"]), _main(deployments["web-svc-v2"])
    assert v2["image"] == WEB_V2_IMAGE
    assert {e["name"]: e["value"] for e in v2["env"]} == {e["name"]: e["value"] for e in v1["env"]} | WEB_V2_ENV


def test_every_upstream_service_is_there_with_its_ports_and_container_ports() -> None:
    services = _of("Service")
    assert set(services) == set(SERVICES)
    for name, ports in SERVICES.items():
        selected = [d for d in _of("Deployment").values() if services[name]["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        numbers = {p["name"]: p["containerPort"] for d in selected for p in _main(d)["ports"]}
        assert {p["name"]: (p["port"], numbers[p["targetPort"]]) for p in services[name]["spec"]["ports"]} == ports


def _pods() -> list[Pod]:
    return [
        Pod(NAMESPACE, name, d["spec"]["template"]["metadata"]["labels"], {p["name"]: (p["containerPort"], p["protocol"]) for p in _main(d).get("ports", [])})
        for name, d in _of("Deployment").items()
    ]


def test_the_network_policies_open_exactly_the_upstream_call_graph_for_both_web_versions() -> None:
    policies = [o for o in _objects() if o["kind"] == "NetworkPolicy"]
    pairs = {(src.split("/")[1], dst.split("/")[1], port) for src, dst, port, _ in allowed_pairs(_pods(), {}, policies)}
    pods = {"web-svc": [f"web-svc-{v}" for v in WEIGHTS]}  # both versions' pods
    expected = {(src, dst, port) for caller, callee, port in CALLS for src in pods.get(caller, [caller]) for dst in pods.get(callee, [callee])}
    assert pairs == expected


def test_the_authorization_policies_admit_web_and_only_web_to_emoji_and_voting() -> None:
    for callee in ("emoji-svc", "voting-svc"):
        pods = _of("Deployment")[callee]["spec"]["template"]["metadata"]["labels"]
        for caller in ("web-svc", "emoji-svc", "voting-svc", "vote-bot"):
            request = Request(f"cluster.local/ns/{NAMESPACE}/sa/{caller}", None, NAMESPACE, pods, 8080)
            assert decide(_objects(), request) == ((caller, callee, 8080) in CALLS), (caller, callee)


def test_only_the_vote_bot_which_has_no_port_and_no_probes_tells_the_scanner_to_skip_the_probe_checks() -> None:
    skipped = {
        name: sorted(v.split("=", 1)[0] for k, v in d["metadata"].get("annotations", {}).items() if k.startswith("checkov.io/skip"))
        for name, d in _of("Deployment").items()
    }
    assert skipped == {"emoji-svc": [], "voting-svc": [], "web-svc-v1": [], "web-svc-v2": [], "vote-bot": ["CKV_K8S_8", "CKV_K8S_9"]}
    assert "livenessProbe" not in _main(_of("Deployment")["vote-bot"])


def test_the_authorization_policy_admits_the_vote_bot_to_the_web_service() -> None:
    pods = _of("Deployment")["web-svc-v1"]["spec"]["template"]["metadata"]["labels"]
    assert decide(_objects(), Request(f"cluster.local/ns/{NAMESPACE}/sa/vote-bot", None, NAMESPACE, pods, 8080))
    assert not decide(_objects(), Request(f"cluster.local/ns/{NAMESPACE}/sa/emoji-svc", None, NAMESPACE, pods, 8080))


def test_the_web_service_splits_its_calls_between_the_versions_as_the_traffic_split_does() -> None:
    (route,) = _of("VirtualService")["web-svc"]["spec"]["http"]
    assert {d["destination"]["subset"]: d["weight"] for d in route["route"]} == WEIGHTS
    subsets = {s["name"]: s["labels"]["app.kubernetes.io/version"] for s in _of("DestinationRule")["web-svc"]["spec"]["subsets"]}
    assert subsets == {"v1": "v1", "v2": "v2"}
