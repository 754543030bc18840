"""Deployments, StatefulSets, their pod templates and the PersistentVolumeClaims of Deployments.

Every pod meets the Pod Security Standard ``restricted``: non-root with the model's UID/GID
(>= 10000), ``seccompProfile: RuntimeDefault``, no privilege escalation, all capabilities
dropped, a read-only root filesystem with an ``emptyDir`` at ``/tmp`` (plus the model's
scratch volumes) for writable paths, and requests and limits on every container. A pod listening
below port 1024 lowers its own ``net.ipv4.ip_unprivileged_port_start`` to that port (:mod:`.low_ports`).

The main container gets the model's probes (liveness and startup with ``successThreshold: 1``,
as Kubernetes requires); a sidecar with a port gets TCP liveness and readiness checks on its
first port with the same timing (the model states no probes for sidecars). A workload without
probes gets TCP liveness and readiness checks on its first port, and diagnostic I1071 says so.

Init containers run with the main container's security context, resources and mounts. Variables come
from strings, Secret and ConfigMap keys (never optional), ``env_from`` and Service addresses
(:func:`~.services.service_address`); a workload whose spec reads a Secret into the environment
carries checkov's skip annotation for CKV_K8S_35, with the reason (:func:`scanner_annotations`).

A blue-green workload becomes two Deployments, ``<name>-blue`` and ``<name>-green``, each
labelled with its version and ``orion.dev/colour``; both keep ``replicas`` (the idle colour is
warm for an instant switch back) and the Service selects the active version. A colour runs the
image the spec names for it, else the workload's image with the colour's version as its tag.

A service with versions becomes one Deployment per version, ``<name>-<version>``, running the
version's image exactly as written and its replicas, its pods labelled ``app.kubernetes.io/version:
<version>`` (Istio reads a workload's version from ``service.istio.io/canonical-revision``, then
``app.kubernetes.io/version``, then ``version``: istio.io/latest/docs/ops/deployment/application-requirements/);
the Service selects every version.

A Deployment or StatefulSet scaled by an HPA leaves ``spec.replicas`` out (as the Kubernetes
HPA documentation advises): otherwise every ``kubectl apply`` resets the HPA's count to the
spec's. The HPA's ``minReplicas`` holds the spec's floor. Of a blue-green pair the HPA scales
the active colour, which therefore leaves ``replicas`` out too; the idle colour keeps
``replicas`` (the spec's count), so it stays warm for a switch. A switch moves the field: the
new active colour's ``replicas`` is handed to the HPA (kubernetes.io "Migrating Deployments and
StatefulSets to horizontal autoscaling": with client-side apply, first remove
``spec.replicas`` from its last-applied configuration, or the apply drops the count to 1
until the HPA restores its floor).
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import attrs

from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Check, Container, Probes, Storage, Topology, Workload, default_pull_policy

from . import meta, placement, postgres_server
from .low_ports import low_port_sysctls
from .meta import Builder, Obj
from .services import service_address
from .units import ACCESS_MODES, PULL_POLICIES

TMP = "tmp"
#: The checkov check a workload fails where the spec itself reads a Secret into the environment
#: (``env NAME secret ...``, ``env_from secret ...``): skipped on that workload alone, with the reason
#: (checkov's ``checkov.io/skip<n>`` annotation), so it still guards every other object.
SECRET_ENV_SKIP = ("CKV_K8S_35", "the spec reads Secret keys as environment variables (env NAME secret, env_from secret)")
#: Likewise the liveness and readiness checks of a workload the spec gives none: it has no port for
#: ORION's TCP checks and states no `probes` (a worker, a bot), or says `probes none` (W0308).
#: Likewise the mounted API token of a workload the spec lets talk to the Kubernetes API.
API_TOKEN_SKIP = ("CKV_K8S_38", "the spec mounts the ServiceAccount token: the workload talks to the Kubernetes API (kubernetes_api on)")
PROBELESS_SKIPS = tuple(
    (check, "the spec gives this workload no health check: no probes and no port for TCP checks, or probes none") for check in ("CKV_K8S_8", "CKV_K8S_9")
)


def scanner_annotations(w: Workload, part: object = None) -> dict[str, str]:
    """The security scanner's skip annotations (checkov's ``checkov.io/skip<n>``) for what the spec itself
    decides on one workload (or one version of it, ``part``): a Secret read into its environment, no health
    checks, a mounted API token."""
    skips = []
    if w.security.service_account_token:
        skips.append(API_TOKEN_SKIP)
    if any(v.source_kind == "secret" for c in (main_container(w, part), *w.init_containers) for v in c.env) or any(e.kind == "secret" for e in w.env_from):
        skips.append(SECRET_ENV_SKIP)
    checks = _probes(w)
    skips += [skip for skip, probe in zip(PROBELESS_SKIPS, ("livenessProbe", "readinessProbe"), strict=True) if probe not in checks]
    return {f"checkov.io/skip{i}": f"{check}={why}" for i, (check, why) in enumerate(skips, start=1)}


def _check(check: Check) -> dict[str, Any]:
    """A check's handler; a gRPC check names its port by number (GRPCAction.port is an int32, not a port's name)."""
    if check.kind == "http":
        assert check.port is not None
        headers = {"httpHeaders": [{"name": n, "value": v} for n, v in check.headers]} if check.headers else {}
        return {"httpGet": {"path": check.path or "/", "port": check.port.name, "scheme": "HTTP", **headers}}
    if check.kind == "tcp":
        assert check.port is not None
        return {"tcpSocket": {"port": check.port.name}}
    if check.kind == "grpc":
        assert check.port is not None
        return {"grpc": {"port": check.port.number, **({"service": check.service} if check.service is not None else {})}}
    return {"exec": {"command": list(check.command)}}


def _tcp_probes(c: Container, period: int = 10, timeout: int = 5, failures: int = 3) -> dict[str, Any]:
    """TCP liveness and readiness checks on the container's first port (none without a port)."""
    if not c.ports:
        return {}
    timing = {"periodSeconds": period, "timeoutSeconds": timeout, "failureThreshold": failures, "successThreshold": 1}
    check = {"tcpSocket": {"port": c.ports[0].name}}
    return {"livenessProbe": {**check, **timing}, "readinessProbe": {**check, **timing}}


def _probes(w: Workload) -> dict[str, Any]:
    p = w.probes
    if p is None:
        return _tcp_probes(w.container)
    if p.none:  # `probes none`: no checks at all
        return {}
    out: dict[str, Any] = {}
    if p.liveness is not None:
        out["livenessProbe"] = {**_check(p.liveness), **_timing(p, p.liveness), "successThreshold": 1}
    if p.readiness is not None:
        out["readinessProbe"] = {**_check(p.readiness), **_timing(p, p.readiness), "successThreshold": p.success_threshold}
    if p.startup is not None:
        out["startupProbe"] = {**_check(p.startup), **_timing(p, p.startup), "successThreshold": 1}
    return out


def _timing(p: Probes, c: Check) -> dict[str, Any]:
    """A check's period, timeout, failure threshold and initial delay: its own, else the workload's shared ones."""
    interval, timeout, initial_delay, failure_threshold = p.timing_of(c)
    timing: dict[str, Any] = {"periodSeconds": interval.seconds, "timeoutSeconds": timeout.seconds, "failureThreshold": failure_threshold}
    if initial_delay is not None:
        timing["initialDelaySeconds"] = initial_delay.seconds
    return timing


def _sidecar_probes(w: Workload, c: Container) -> dict[str, Any]:
    """A sidecar with a port gets TCP liveness and readiness checks on it, with the pod's timing."""
    p = w.probes
    if p is not None and p.none:
        return {}
    return _tcp_probes(c) if p is None else _tcp_probes(c, p.interval.seconds, p.timeout.seconds, p.failure_threshold)


def container_security(w: Workload) -> dict[str, Any]:
    """The restricted container securityContext."""
    return {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "privileged": False,
        "readOnlyRootFilesystem": w.security.read_only_root,
        "runAsNonRoot": True,
        "runAsUser": w.security.user,
        "runAsGroup": w.security.group,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_security(w: Workload) -> dict[str, Any]:
    """The restricted pod securityContext."""
    return {
        "runAsNonRoot": True,
        "runAsUser": w.security.user,
        "runAsGroup": w.security.group,
        "fsGroup": w.security.group,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def resources(c: Container) -> dict[str, Any]:
    """Requests and limits as written in the spec (none for ``resources none``: the namespace's LimitRange
    gives the container its defaults at admission)."""
    r = c.resources
    if r.none:
        return {}
    return {
        "requests": {"cpu": r.cpu_request.text, "memory": r.memory_request.text},
        "limits": {"cpu": r.cpu_limit.text, "memory": r.memory_limit.text},
    }


def _below_tmp(mount_path: str) -> bool:
    """Whether a mount lies at or below /tmp: never without ``tmp`` in its text, so most paths are not parsed."""
    return "tmp" in mount_path and PurePosixPath(mount_path).is_relative_to("/tmp")


def _needs_tmp(w: Workload) -> bool:
    return not any(v.mount_path == "/tmp" for v in w.volumes) and not any(s.mount_path == "/tmp" for s in w.storage)


def _env(plan: Plan, c: Container) -> list[dict[str, Any]]:
    """A container's variables: literal values, keys of Secrets and ConfigMaps (never optional: a pod whose
    key is missing does not start, instead of running without it) and Service addresses."""
    out: list[dict[str, Any]] = []
    for var in c.env:
        if var.address is not None:
            out.append({"name": var.name, "value": service_address(plan, *var.address)})
        elif var.source_kind is not None:
            ref = "secretKeyRef" if var.source_kind == "secret" else "configMapKeyRef"
            out.append({"name": var.name, "valueFrom": {ref: {"name": var.source, "key": var.key, "optional": False}}})
        else:
            out.append({"name": var.name, "value": var.value})
    return out


def _env_from(w: Workload) -> list[dict[str, Any]]:
    """Every key of the workload's ``env_from`` Secrets and ConfigMaps as variables of the main container."""
    return [{"secretRef" if e.kind == "secret" else "configMapRef": {"name": e.source, "optional": False}} for e in w.env_from]


def _process(plan: Plan, c: Container, image: str) -> dict[str, Any]:
    """What any container of the pod runs: its name, image (pulled by its policy), command, arguments and variables."""
    out: dict[str, Any] = {"name": c.name, "image": image, "imagePullPolicy": PULL_POLICIES[c.pull_policy or default_pull_policy(image)]}
    if c.command:
        out["command"] = list(c.command)
    if c.args:
        out["args"] = list(c.args)
    env = _env(plan, c)
    if env:
        out["env"] = env
    return out


def _mounts(w: Workload) -> list[dict[str, Any]]:
    """The workload's volumes and storage, and the /tmp scratch directory unless one of them is mounted there:
    first when one of them lies below /tmp (``/tmp/.ssh``), so the list reads in the order the runtime mounts them."""
    mounts: list[dict[str, Any]] = [{"name": v.name, "mountPath": v.mount_path, "readOnly": v.read_only} for v in w.volumes]
    mounts += [{"name": s.name, "mountPath": s.mount_path} for s in w.storage]
    mounts += postgres_server.mounts(w)
    if _needs_tmp(w):
        below = any(_below_tmp(m["mountPath"]) for m in mounts)
        mounts.insert(0 if below else len(mounts), {"name": TMP, "mountPath": "/tmp"})
    return mounts


def _container(plan: Plan, w: Workload, c: Container, image: str, main: bool) -> dict[str, Any]:
    out = _process(plan, c, image)
    if main and w.env_from:
        out["envFrom"] = _env_from(w)
    if main and (server := postgres_server.args(w)):
        out["args"] = [*out.get("args", []), *server]
    if c.ports:
        out["ports"] = [{"name": p.name, "containerPort": p.number, "protocol": p.protocol} for p in c.ports]
    if not c.resources.none:
        out["resources"] = resources(c)
    out["securityContext"] = container_security(w)
    if main:
        out.update(_probes(w))
        mounts = _mounts(w)
    else:
        out.update(_sidecar_probes(w, c))
        mounts = [{"name": TMP, "mountPath": "/tmp"}] if _needs_tmp(w) else []
    if mounts:
        out["volumeMounts"] = mounts
    return out


def _init_container(plan: Plan, w: Workload, c: Container) -> dict[str, Any]:
    """An init container, hardened as the main container is (the same security context, requests and
    limits) and mounting what it mounts, so it can prepare the files the main container reads."""
    out = {**_process(plan, c, c.image), "resources": resources(c), "securityContext": container_security(w)}
    mounts = _mounts(w)
    if mounts:
        out["volumeMounts"] = mounts
    return out


def _volumes(plan: Plan, w: Workload) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for v in w.volumes:
        items = {"items": [{"key": f.key, "path": f.path} for f in v.files]} if v.files else {}
        if v.kind == "config-map":
            out.append({"name": v.name, "configMap": {"name": v.source, "optional": False, **items}})
        elif v.kind == "secret":
            out.append({"name": v.name, "secret": {"secretName": v.source, "optional": False, **items}})
        else:
            out.append({"name": v.name, "emptyDir": {}})
    out += postgres_server.volumes(w)
    if w.kind == "deployment":
        out += [{"name": s.name, "persistentVolumeClaim": {"claimName": plan.get(Role.CLAIM, w, s.name).name}} for s in w.storage]
    if _needs_tmp(w):
        out.append({"name": TMP, "emptyDir": {}})
    return out


def pod_annotations(topology: Topology, w: Workload) -> dict[str, str]:
    """Istio sidecar resources and scrape hints (no address pinning: the CNI assigns pod addresses, see I1066)."""
    ann: dict[str, str] = {}
    mesh = topology.mesh
    if w.meshed and mesh is not None and mesh.sidecar_resources is not None:
        r = mesh.sidecar_resources
        ann.update(zip(names.PROXY_RESOURCE_ANNOTATIONS, (r.cpu_request.text, r.cpu_limit.text, r.memory_request.text, r.memory_limit.text), strict=True))
    mon = topology.monitoring
    if w.scraped and mon is not None:
        port = w.port(mon.port)
        if port is not None:
            ann.update(zip(names.SCRAPE_ANNOTATIONS, ("true", str(port.number), mon.path), strict=True))
    return ann


def pod_template(plan: Plan, w: Workload, part: object = None) -> dict[str, Any]:
    """The pod template of a workload (one colour of a blue-green pair, or one version, if its plan entry's part names one)."""
    topology = plan.topology
    containers = [_container(plan, w, main_container(w, part), image(w, part), True)] + [_container(plan, w, s, s.image, False) for s in w.sidecars]
    spec: dict[str, Any] = {
        "serviceAccountName": plan.get(Role.SERVICE_ACCOUNT, w).name,
        "automountServiceAccountToken": w.security.service_account_token,
        "securityContext": {**pod_security(w), **low_port_sysctls(w)},
        "terminationGracePeriodSeconds": w.rollout.grace.seconds,
    }
    if w.init_containers:
        spec["initContainers"] = [_init_container(plan, w, c) for c in w.init_containers]
    spec["containers"] = containers
    spec["volumes"] = _volumes(plan, w)
    spec.update(placement.pod_fields(w.placement, names.pod_selector(w), topology, w.namespace))
    labels = {**meta.workload_labels(topology, w, part), **dict(w.labels)}
    ns = topology.namespace(w.namespace)
    if ns is not None and ns.mesh and not w.meshed:
        # `mesh off`: the pod's label overrides its namespace's istio-injection
        # (istio.io/latest/docs/setup/additional-setup/sidecar-injection/, "Controlling the injection policy")
        labels[names.INJECT_KEY] = "false"
    elif ns is not None and ns.external and w.meshed:  # ORION does not label an external namespace for injection
        labels[names.INJECT_KEY] = "true"
    metadata: dict[str, Any] = {"labels": labels}
    ann = {**pod_annotations(topology, w), **dict(w.pod_annotations)}
    if ann:
        metadata["annotations"] = ann
    return {"metadata": metadata, "spec": spec}


def main_container(w: Workload, part: object = None) -> Container:
    """The main container of a workload's pods, or of one version's: with the version's ``env`` over the service's,
    and its ``args`` instead of the service's when it states them."""
    version = names.version_of(part)
    if version is None:
        return w.container
    args = w.container.args if version.args is None else version.args
    return attrs.evolve(w.container, env=version.environment(w.container.env), args=args)


def image(w: Workload, part: object = None) -> str:
    """The main container's image: a version's own; a colour's (:meth:`~orion_dsl.model.BlueGreen.image`); else the workload's."""
    version, colour = names.version_of(part), names.colour_of(part)
    if version is not None:
        return version.image
    if colour is not None and w.blue_green is not None:
        return w.blue_green.image(colour, w.container.image)
    return w.container.image


def replicas(w: Workload, part: object = None) -> dict[str, int]:
    """``{"replicas": n}`` (a version's own count), or nothing when an HPA owns the count: a workload
    without colours, or the active colour of a blue-green pair (see the module docstring)."""
    version = names.version_of(part)
    if version is not None:
        return {"replicas": version.replicas}
    if w.autoscale is not None and (w.blue_green is None or part == w.blue_green.active):
        return {}
    return {"replicas": w.replicas}


def deployment(entry: Planned, plan: Plan) -> Obj:
    """A workload's Deployment, one colour of a blue-green pair, or one version of a service with several."""
    w = entry.of(Workload)
    colour, version = names.colour_of(entry.part), names.version_of(entry.part)
    r = w.rollout
    if r.strategy == "recreate":
        strategy: dict[str, Any] = {"type": "Recreate"}
    else:
        strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": r.surge, "maxUnavailable": r.unavailable}}
    labels = {**meta.workload_labels(plan.topology, w, entry.part), **dict(w.labels)}
    ann = {**dict(w.annotations), **({"orion.dev/active": str(colour == w.blue_green.active).lower()} if w.blue_green and colour else {})}
    ann |= scanner_annotations(w, entry.part)
    selector = names.version_pods(w, version) if version is not None else names.pod_selector(w, colour)
    spec = {
        **replicas(w, entry.part),
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": selector},
        "strategy": strategy,
        "template": pod_template(plan, w, entry.part),
    }
    return meta.build(entry, labels, ann, spec=spec)


def _claim_spec(s: Storage) -> dict[str, Any]:
    spec: dict[str, Any] = {"accessModes": [ACCESS_MODES[s.access]], "resources": {"requests": {"storage": s.size.text}}}
    if s.storage_class:
        spec["storageClassName"] = s.storage_class
    return spec


def statefulset(entry: Planned, plan: Plan) -> Obj:
    """A StatefulSet with a claim template per storage."""
    w = entry.of(Workload)
    topology = plan.topology
    templates = [{"metadata": {"name": s.name, "labels": meta.workload_labels(topology, w)}, "spec": _claim_spec(s)} for s in w.storage]
    spec: dict[str, Any] = {
        **replicas(w),
        "serviceName": plan.get(Role.HEADLESS_SERVICE, w).name,
        "podManagementPolicy": "OrderedReady",
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": names.pod_selector(w)},
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
        "template": pod_template(plan, w),
    }
    if templates:
        spec["volumeClaimTemplates"] = templates
    return meta.build(entry, {**meta.workload_labels(topology, w), **dict(w.labels)}, {**dict(w.annotations), **scanner_annotations(w)}, spec=spec)


def claim(entry: Planned, plan: Plan) -> Obj:
    """The PersistentVolumeClaim of a Deployment's storage."""
    w = entry.of(Workload)
    storage = next(s for s in w.storage if s.name == entry.part)
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=_claim_spec(storage))


BUILDERS: dict[Role, Builder] = {Role.DEPLOYMENT: deployment, Role.STATEFULSET: statefulset, Role.CLAIM: claim}
