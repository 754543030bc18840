"""Checks on the resolved topology: small passes in one ordered tuple, each doing one thing.

Each pass reads the model (and where facts were written) and returns diagnostics.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence

import attrs

from orion_dsl import declarations as decl
from orion_dsl.analysis.recovery import rpo_checks
from orion_dsl.choices import SINGLE_NODE_ACCESS, Engine
from orion_dsl.diagnostics import Diagnostic, Related, did_you_mean, error, warning
from orion_dsl.lowering.families import INCREMENTAL_SINCE, USER_FILE, Family, family, major, user_file, user_key
from orion_dsl.lowering.names import credentials_volume
from orion_dsl.model import Container, Namespace, Port, Topology, Workload
from orion_dsl.receivers import receiver_of
from orion_dsl.semantic import (
    backup_steps,
    edge_traffic,
    egress_entries,
    egress_gateway,
    exposed,
    ingress_tls,
    jwks_route,
    memory_units,
    mesh_membership,
    owned,
    paths,
    plain_secrets,
    pooled_databases,
    stated_ranges,
)
from orion_dsl.source import Span


@attrs.frozen
class Context:
    """What a check may read: the topology, where its facts were written, and the declarations as written."""

    topology: Topology
    spans: dict[tuple[str, str], Span]
    spec: decl.SpecDecl

    def span(self, fact: str, owner: str, fallback: Span | None = None) -> Span | None:
        """Where a fact of an owner was written, else the fallback."""
        return self.spans.get((fact, owner), fallback)


Check = Callable[[Context], list[Diagnostic]]


def subnets_do_not_overlap(ctx: Context) -> list[Diagnostic]:
    """Two subnets sharing addresses make placement ambiguous."""
    out = []
    subnets = ctx.topology.subnets
    for i, a in enumerate(subnets):
        for b in subnets[i + 1 :]:
            if a.cidr.overlaps(b.cidr):
                out.append(
                    error(
                        "E0208",
                        b.span,
                        f'subnet "{b.name}" ({b.cidr}) overlaps subnet "{a.name}" ({a.cidr})',
                        "give each subnet its own address block",
                        (Related(a.span, f'"{a.name}" defined here'),),
                    )
                )
    return out


def addresses_fit_their_subnet(ctx: Context) -> list[Diagnostic]:
    """A workload's address range lies inside its subnet, and holds its maximum replicas."""
    out = []
    subnets = {s.name: s for s in ctx.topology.subnets}
    for w in ctx.topology.workloads:
        pool = w.addresses
        if pool is None:
            continue
        span = ctx.span("addresses", w.name, w.span)
        low, high = pool
        if low > high:
            out.append(error("E0206", span, f'the address range of "{w.name}" starts after it ends', f"write {high}..{low}"))
            continue
        subnet = subnets.get(w.subnet or "")
        if subnet is None:
            out.append(error("E0209", span, f'"{w.name}" has addresses but no subnet', "add `subnet NAME` to the workload or its namespace"))
            continue
        if low not in subnet.cidr or high not in subnet.cidr:
            out.append(
                error(
                    "E0209",
                    span,
                    f'the addresses {low}..{high} of "{w.name}" lie outside its subnet "{subnet.name}" ({subnet.cidr})',
                    f"use addresses inside {subnet.cidr}, or place the workload in another subnet",
                )
            )
            continue
        size = int(high) - int(low) + 1
        if size < w.max_replicas:
            out.append(
                error(
                    "E0211",
                    span,
                    f'"{w.name}" may run {w.max_replicas} replicas but its address range holds only {size}',
                    f"widen the range to at least {w.max_replicas} addresses",
                )
            )
    return out


Pool = tuple[ipaddress.IPv4Address, ipaddress.IPv4Address]


def _overlapping(ranged: list[tuple[Workload, Pool]]) -> list[tuple[Workload, Pool, Workload, Pool]]:
    """Every overlapping pair (earlier in the spec first), by one sweep over the sorted starts."""
    order = sorted(range(len(ranged)), key=lambda i: int(ranged[i][1][0]))
    open_: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i in order:
        start = int(ranged[i][1][0])
        open_ = [j for j in open_ if int(ranged[j][1][1]) >= start]
        pairs.extend((min(i, j), max(i, j)) for j in open_)
        open_.append(i)
    return [(*ranged[i], *ranged[j]) for i, j in sorted(pairs)]


def address_ranges_do_not_overlap(ctx: Context) -> list[Diagnostic]:
    """Two workloads never share an address."""
    out = []
    placed = [(w, w.addresses) for w in ctx.topology.workloads]
    ranged = [(w, p) for w, p in placed if p is not None and p[0] <= p[1]]
    for a, pa, b, pb in _overlapping(ranged):
        out.append(
            error(
                "E0210",
                ctx.span("addresses", b.name, b.span),
                f'the addresses of "{b.name}" ({pb[0]}..{pb[1]}) overlap those of "{a.name}" ({pa[0]}..{pa[1]})',
                "give each workload its own address range",
                (Related(ctx.span("addresses", a.name, a.span) or a.span, f'"{a.name}" addresses here'),),
            )
        )
    ingress = ctx.topology.ingress
    if ingress is not None and ingress.address is not None:
        for w, p in ranged:
            if p[0] <= ingress.address <= p[1]:
                out.append(
                    error(
                        "E0210",
                        ctx.span("addresses", w.name, w.span),
                        f'the addresses of "{w.name}" include the ingress address {ingress.address}',
                        "give each its own address",
                    )
                )
    return out


def quota_holds_max_replicas(ctx: Context) -> list[Diagnostic]:
    """A namespace quota smaller than its workloads at full scale stops scaling (warning)."""
    out = []
    mesh = ctx.topology.mesh
    proxy = mesh.sidecar_resources if mesh else None
    for ns in ctx.topology.namespaces:
        quota = ns.quota
        if quota is None:
            continue
        workloads = ctx.topology.workloads_in(ns.name)
        cpu = memory = pods = 0
        for w in workloads:
            per_pod_cpu = sum(c.resources.cpu_limit.amount for c in w.containers)
            per_pod_mem = sum(c.resources.memory_limit.amount for c in w.containers)
            if w.meshed and proxy is not None:
                per_pod_cpu += proxy.cpu_limit.amount
                per_pod_mem += proxy.memory_limit.amount
            # Blue-green: the autoscaler scales the active colour; the idle one keeps its base replicas.
            copies = w.max_replicas + (w.replicas if w.blue_green else 0)
            cpu += per_pod_cpu * copies
            memory += per_pod_mem * copies
            pods += copies
        for need, have, shown in (
            (cpu, quota.cpu.amount if quota.cpu else None, f"{cpu / 1000:g} cores of CPU"),
            (memory, quota.memory.amount if quota.memory else None, f"{memory / 2**30:g}Gi of memory"),
            (pods, quota.pods, f"{pods} pods"),
        ):
            if have is not None and need > have:
                out.append(
                    warning(
                        "W0303",
                        ns.span,
                        f'namespace "{ns.name}" needs {shown} at maximum scale, more than its quota allows',
                        "raise the quota, or lower limits or maximum replicas",
                    )
                )
    return out


def read_replicas_are_pods(ctx: Context) -> list[Diagnostic]:
    """A database's read replicas are pods of its StatefulSet (indexes after the primary's): it must run them all."""
    out = []
    for w in ctx.topology.workloads:
        db = w.database
        if db is None or db.read_replicas == 0:
            continue
        lowest = w.autoscale.min if w.autoscale is not None else w.replicas
        needed = max(1, db.primary) + db.read_replicas
        if needed > lowest:
            out.append(
                error(
                    "E0216",
                    w.span,
                    f'"{w.name}" has {db.read_replicas} read replicas after its primary, so it needs {needed} pods, but runs {lowest}',
                    f"set `replicas {needed}` (or more), or fewer `read_replicas`",
                )
            )
    return out


def claims_are_not_shared_across_replicas(ctx: Context) -> list[Diagnostic]:
    """A Deployment's pods share its one claim: with more than one replica, a claim that attaches to one
    node only leaves the others stuck on Multi-Attach (or, on one node, several processes writing one data
    directory). A StatefulSet has a claim per pod; an operator (``engine``) makes its own. With one replica,
    a stated rolling update's surge pod shares the claim the same way (unstated, the rollout is ``recreate``)."""
    out = []
    for w in ctx.topology.workloads:
        if w.kind != "deployment":
            continue
        if w.max_replicas < 2:
            out.extend(_surge_shares_claim(ctx, w))
            continue
        for st in w.storage:
            if st.access in SINGLE_NODE_ACCESS:
                out.append(
                    error(
                        "E0219",
                        ctx.span(f"storage {st.name}", w.name, w.span),
                        f'the {w.max_replicas} replicas of "{w.name}" would share its one {st.access} claim "{st.name}"',
                        f"declare it as `statefulset {w.name}` (a claim per pod), run it on an `engine` that replicates, "
                        "or use `access read-write-many` storage",
                    )
                )
    return out


def _surge_shares_claim(ctx: Context, w: Workload) -> list[Diagnostic]:
    """E0219 for a one-replica Deployment with a single-node claim whose stated rolling update starts a new pod
    before stopping the old one (surge 1 or more): for the length of the rollout both pods mount the claim."""
    r = w.rollout
    claim = next((st for st in w.storage if st.access in SINGLE_NODE_ACCESS), None)
    if claim is None or r.strategy != "rolling" or r.surge == 0:
        return []
    return [
        error(
            "E0219",
            ctx.span("rollout", w.name, w.span),
            f'the rolling update of "{w.name}" starts a new pod beside the old one (surge {r.surge}), and both would mount its '
            f'one {claim.access} claim "{claim.name}"',
            "write `rollout recreate` (the old pod stops first; the default for such a claim), or `rollout rolling { surge 0; unavailable 1 }`",
        )
    ]


def backups_meet_rpo(ctx: Context) -> list[Diagnostic]:
    """The most frequent backup of a covered workload is at most its recovery point objective."""
    out: list[Diagnostic] = []
    for check in rpo_checks(ctx.topology):
        if check.met:
            continue
        objective, name, best = check.objective, check.workload, check.backup
        rpo_span = ctx.span("rpo", objective.name)
        if best is None or best.every is None:
            out.append(
                error(
                    "E0220",
                    rpo_span,
                    f'"{name}" has no backup, but objective "{objective.name}" promises a recovery point of {objective.rpo.text}',
                    f"add `backup ... every {objective.rpo.text}` to {name}",
                )
            )
            continue
        out.append(
            error(
                "E0220",
                best.span,
                f'"{name}" is backed up every {best.every.text}, longer than the recovery point objective of {objective.rpo.text}',
                f"back up at least every {objective.rpo.text}, or relax the objective",
                (Related(rpo_span or best.span, "objective stated here"),),
            )
        )
    return out


def source_ip_affinity_is_not_behind_a_proxy(ctx: Context) -> list[Diagnostic]:
    """``load_balancing ip-hash`` hashes on the caller pod's address. Behind a gateway (a workload that
    routes to it, or the ingress) every client of one proxy pod has that pod's address, so all of them
    land on one pod and there is no per-client stickiness (warning)."""
    t = ctx.topology
    proxies: dict[str, str] = {r.target: w.name for w in t.workloads for r in w.routes if r.target != w.name}
    if t.ingress is not None:
        proxies.update({h.target: t.ingress.name for h in t.ingress.hosts})
    out = []
    for w in t.workloads:
        proxy = proxies.get(w.name)
        if w.load_balancing == "ip-hash" and proxy is not None:
            out.append(
                warning(
                    "W0305",
                    ctx.span("load_balancing", w.name, w.span),
                    f"ip-hash on {w.name} hashes the address of the {proxy} pod that forwards each call, not the client's",
                    f'pin clients by what they send: `session_affinity cookie "{w.name}-affinity"` (or `session_affinity header "NAME"`)',
                )
            )
    return out


def unmeshed_callers_are_identifiable(ctx: Context) -> list[Diagnostic]:
    """A workload written ``mesh off`` presents no mTLS identity, and pod addresses are not pinned, so a
    meshed workload it calls under STRICT mutual TLS cannot admit it: Istio refuses the call although the
    spec declares it (warning)."""
    t = ctx.topology
    if t.mesh is None or t.mesh.mtls != "strict":
        return []
    out = []
    for w in t.workloads:
        where = ctx.span("mesh", w.name)
        if w.meshed or where is None:
            continue
        for call in w.calls:
            callee = t.workload(call.target)
            if callee is not None and callee.meshed:
                out.append(
                    warning(
                        "W0307",
                        call.span or where,
                        f"{w.name} is outside the mesh (`mesh off`), and {callee.name} accepts only mutual TLS: Istio refuses this call",
                        f"leave {w.name} in the mesh (its sidecar's identity is what {callee.name} admits), or take {callee.name} out of it",
                        (Related(where, "taken out of the mesh here"),),
                    )
                )
    return out


def shared_identities_admit_only_their_callers(ctx: Context) -> list[Diagnostic]:
    """Meshed workloads that run as one ServiceAccount present one mTLS principal: a callee that admits one of
    them admits them all. Warn where one of them calls a meshed workload another of them does not call."""
    t = ctx.topology
    sharing: dict[tuple[str, str], list[Workload]] = {}
    for w in t.workloads:
        if w.meshed and w.service_account is not None:
            sharing.setdefault((w.namespace, w.service_account), []).append(w)
    out = []
    for (_, account), users in sharing.items():
        for w in users:
            for call in w.calls:
                callee = t.workload(call.target)
                if callee is None or not callee.meshed:
                    continue
                others = [u.name for u in users if u not in (w, callee) and not any(c.target == callee.name for c in u.calls)]
                if others:
                    summary = f'{callee.name} admits {w.name} by the ServiceAccount "{account}", and so every workload that runs as it: {", ".join(others)}'
                    help = f"give {w.name} a ServiceAccount of its own (`service_account`), or accept that {', '.join(others)} may call {callee.name}"
                    out.append(warning("W0309", call.span or w.span, summary, help))
    return out


def _quota_counts(ns: Namespace | None) -> str:
    """What a managed namespace's quota counts of every container (its CPU, its memory), joined; empty when none."""
    if ns is None or ns.external or ns.quota is None:
        return ""
    return " and ".join(what for what, figure in (("CPU", ns.quota.cpu), ("memory", ns.quota.memory)) if figure is not None)


def _without_resources(w: Workload) -> list[Container]:
    """The containers of a workload's pods that state no requests or limits (``resources none``, its own or its defaults')."""
    return [c for c in (*w.containers, *w.init_containers) if c.resources.none]


def _resources_none_help(ns: Namespace | None) -> str:
    """What a container without resources gets in its namespace: the LimitRange's figures, nothing, or the cluster's say."""
    state = "state `resources { cpu REQUEST..LIMIT; memory REQUEST..LIMIT }`"
    if ns is None or ns.external:
        return f"{state}; in an external namespace its own LimitRange, if any, decides what the container gets"
    if not ns.limit_range:
        return f"{state}; namespace {ns.name} writes no LimitRange (`limit_range off`), so the container runs without any"
    return f"{state}; meanwhile namespace {ns.name}'s LimitRange gives it 100m..500m CPU, 128Mi..512Mi memory"


def defaults_turned_off_are_stated(ctx: Context) -> list[Diagnostic]:
    """``probes none`` and ``resources none`` turn off what ORION adds on its own: say what that costs (warning), unless
    a quota without the LimitRange makes the pod's admission fail (:func:`quotas_admit_the_pods`)."""
    out = []
    for w in ctx.topology.workloads:
        where = ctx.span("probes none", w.name)
        if w.probes is not None and w.probes.none and where is not None:
            help = 'write the checks the application answers (`liveness http "/healthz"`...), or keep `probes none` where nothing can be checked'
            out.append(warning("W0308", where, f"{w.name} has no health checks: a hung pod is never restarted and still gets traffic", help))
        ns = ctx.topology.namespace(w.namespace)
        refused = bool(_quota_counts(ns)) and ns is not None and not ns.limit_range
        for c in [] if refused else _without_resources(w):
            where = ctx.span(f"resources none {c.name}", w.name)
            if where is not None:
                summary = f"container {c.name} of {w.name} states no requests or limits: the scheduler cannot place it by need"
                out.append(warning("W0308", where, summary, _resources_none_help(ns)))
    return out


def _limit_range_off(ctx: Context, ns: Namespace) -> Span | None:
    """Where a namespace says ``limit_range off``."""
    d = next((n for n in ctx.spec.namespaces if n.name is not None and n.name.value == ns.name), None)
    return d.limit_range.span if d is not None and d.limit_range is not None else None


def quotas_admit_the_pods(ctx: Context) -> list[Diagnostic]:
    """A ResourceQuota of CPU or memory makes the API server refuse a pod any of whose containers states no request or
    limit of it (https://kubernetes.io/docs/concepts/policy/resource-quotas/: "the quota system may reject pod
    creation"); ORION's LimitRange fills them in at admission, so a namespace with a quota and ``limit_range off``
    refuses a container of ``resources none`` (E0221: the three exclude each other) and pods others start without
    resources (W0317)."""
    out = []
    for ns in ctx.topology.namespaces:
        counted = _quota_counts(ns)
        if not counted or ns.limit_range:
            continue
        off = _limit_range_off(ctx, ns)
        related = (Related(off, "`limit_range off` here"),) if off is not None else ()
        for w in ctx.topology.workloads:
            for c in _without_resources(w) if w.namespace == ns.name else []:
                summary = (
                    f"container {c.name} of {w.name} states no requests or limits, and namespace {ns.name}'s quota counts "
                    f"{counted} without a LimitRange to fill them in: the API server refuses its pods"
                )
                help = "state `resources { cpu REQUEST..LIMIT; memory REQUEST..LIMIT }`, or leave out `limit_range off` (its defaults fill them in)"
                out.append(error("E0221", ctx.span(f"resources none {c.name}", w.name, w.span), summary, help, related))
        others = "kubectl run, a Job, an operator's pods"
        summary = f"namespace {ns.name} has a quota of {counted} and `limit_range off`: pods others start there without resources ({others}) are refused"
        help = "leave out `limit_range off`, or make sure everything that starts pods there states their resources"
        out.append(warning("W0317", off or ns.span, summary, help))
    return out


def _defaults_note(ctx: Context, w: Workload) -> str:
    """Why a call a namespace's ``defaults`` state is missing from a workload that states its own (they replace the defaults' whole)."""
    ns = next((n for n in ctx.spec.namespaces if n.name is not None and n.name.value == w.namespace), None)
    stated = ns is not None and ns.defaults is not None and bool(ns.defaults.calls)
    return " (its own `calls` replace its namespace defaults' whole)" if stated else ""


def _amqp(broker: Workload) -> Port | None:
    """The broker's AMQP port, where consumers and KEDA's queue scaler connect: the one named ``amqp``, else 5672."""
    return broker.port("amqp") or broker.port(5672)


def queues_are_on_rabbitmq_brokers(ctx: Context) -> list[Diagnostic]:
    """A ``queue`` metric names the broker KEDA reads the queue's depth from: a workload run by the RabbitMQ
    Cluster Operator (ORION knows its Service, port and credentials), which the workload consumes from, so
    calls (W0324). KEDA's ScaledObject takes over the workload's HPA, so its other custom metrics (which need
    a metrics adapter) cannot stand beside it."""
    t = ctx.topology
    brokers = [w.name for w in t.workloads if w.engine == "rabbitmq-operator"]
    out = []
    for w in t.workloads:
        a = w.autoscale
        if a is None or not a.queues:
            continue
        for q in a.queues:
            broker = t.workload(q.broker)
            if broker is None:
                declare = f"a broker is a RabbitMQ cluster: declare `statefulset {q.broker} {{ engine rabbitmq-operator; ... }}`"
                out.append(error("E0201", q.span, f'unknown broker "{q.broker}"', did_you_mean(q.broker, brokers) if brokers else declare))
            elif broker.engine == "rabbitmq-operator" and not any(c.target == broker.name and c.port == _amqp(broker) for c in w.calls):
                amqp = _amqp(broker)
                out.append(
                    warning(
                        "W0324",
                        q.span,
                        f"{w.name} scales on a queue of {broker.name} but does not call its AMQP port: its pods cannot reach the broker they consume from",
                        f"add `calls {broker.name}:{amqp.name if amqp else 'amqp'}` to {w.name}" + _defaults_note(ctx, w),
                    )
                )
            elif broker.engine != "rabbitmq-operator":
                out.append(
                    error(
                        "E0221",
                        q.span,
                        f'"{q.broker}" is not a RabbitMQ cluster: KEDA reads queue depths from an `engine rabbitmq-operator` workload',
                        f"give {q.broker} `engine rabbitmq-operator`" + (f", or name one of: {', '.join(brokers)}" if brokers else ""),
                    )
                )
        if a.metrics:
            out.append(
                error(
                    "E0221",
                    a.queues[0].span,
                    f"KEDA scales {w.name} on its queue, so its {a.metrics[0].source} metric {a.metrics[0].name} has no HPA to go in",
                    "scale on cpu, memory and queues only, or drop the queue and serve the metric through an adapter",
                )
            )
    return out


def external_metrics_select_their_series(ctx: Context) -> list[Diagnostic]:
    """An ``external`` metric names a series outside the cluster's objects: without labels the HPA would read
    every series of that name (every queue, every tenant) and scale on their sum (an error: nothing is written)."""
    out = []
    for w in ctx.topology.workloads:
        for m in w.autoscale.metrics if w.autoscale is not None else ():
            if m.source == "external" and not m.selector:
                out.append(
                    error(
                        "E0236",
                        m.span,
                        f"the external metric {m.name} of {w.name} selects no series: the HPA would scale on every series of that name",
                        f'name the series: `external {m.name} {m.target} {{ select {{ queue "NAME" }} }}` '
                        f'(for a RabbitMQ queue, `queue "NAME" {m.target} on BROKER`)',
                    )
                )
    return out


def ingress_controller_is_maintained(ctx: Context) -> list[Diagnostic]:
    """ingress-nginx was retired in March 2026 (no releases or security fixes after it): a spec that
    asks for it still gets its Ingress objects, with a warning naming the maintained default."""
    ing = ctx.spec.ingress
    if ing is None or ing.controller is None or ing.controller.value != "ingress-nginx":
        return []
    return [
        warning(
            "W0310",
            ing.controller.span,
            "ingress-nginx was retired in March 2026: it gets no releases or security fixes",
            "write `controller istio` (Istio's Gateway API implementation: a Gateway and HTTPRoutes, admitted in the mesh by identity)",
        )
    ]


def waf_module_is_loaded(ctx: Context) -> list[Diagnostic]:
    """A ``waf``'s ``module`` is the Wasm module Istio's gateway loads: ingress-nginx runs its own ModSecurity and
    never reads it, so a spec naming one under ingress-nginx is told, not silently ignored."""
    ing = ctx.spec.ingress
    if ing is None or ing.controller is None or ing.controller.value != "ingress-nginx" or ing.waf is None or ing.waf.module is None:
        return []
    return [
        warning(
            "W0320",
            ing.waf.module.span,
            "the waf's module is the Istio gateway's Wasm module: ingress-nginx runs its own ModSecurity and never loads it",
            "remove `module`, or write `controller istio` (the gateway then loads it)",
        )
    ]


def proxies_in_front_state_their_ranges(ctx: Context) -> list[Diagnostic]:
    """An ingress ``behind`` a proxy trusts the X-Forwarded-For entry that proxy appends. Unless the
    proxy's ``ranges`` are stated (and so the only addresses the gateway admits), a client that
    reaches the load balancer directly writes that entry itself and claims any address."""
    ing = ctx.topology.ingress
    if ing is None or not ing.forwarded_by or ctx.topology.front_ranges():
        return []
    innermost = ing.forwarded_by[-1]
    written = ctx.spec.ingress.behind if ctx.spec.ingress is not None else ()
    span = next((b.span for b in reversed(written) if b.value == innermost), None)
    return [
        warning(
            "W0311",
            span,
            f"the ingress trusts X-Forwarded-For from {innermost}, which states no `ranges`: a client reaching it directly can claim any address",
            f"list the addresses {innermost} connects from (`ranges CIDR, ...`; Cloudflare publishes its own at https://www.cloudflare.com/ips/)",
        )
    ]


def a_cdn_in_front_reaches_the_gateway_address(ctx: Context) -> list[Diagnostic]:
    """A CDN connects to the origin over the internet: when the innermost piece ``behind`` names is a ``cdn``
    and the gateway's ``address`` is not a public one (10.0.1.10), nothing the spec states carries the
    CDN's connections to it. A load balancer named after the CDN (a public layer-4 one, or a layer-7 one in
    the cluster's network) is that hop; otherwise the address must be public."""
    ing, spec = ctx.topology.ingress, ctx.spec.ingress
    if ing is None or spec is None or spec.address is None or ing.address is None or ing.address.is_global or not ing.behind:
        return []
    innermost = next((d for d in ctx.topology.edge if d.name == ing.behind[-1]), None)
    if innermost is None or innermost.kind != "cdn":
        return []
    help = (
        f"name the public layer-4 load balancer that forwards to {ing.address} after {innermost.name} "
        f"(`load_balancer public {{ ... }}`, `behind {', '.join(ing.behind)}, public`), or give the gateway a public `address`"
    )
    summary = f"{innermost.name} cannot reach the gateway's private address {ing.address}: a CDN connects to its origin over the internet"
    return [warning("W0314", spec.address.span, summary, help)]


def alerts_leave_the_cluster(ctx: Context) -> list[Diagnostic]:
    """An Alertmanager sends alerts out of the cluster, to its receiver's host: without a call to an
    external with that host (to any external, for a webhook), its egress is denied and no alert is delivered."""
    mon, spec = ctx.topology.monitoring, ctx.spec.monitoring
    alerting = ctx.topology.workload(mon.alerting) if mon is not None and mon.alerting else None
    if alerting is None or spec is None or alerting.engine != "prometheus-operator":
        return []
    receiver = receiver_of(mon)
    hosts = {h for c in alerting.calls if (e := ctx.topology.external(c.target)) is not None for h in e.hosts}
    if hosts and (receiver.host is None or receiver.host in hosts):
        return []
    span = spec.alerting.span if spec.alerting is not None else spec.span
    where = f"{receiver.host}, where the {receiver.kind} receiver sends" if receiver.host else "the webhook's host"
    return [
        warning(
            "W0312",
            span,
            f"{alerting.name} calls no external service at {where}: its egress is denied and no alert leaves the cluster",
            f"declare the host as an `external` (port https 443) and add `calls <external>:https` to {alerting.name}",
        )
    ]


def the_scraper_reads_the_monitors(ctx: Context) -> list[Diagnostic]:
    """A scraper ORION runs itself reads its image's own prometheus.yml (prom/prometheus: only itself),
    never the ServiceMonitors, PodMonitors and PrometheusRule ORION writes: the Prometheus Operator's
    ``Prometheus`` resource is what selects them."""
    mon, spec = ctx.topology.monitoring, ctx.spec.monitoring
    scraper = ctx.topology.workload(mon.scraper) if mon is not None else None
    if scraper is None or spec is None or scraper.engine == "prometheus-operator":
        return []
    span = spec.scraper.span if spec.scraper is not None else spec.span
    return [
        warning(
            "W0315",
            span,
            f"{scraper.name} runs without the Prometheus Operator: its image reads its own prometheus.yml, so nothing reads the "
            "ServiceMonitors, PodMonitors and alert rules ORION writes",
            f"give {scraper.name} `engine prometheus-operator`: ORION writes a Prometheus whose selectors match them",
        )
    ]


def incremental_backups_have_a_server_that_takes_them(ctx: Context) -> list[Diagnostic]:
    """ORION's built-in incremental step runs ``pg_basebackup --incremental``, which PostgreSQL 17 added
    (postgresql.org/docs/17/app-pgbasebackup.html): on an older server every run of the CronJob fails."""
    out = []
    for w in ctx.topology.workloads:
        if w.engine is not None or family(w) != "postgres" or major(w) >= INCREMENTAL_SINCE:
            continue
        for b in w.backups:
            if b.kind == "incremental" and b.image is None:
                out.append(
                    warning(
                        "W0316",
                        b.span,
                        f"{w.name}'s incremental backup runs pg_basebackup --incremental, which PostgreSQL {major(w)} "
                        f"({w.container.image}) does not have: every run fails",
                        f"use PostgreSQL {INCREMENTAL_SINCE} or newer, give the backup an `image` that does incremental backups (pgBackRest), or remove it",
                    )
                )
    return out


def backups_read_the_user_file(ctx: Context) -> list[Diagnostic]:
    """ORION's PostgreSQL backup steps log in as the user the server's entrypoint reads from POSTGRES_USER_FILE, so they
    read the same file: it must be a file of the Secret volume the backup pods mount (the workload's first), at its mount."""
    out = []
    for w in ctx.topology.workloads:
        path = user_file(w)
        if path is None or w.engine is not None or user_key(w) is not None or not any(b.image is None for b in w.backups):
            continue
        volume = credentials_volume(w)
        where = f"in its secret volume {volume.name} (at {volume.mount_path})" if volume is not None else "in a secret volume"
        out.append(
            error(
                "E0221",
                w.span,
                f'the backups of "{w.name}" log in as the user POSTGRES_USER_FILE names, and {path} is no file {where}, which the backup pods mount',
                f'name a file of that volume (`env {USER_FILE} "{volume.mount_path if volume else "/etc/..."}/username"`), or give the user in POSTGRES_USER',
            )
        )
    return out


def database_images_are_not_replicated_by_hand(ctx: Context) -> list[Diagnostic]:
    """A StatefulSet of a database image ORION knows (:func:`family`) with several pods and no ``engine`` runs
    independent servers behind one Service: each pod initialises its own claim (docker-library/postgres@6edb0a8c
    17/alpine3.22/docker-entrypoint.sh runs initdb on an empty PGDATA) and nothing makes one follow another, so
    writes split between them and backups through the Service reach either."""
    out = []
    for w in ctx.topology.workloads:
        found = family(w)
        if w.kind != "statefulset" or w.engine is not None or found is None or w.max_replicas < 2:
            continue
        out.append(
            warning(
                "W0318",
                ctx.span("replicas", w.name, w.span),
                f'the {w.max_replicas} pods of "{w.name}" run independent {found} servers behind one Service: nothing replicates '
                "one to another, so writes and backups reach either",
                f"run it on an operator that replicates (`engine {_REPLICATING_ENGINE[found]}`), or `replicas 1`",
            )
        )
    return out


#: The engine that runs each database image as one replicated store.
_REPLICATING_ENGINE: dict[Family, Engine] = {"postgres": "cloudnative-pg", "redis": "redis-operator", "rabbitmq": "rabbitmq-operator"}


#: Every check, in the order they run.
CHECKS: Sequence[Check] = (
    owned.namespaces_are_not_owned,
    owned.injection_label_is_not_overwritten,
    subnets_do_not_overlap,
    addresses_fit_their_subnet,
    address_ranges_do_not_overlap,
    quota_holds_max_replicas,
    read_replicas_are_pods,
    claims_are_not_shared_across_replicas,
    backups_meet_rpo,
    source_ip_affinity_is_not_behind_a_proxy,
    queues_are_on_rabbitmq_brokers,
    external_metrics_select_their_series,
    ingress_controller_is_maintained,
    ingress_tls.tls_is_served_and_issued,
    mesh_membership.ingress_nginx_reaches_no_meshed_target,
    egress_gateway.egress_gateways_exist,
    egress_gateway.wildcard_hosts_stay_off_the_egress_gateway,
    mesh_membership.meshed_namespaces_have_a_mesh,
    pooled_databases.pooled_databases_are_reached_through_the_pooler,
    waf_module_is_loaded,
    jwks_route.jwks_reaches_its_keys,
    proxies_in_front_state_their_ranges,
    a_cdn_in_front_reaches_the_gateway_address,
    alerts_leave_the_cluster,
    the_scraper_reads_the_monitors,
    incremental_backups_have_a_server_that_takes_them,
    database_images_are_not_replicated_by_hand,
    backups_read_the_user_file,
    backup_steps.scheduled_backups_have_a_step,
    backup_steps.base_backups_have_their_wal,
    paths.volume_sources_are_names,
    unmeshed_callers_are_identifiable,
    exposed.exposed_workloads_are_outside_the_mesh,
    edge_traffic.edge_honours_the_traffic_split,
    egress_entries.split_entries_reach_different_namespaces,
    stated_ranges.stated_ranges_narrow,
    defaults_turned_off_are_stated,
    quotas_admit_the_pods,
    memory_units.memory_has_a_unit,
    shared_identities_admit_only_their_callers,
    plain_secrets.env_secrets_are_not_literal,
    plain_secrets.strings_hold_no_secret,
)


def run_checks(ctx: Context) -> list[Diagnostic]:
    """Run every check on the topology and collect what they find."""
    return [d for check in CHECKS for d in check(ctx)]
