"""The platform around the workloads: namespaces, network, edge, ingress, mesh, scaling,
monitoring and recovery.
"""

from __future__ import annotations

from collections.abc import Iterable

from orion_dsl import aws_regions, model
from orion_dsl import declarations as decl
from orion_dsl.choices import DescribedKind, PathMatch, RatePer, SharedKind
from orion_dsl.decode import L, Settings, written
from orion_dsl.diagnostics import Related, did_you_mean
from orion_dsl.semantic import metadata
from orion_dsl.semantic.merge import merge
from orion_dsl.semantic.resolver_base import ResolverBase, declared
from orion_dsl.source import Span
from orion_dsl.values import PortRef


def host_paths(h: decl.HostDecl) -> tuple[tuple[PathMatch, str], ...]:
    """The paths an ingress host line matches, its prefixes then its exact paths (none: every path)."""
    return (*(("prefix", p.value) for p in h.prefix), *(("exact", p.value) for p in h.exact))


class PlatformResolver(ResolverBase):
    """Builds everything of the topology that is not a workload."""

    def namespace(self, d: decl.NamespaceDecl, names: set[str]) -> model.Namespace:
        """A namespace with its quota (defaults merged), shared objects and labels."""
        quota_decl = merge(self.spec.defaults.quota if self.spec.defaults else None, d.defaults.quota if d.defaults else None)
        quota = None
        if quota_decl is not None:
            quota = model.Quota(written(quota_decl.cpu), written(quota_decl.memory), written(quota_decl.pods), written(quota_decl.volume_claims))
        shared = []
        groups: tuple[tuple[SharedKind, tuple[decl.SharedDecl, ...]], ...] = (("config", d.shared_configs), ("secret", d.shared_secrets))
        for kind, group in groups:
            for s in group:
                self.check_name(s.name, f"shared {kind}")
                readers = tuple(r for r in (self.workload_ref(ref, names) for ref in s.readers) if r)
                shared.append(model.Shared(written(s.name, ""), kind, readers, span=s.span))
        self.subnet_ref(d.subnet)
        self.diags.extend(metadata.problems(d.labels, "label", "labels", metadata.NAMESPACE_KEYS))
        if d.external is not None and d.external.value:
            managed = (
                (d.labels[0] if d.labels else None, "labels"),
                (d.defaults.quota if d.defaults else None, "a quota"),
                (d.pod_security, "Pod Security labels"),
                (d.limit_range, "LimitRange"),
            )
            for part, what in managed:
                if part is not None:
                    help = "remove it, or let ORION manage the namespace (leave out `external`)"
                    self.report("E0221", part.span, f"namespace {written(d.name)} is external: ORION writes no {what} for it", help)
            if d.default_deny is not None and d.default_deny.value == "all":
                help = "write `default_deny orion` (what an external namespace does anyway), or leave out `external`"
                self.report("E0221", d.default_deny.span, f"namespace {written(d.name)} is external: its default-deny isolates ORION's pods only", help)
        settings = Settings(decl.NamespaceDecl, d)
        return model.Namespace(
            name=written(d.name, ""),
            description=settings.description,
            mesh=settings.mesh,
            subnet=written(d.subnet),
            labels=tuple(label.value for label in d.labels),
            same_namespace=any(a.value == "same-namespace" for a in d.allow),
            quota=quota,
            shared=tuple(shared),
            external=settings.external,
            pod_security=settings.pod_security,
            limit_range=settings.limit_range,
            default_deny=settings.default_deny,
            span=d.span,
        )

    def external(self, d: decl.ExternalDecl) -> model.External:
        """An allow-listed external service; it needs a host and a port."""
        if not d.hosts and not d.wrote("host"):
            self.report("E0115", d.keyword_span, f'external "{written(d.name)}" needs "host"', 'add `host "api.example.com"`')
        if not d.ports and not d.wrote("port"):
            self.report("E0115", d.keyword_span, f'external "{written(d.name)}" needs "port"', "add `port https 443`")
        name = written(d.name, "")
        via_gateway = written(d.via) == "egress_gateway"
        description = Settings(decl.ExternalDecl, d).description
        hosts = tuple(h.value for h in d.hosts)
        addresses = tuple(a.value for a in d.addresses)
        return model.External(name, hosts, self.port_list(d.ports, name, service=False), via_gateway, description, span=d.span, addresses=addresses)

    def network(self, names: set[str]) -> model.Network:
        """The network posture and its explicit allow/deny rules, names resolved."""
        d = self.spec.network
        dns = Settings(decl.NetworkDecl, d).dns == "allow"
        if d is None:
            return model.Network(dns, (), ())
        scopes = names | set(self.namespaces) | set(self.externals)
        return model.Network(
            dns=dns,
            allows=tuple(x for r in d.allows if (x := self.policy_rule(r, scopes))),
            denies=tuple(x for r in d.denies if (x := self.policy_rule(r, scopes))),
            internet=Settings(decl.NetworkDecl, d).internet == "allow",
            api_server=tuple(a.value for a in d.api_server),
        )

    def policy_rule(self, r: decl.PolicyRuleDecl, scopes: set[str]) -> model.PolicyRule | None:
        """One allow/deny rule with its scopes resolved (workload, namespace or external), or None if it cannot be."""
        if r.source is None or r.target is None:
            return None
        target_name = r.target.value.target if isinstance(r.target.value, PortRef) else str(r.target.value)
        for scope, span in ((r.source.value, r.source.span), (target_name, r.target.span)):
            if scope in self.namespaces and (scope in self.namespace_of or scope in self.externals):
                self.report("E0203", span, f'"{scope}" names both a namespace and a workload; the rule cannot tell which', "rename one of them")
                return None
        if r.source.value in self.externals:
            self.report(
                "E0201",
                r.source.span,
                f'"{r.source.value}" is an external service: a rule starts at a workload or a namespace',
                "externals are only reached (egress); traffic from outside enters through the ingress",
            )
        else:
            self.workload_ref(r.source, scopes - set(self.externals), "workload or namespace")
        value = r.target.value
        if isinstance(value, PortRef):
            if value.target in self.namespaces:
                self.namespace_port(L(value, span=r.target.span))
            else:
                self.port_of(L(value, span=r.target.span), "rule target")
            return model.PolicyRule(r.source.value, value.target, value.port, span=r.span)
        self.workload_ref(L(str(value), span=r.target.span), scopes, "workload, namespace or external")
        return model.PolicyRule(r.source.value, str(value), None, span=r.span)

    def namespace_port(self, ref: L[PortRef]) -> None:
        """Report a rule's ``namespace:port`` that no workload of the namespace exposes."""
        exposed = [p for w, ns in self.namespace_of.items() if ns == ref.value.target for p in self.ports.get(w, ())]
        if not any(p.known_as(ref.value.port) for p in exposed):
            self.report(
                "E0202",
                ref.span,
                f'no workload of namespace "{ref.value.target}" exposes port "{ref.value.port}"',
                did_you_mean(str(ref.value.port), sorted({str(n) for p in exposed for n in (p.name, p.number, p.service_port)})),
            )

    def edge(self) -> tuple[model.Described, ...]:
        """The described-only pieces in front of the cluster."""
        e = self.spec.edge
        if e is None:
            return ()
        groups: tuple[tuple[DescribedKind, tuple[decl.DescribedDecl, ...]], ...] = (
            ("cdn", e.cdn),
            ("load_balancer", e.load_balancers),
            ("geodns", e.geodns),
            ("region", e.regions),
        )
        return tuple(self.described(kind, x) for kind, group in groups for x in group)

    @staticmethod
    def described(kind: DescribedKind, d: decl.DescribedDecl) -> model.Described:
        """One described-only piece of the edge."""
        settings = Settings(decl.DescribedDecl, d)
        provides = tuple(p.value for p in d.provides)
        regions = tuple(r.value for r in d.regions)
        ranges = tuple(r.value for r in d.ranges)
        return model.Described(kind, written(d.name, ""), settings.description, provides, regions, settings.load_balancer, ranges)

    def ingress(self, names: set[str]) -> model.Ingress | None:
        """The ingress controller, its hosts resolved to workload ports."""
        d = self.spec.ingress
        if d is None:
            return None
        if d.namespace is not None and d.namespace.value not in self.namespaces:
            declare = f"declare `namespace {d.namespace.value} {{ ... }}`: the gateway runs in a namespace of the spec, its own or its workloads'"
            hint = did_you_mean(d.namespace.value, self.namespaces)
            self.report("E0201", d.namespace.span, f'unknown namespace "{d.namespace.value}"', f"{declare} ({hint})" if hint else declare)
        hosts = [
            model.Host(h.host.value, *to, paths=host_paths(h), span=h.span)
            for h in d.hosts
            if h.host is not None and (to := self.workload_port(h.target, "host target"))
        ]
        issuer = d.tls.issuer if d.tls else None
        for h in d.hosts:
            if d.tls is not None and h.host is not None and model.catch_all(h.host.value):
                help = 'name the hosts the certificate is for (a wildcard is a leading "*." label: "*.example.com"), or serve "*" without `tls`'
                self.report("E0221", h.host.span, 'the catch-all host "*" cannot have a certificate: a certificate names its hosts', help)
        issuers = declared(self.spec.certificates.issuers) if self.spec.certificates else set()
        if issuer is not None and issuer.value not in issuers:
            self.unknown(issuer, "certificate issuer", issuers)
        self.subnet_ref(d.subnet)
        edge = self.spec.edge
        proxies = {x.name.value for x in ((*edge.cdn, *edge.load_balancers) if edge else ()) if x.name is not None}
        # a layer-4 load balancer passes connections through and appends no X-Forwarded-For entry: not a trusted hop
        passing = {x.name.value for x in (edge.load_balancers if edge else ()) if x.name is not None and Settings(decl.LoadBalancerDecl, x).layer == 4}
        for name in d.behind:
            if name.value not in proxies:
                self.unknown(name, "proxy in front (a `cdn` or `load_balancer` of the edge block)", proxies)
        settings = Settings(decl.IngressDecl, d)
        if settings.controller == "istio":
            self.route_paths(hosts)
        return model.Ingress(
            name=written(d.name, "ingress"),  # a name left out is reported
            controller=settings.controller,
            namespace=written(d.namespace, ""),  # likewise
            subnet=written(d.subnet),
            address=written(d.address),
            replicas=settings.replicas,
            balance=settings.balance,
            listen=tuple(model.Port({443: "https", 80: "http"}.get(p.number, f"port-{p.number}"), p.number, p.protocol) for p in settings.listen),
            rate_limit=_rate(d.rate_limit),
            request_buffering=settings.request_buffering,
            compression=settings.compression,
            cors_origins=tuple(o.value for o in d.cors.origins) if d.cors else (),
            cors_methods=tuple(m.value for m in d.cors.methods) if d.cors else (),
            waf=written(d.waf.engine) if d.waf else None,
            tls_minimum=written(d.tls.minimum) if d.tls else None,
            tls_issuer=written(issuer),
            hosts=tuple(hosts),
            behind=tuple(b.value for b in d.behind),
            forwarded_by=tuple(b.value for b in d.behind if b.value in proxies and b.value not in passing),
            waf_mode=Settings(decl.WafDecl, d.waf).mode if d.waf else "block",
            waf_module=written(d.waf.module) if d.waf else None,
            span=d.span,
        )

    def route_paths(self, hosts: list[model.Host]) -> None:
        """The lines of one host that reach one Service port fold into one HTTPRoute rule, which takes at most 64
        matches (HTTPRouteRule.matches, Gateway API v1.5.1); hosts of other paths get routes of their own."""
        lines: dict[tuple[str, str, str], list[model.Host]] = {}
        for h in hosts:
            lines.setdefault((h.host, h.target, h.port.name), []).append(h)
        for (host, target, port), same in lines.items():
            count = len(model.folded_paths(same))
            if count > 64:
                summary = f'"{host}" matches {count} paths at {target}:{port}, and a route takes at most 64'
                self.report("E0216", same[-1].span, summary, "match fewer, broader prefixes")

    def issuers(self) -> tuple[model.Issuer, ...]:
        """The certificate issuers."""
        c = self.spec.certificates
        for i in c.issuers if c else ():
            self.check_name(i.name, "issuer")
        return tuple(
            model.Issuer(written(i.name, ""), written(i.acme, ""), written(i.email, ""), written(i.renew_before), written(i.dns01), span=i.span)
            for i in (c.issuers if c else ())
        )

    def mesh(self, names: set[str]) -> model.Mesh | None:
        """The mesh settings, the JWT workload resolved."""
        d = self.spec.mesh
        if d is None:
            return None
        jwt = None
        if d.jwt is not None:
            at = self.workload_ref(d.jwt.at, names)
            j = d.jwt
            jwt = model.Jwt(
                written(j.issuer, ""),
                written(j.jwks, ""),
                at or "",
                tuple(p.value for p in j.protect),
                audiences=tuple(a.value for a in j.audiences),
                public=tuple(p.value for p in j.public),
            )
        eg = d.egress_gateway
        gateway = Settings(decl.EgressGatewayDecl, eg)
        settings = Settings(decl.MeshDecl, d)
        return model.Mesh(
            mtls=settings.mtls,
            sidecar_resources=self.resources(d.sidecar_resources) if d.sidecar_resources and d.sidecar_resources.none is None else None,
            tracing_sampling=written(d.tracing.sampling) if d.tracing else None,
            access_log=settings.access_log,
            jwt=jwt,
            egress_gateway=model.EgressGateway(gateway.namespace, gateway.tls_origination, gateway.sni_routing, span=eg.span) if eg else None,
            egress_rate_limit=_rate(d.egress_rate_limit),
            cost_tracking=settings.cost_tracking,
            span=d.span,
        )

    def scaling(self) -> model.Scaling:
        """Vertical autoscaling mode and the cluster autoscaler's bounds."""
        d = self.spec.scaling
        if d is None:
            return model.Scaling(None, None)
        cluster = None
        if d.cluster is not None and d.cluster.nodes is not None:
            nodes = d.cluster.nodes.value
            if nodes.low > nodes.high:
                self.report(
                    "E0206",
                    d.cluster.nodes.span,
                    f"the node range {nodes.low}..{nodes.high} has its minimum above its maximum",
                    f"write {nodes.high}..{nodes.low}",
                )
            cluster = model.ClusterScaling(nodes.low, nodes.high, written(d.cluster.scale_down_below))
        return model.Scaling(written(d.vertical), cluster)

    def monitoring(self, names: set[str]) -> model.Monitoring | None:
        """The scraper, alert rules and the logging/alerting/dashboard workloads."""
        d = self.spec.monitoring
        if d is None:
            return None
        scraper = self.workload_ref(d.scraper, names) or ""
        for ref in (d.logging, d.alerting, d.dashboards):
            self.workload_ref(ref, names)
        alerts = tuple(self.alert(a) for a in d.alerts if a.name)
        settings = Settings(decl.MonitoringDecl, d)
        return model.Monitoring(
            scraper,
            settings.port,
            settings.path,
            written(d.interval),
            alerts,
            written(d.logging),
            written(d.alerting),
            written(d.dashboards),
            written(d.retention),
            settings.receiver,
        )

    @staticmethod
    def alert(d: decl.AlertDecl) -> model.Alert:
        """One alert rule (its expression left out is reported)."""
        settings = Settings(decl.AlertDecl, d)
        return model.Alert(written(d.name, ""), written(d.expr, ""), written(d.for_), settings.severity, settings.summary)

    def recovery(self, names: set[str]) -> model.Recovery | None:
        """Backup targets, replication, archive, cluster backup and objectives."""
        d = self.spec.recovery
        if d is None:
            return None
        targets = self.unique(((t.name, t) for t in d.targets), "backup target")
        for t in d.targets:
            self.check_name(t.name, "backup target")
            self.check_region(t)
        replications = []
        for r in d.replicate:
            self.target_ref(r.source)
            self.target_ref(r.target)
            if r.source and r.target:
                replications.append((r.source.value, r.target.value))
        cb = d.cluster_backup
        if cb is not None:
            self.target_ref(cb.to)
        objectives = []
        for o in d.objectives:
            covers = tuple(c for c in (self.workload_ref(ref, names) for ref in o.covers) if c)
            if o.rpo and o.name:
                self.spans[("rpo", o.name.value)] = o.rpo.span
            if o.name and o.rto and o.rpo:
                objectives.append(model.Objective(o.name.value, o.rto.value, o.rpo.value, covers))
        return model.Recovery(
            targets=tuple(self.backup_target(name, t) for name, t in targets.items()),
            replications=tuple(replications),
            archive=(written(d.archive.tier, ""), d.archive.after.value) if d.archive and d.archive.after else None,  # a tier left out is reported
            cluster_backup=model.ClusterBackup(written(cb.tool, "velero"), cb.every.value, written(cb.at), cb.to.value, written(cb.retention), span=cb.span)
            if cb and cb.every and cb.to
            else None,
            config_in_git=written(d.config_in_git),
            objectives=tuple(objectives),
        )

    def check_region(self, d: decl.TargetDecl) -> None:
        """Report an s3 target's region that AWS does not have (E0218): Velero would fail every backup, not the compile.

        Only ``kind s3`` is AWS; a ``gcs`` or ``azure`` target's region is its cloud's, not checked.
        """
        region = d.region
        if region is None or Settings(decl.TargetDecl, d).kind != "s3" or region.value in aws_regions.REGIONS:
            return
        self.report(
            "E0218",
            region.span,
            f'target "{written(d.name)}" names "{region.value}", which is not an AWS region',
            f"write the code of the AWS region the bucket is in; {did_you_mean(region.value, aws_regions.REGIONS)}",
        )

    @staticmethod
    def backup_target(name: str, d: decl.TargetDecl) -> model.BackupTarget:
        """Where backups go (its bucket left out is reported)."""
        settings = Settings(decl.TargetDecl, d)
        addresses = tuple(a.value for a in d.addresses)
        return model.BackupTarget(name, settings.kind, written(d.region), written(d.bucket, ""), settings.encrypted, addresses)

    def unique_names(self, spec: decl.SpecDecl) -> None:
        """Names that become object names or headings must be unique in their kind."""
        if spec.recovery is not None:
            self.unique(((o.name, o) for o in spec.recovery.objectives), "objective")
        if spec.monitoring is not None:
            self.unique(((a.name, a) for a in spec.monitoring.alerts), "alert")
        if spec.certificates is not None:
            self.unique(((i.name, i) for i in spec.certificates.issuers), "issuer")
        if spec.security is not None:
            self.unique(((layer.name, layer) for layer in spec.security.layers), "security layer")
        if spec.edge is not None:
            e = spec.edge
            self.unique(((x.name, x) for x in (*e.cdn, *e.load_balancers, *e.geodns, *e.regions)), "edge piece")
        if spec.ingress is not None:
            self.unique_routes(spec.ingress.hosts)
        for ns in spec.namespaces:
            self.unique(((s.name, s) for s in (*ns.shared_configs, *ns.shared_secrets)), f'shared config or secret of "{written(ns.name)}"')

    def unique_routes(self, hosts: Iterable[decl.HostDecl]) -> None:
        """One host may send some paths elsewhere (`prefix "/api"`), but each of its path matches, or every path, once:
        a second line of the same match would leave which target answers to the order of the objects."""
        seen: dict[tuple[str, str, str], Span] = {}
        for h in hosts:
            if h.host is None:
                continue
            stated: list[tuple[str, L[str] | None]] = [*(("prefix", p) for p in h.prefix), *(("exact", p) for p in h.exact)]
            for kind, path in stated or [("", None)]:
                key = (h.host.value, kind, path.value if path is not None else "")
                where = path.span if path is not None else h.host.span
                if key not in seen:
                    seen[key] = where
                    continue
                what = f"{kind} {path.value}" if path is not None else "every path"
                summary = f'ingress host "{h.host.value}" routes {what} twice'
                self.report("E0203", where, summary, "remove one of the lines, or give them other paths", (Related(seen[key], "first routed here"),))


def _rate(d: decl.RateDecl | None) -> tuple[int, RatePer] | None:
    """A rate limit written with its amount (``per`` defaulted), else None."""
    if d is None or d.amount is None:
        return None
    per: RatePer = Settings(decl.RateDecl, d).per
    return d.amount.value, per
