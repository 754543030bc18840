"""Deployments, StatefulSets, their pod templates and the PersistentVolumeClaims of Deployments.

Every pod meets the Pod Security Standard ``restricted``: non-root with the model's UID/GID
(>= 10000), ``seccompProfile: RuntimeDefault``, no privilege escalation, all capabilities
dropped, a read-only root filesystem with an ``emptyDir`` at ``/tmp`` (plus the model's
scratch volumes) for writable paths, and requests and limits on every container.

The main container gets the model's probes (liveness and startup with ``successThreshold: 1``,
as Kubernetes requires); a sidecar with a port gets TCP liveness and readiness checks on its
first port with the same timing (the model states no probes for sidecars). A workload without
probes gets TCP liveness and readiness checks on its first port, and diagnostic I1071 says so.

A blue-green workload becomes two Deployments, ``<name>-blue`` and ``<name>-green``, each
labelled with its version and ``orion.dev/colour``; both keep ``replicas`` (the idle colour is
warm for an instant switch back) and the Service selects the active version.

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

from typing import Any

from orion_dsl.lowering import Plan, Planned, Role, names
from orion_dsl.model import Check, Container, Storage, Topology, Workload

from . import meta, placement
from .meta import Builder, Obj
from .units import ACCESS_MODES

TMP = "tmp"


def image_with_tag(image: str, tag: str) -> str:
    """The image with its tag replaced (or added).

    >>> image_with_tag("orion/gateway:1.0", "1.1")
    'orion/gateway:1.1'
    >>> image_with_tag("registry:5000/gateway", "2")
    'registry:5000/gateway:2'
    """
    head, _, tail = image.rpartition("/")
    name = tail.split(":", 1)[0]
    return f"{head}/{name}:{tag}" if head else f"{name}:{tag}"


def _check(check: Check) -> dict[str, Any]:
    if check.kind == "http":
        assert check.port is not None
        return {"httpGet": {"path": check.path or "/", "port": check.port.name, "scheme": "HTTP"}}
    if check.kind == "tcp":
        assert check.port is not None
        return {"tcpSocket": {"port": check.port.name}}
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
    timing: dict[str, Any] = {
        "periodSeconds": p.interval.seconds,
        "timeoutSeconds": p.timeout.seconds,
        "failureThreshold": p.failure_threshold,
    }
    if p.initial_delay is not None:
        timing["initialDelaySeconds"] = p.initial_delay.seconds
    out: dict[str, Any] = {}
    if p.liveness is not None:
        out["livenessProbe"] = {**_check(p.liveness), **timing, "successThreshold": 1}
    if p.readiness is not None:
        out["readinessProbe"] = {**_check(p.readiness), **timing, "successThreshold": p.success_threshold}
    if p.startup is not None:
        out["startupProbe"] = {**_check(p.startup), **timing, "successThreshold": 1}
    return out


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


def _needs_tmp(w: Workload) -> bool:
    return not any(v.mount_path == "/tmp" for v in w.volumes) and not any(s.mount_path == "/tmp" for s in w.storage)


def _container(w: Workload, c: Container, image: str, main: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"name": c.name, "image": image, "imagePullPolicy": "Always"}
    if c.command:
        out["command"] = list(c.command)
    if main and w.env:
        out["env"] = [{"name": k, "value": v} for k, v in w.env]
    if c.ports:
        out["ports"] = [{"name": p.name, "containerPort": p.number, "protocol": p.protocol} for p in c.ports]
    if not c.resources.none:
        out["resources"] = resources(c)
    out["securityContext"] = container_security(w)
    mounts = []
    if not main:
        out.update(_sidecar_probes(w, c))
    if main:
        mounts = [{"name": v.name, "mountPath": v.mount_path, "readOnly": v.read_only} for v in w.volumes]
        mounts += [{"name": s.name, "mountPath": s.mount_path} for s in w.storage]
        out.update(_probes(w))
    if _needs_tmp(w):
        mounts.append({"name": TMP, "mountPath": "/tmp"})
    if mounts:
        out["volumeMounts"] = mounts
    return out


def _volumes(plan: Plan, w: Workload) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for v in w.volumes:
        if v.kind == "config-map":
            out.append({"name": v.name, "configMap": {"name": v.source, "optional": False}})
        elif v.kind == "secret":
            out.append({"name": v.name, "secret": {"secretName": v.source, "optional": False}})
        else:
            out.append({"name": v.name, "emptyDir": {}})
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


def pod_template(plan: Plan, w: Workload, version: str | None = None, colour: names.Colour | None = None) -> dict[str, Any]:
    """The pod template of a workload (one colour of a blue-green pair if given)."""
    topology = plan.topology
    image = image_with_tag(w.container.image, version) if version else w.container.image
    containers = [_container(w, w.container, image, True)] + [_container(w, s, s.image, False) for s in w.sidecars]
    spec: dict[str, Any] = {
        "serviceAccountName": plan.get(Role.SERVICE_ACCOUNT, w).name,
        "automountServiceAccountToken": w.security.service_account_token,
        "securityContext": pod_security(w),
        "terminationGracePeriodSeconds": w.rollout.grace.seconds,
        "containers": containers,
        "volumes": _volumes(plan, w),
        **placement.pod_fields(w.placement, names.pod_selector(w)),
    }
    labels = {**meta.workload_labels(topology, w, version, colour), **dict(w.labels)}
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


def colour_version(w: Workload, colour: names.Colour | None) -> str | None:
    """The version one colour of a blue-green pair runs (None for a workload without colours)."""
    if colour is None or w.blue_green is None:
        return None
    return w.blue_green.blue if colour == "blue" else w.blue_green.green


def replicas(w: Workload, colour: names.Colour | None = None) -> dict[str, int]:
    """``{"replicas": n}``, or nothing when an HPA owns the count: a workload without colours,
    or the active colour of a blue-green pair (see the module docstring)."""
    if w.autoscale is not None and (w.blue_green is None or colour == w.blue_green.active):
        return {}
    return {"replicas": w.replicas}


def deployment(entry: Planned, plan: Plan) -> Obj:
    """A workload's Deployment, or one colour of a blue-green pair."""
    w = entry.of(Workload)
    colour = names.colour_of(entry.part)
    version = colour_version(w, colour)
    r = w.rollout
    if r.strategy == "recreate":
        strategy: dict[str, Any] = {"type": "Recreate"}
    else:
        strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": r.surge, "maxUnavailable": r.unavailable}}
    labels = {**meta.workload_labels(plan.topology, w, version, colour), **dict(w.labels)}
    ann = {**dict(w.annotations), **({"orion.dev/active": str(colour == w.blue_green.active).lower()} if w.blue_green and colour else {})}
    spec = {
        **replicas(w, colour),
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": names.pod_selector(w, colour)},
        "strategy": strategy,
        "template": pod_template(plan, w, version, colour),
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
    return meta.build(entry, {**meta.workload_labels(topology, w), **dict(w.labels)}, dict(w.annotations), spec=spec)


def claim(entry: Planned, plan: Plan) -> Obj:
    """The PersistentVolumeClaim of a Deployment's storage."""
    w = entry.of(Workload)
    storage = next(s for s in w.storage if s.name == entry.part)
    return meta.build(entry, meta.workload_labels(plan.topology, w), spec=_claim_spec(storage))


BUILDERS: dict[Role, Builder] = {Role.DEPLOYMENT: deployment, Role.STATEFULSET: statefulset, Role.CLAIM: claim}
