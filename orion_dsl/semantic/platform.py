"""The platform around the workloads: namespaces, network, edge, ingress, mesh, scaling,
monitoring and recovery.
"""

from __future__ import annotations

import re

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.decode import L
from orion_dsl.diagnostics import did_you_mean
from orion_dsl.semantic.merge import merge
from orion_dsl.semantic.resolver_base import ResolverBase, _v, declared
from orion_dsl.values import PortRef

_LABEL = re.compile(r"^[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$")


def _valid_label(key: str, value: str) -> bool:
    """Kubernetes label rules: key and value at most 63 characters of [-_.a-zA-Z0-9], alphanumeric at both ends.

    (A key is a spec keyword, so it never has a ``prefix/``.)
    """
    return len(key) <= 63 and bool(_LABEL.match(key)) and (value == "" or (len(value) <= 63 and bool(_LABEL.match(value))))


class PlatformResolver(ResolverBase):
    """Builds everything of the topology that is not a workload."""

    def namespace(self, d: decl.NamespaceDecl, names: set[str]) -> model.Namespace:
        """A namespace with its quota (defaults merged), shared objects and labels."""
        quota_decl = merge(self.spec.defaults.quota if self.spec.defaults else None, d.defaults.quota if d.defaults else None)
        quota = model.Quota(_v(quota_decl.cpu), _v(quota_decl.memory), _v(quota_decl.pods), _v(quota_decl.volume_claims)) if quota_decl else None
        shared = []
        for kind, group in (("config", d.shared_configs), ("secret", d.shared_secrets)):
            for s in group:
                self.check_name(s.name, f"shared {kind}")
                readers = tuple(r for r in (self.workload_ref(ref, names) for ref in s.readers) if r)
                shared.append(model.Shared(_v(s.name), kind, readers, span=s.span))
        self.subnet_ref(d.subnet)
        for label in d.labels:
            if not _valid_label(*label.value):
                self.report(
                    "E0204",
                    label.span,
                    f'label "{label.value[0]}" cannot become a Kubernetes label',
                    "keys and values: at most 63 letters, digits, '-', '_' or '.'",
                )
        return model.Namespace(
            name=_v(d.name),
            description=_v(d.description, ""),
            mesh=_v(d.mesh, False),
            subnet=_v(d.subnet),
            labels=tuple(label.value for label in d.labels),
            same_namespace=any(a.value == "same-namespace" for a in d.allow),
            quota=quota,
            shared=tuple(shared),
            span=d.span,
        )

    def external(self, d: decl.ExternalDecl) -> model.External:
        """An allow-listed external service; it needs a host and a port."""
        if not d.hosts:
            self.report("E0115", d.keyword_span, f'external "{_v(d.name)}" needs "host"', 'add `host "api.example.com"`')
        if not d.ports:
            self.report("E0115", d.keyword_span, f'external "{_v(d.name)}" needs "port"', "add `port https 443`")
        return model.External(
            _v(d.name), tuple(h.value for h in d.hosts), self.port_list(d.ports, _v(d.name, "")), _v(d.via) == "egress_gateway", _v(d.description, ""),
            span=d.span,
        )

    def network(self, names: set[str]) -> model.Network:
        """The network posture and its explicit allow/deny rules, names resolved."""
        d = self.spec.network
        if d is None:
            return model.Network(True, (), ())
        scopes = names | set(self.namespaces) | set(self.externals)

        def rule(r: decl.PolicyRuleDecl) -> model.PolicyRule | None:
            """One allow/deny rule with its scopes resolved (workload, namespace or external)."""
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
            if isinstance(value, PortRef) and value.target in self.namespaces:
                exposed = [p for w, ns in self.namespace_of.items() if ns == value.target for p in self.ports.get(w, ())]
                ports: set[str | int] = {p.name for p in exposed} | {p.number for p in exposed}
                if value.port not in ports:
                    self.report(
                        "E0202",
                        r.target.span,
                        f'no workload of namespace "{value.target}" exposes port "{value.port}"',
                        did_you_mean(str(value.port), [str(p) for p in ports]),
                    )
                return model.PolicyRule(_v(r.source), value.target, value.port, span=r.span)
            if isinstance(value, PortRef):
                self.port_of(L(value, span=r.target.span), "rule target")
                return model.PolicyRule(_v(r.source), value.target, value.port, span=r.span)
            self.workload_ref(L(str(value), span=r.target.span), scopes, "workload, namespace or external")
            return model.PolicyRule(_v(r.source), str(value), None, span=r.span)

        return model.Network(
            dns=_v(d.dns, "allow") == "allow",
            allows=tuple(x for x in map(rule, d.allows) if x),
            denies=tuple(x for x in map(rule, d.denies) if x),
        )

    def edge(self) -> tuple[model.Described, ...]:
        """The described-only pieces in front of the cluster."""
        e = self.spec.edge
        if e is None:
            return ()
        return tuple(
            model.Described(
                kind, _v(x.name), _v(x.description, ""), tuple(p.value for p in x.provides), tuple(r.value for r in x.regions), _v(x.load_balancer, "")
            )
            for kind, group in (("cdn", e.cdn), ("load_balancer", e.load_balancers), ("geodns", e.geodns), ("region", e.regions))
            for x in group
        )

    def ingress(self, names: set[str]) -> model.Ingress | None:
        """The ingress controller, its hosts resolved to workload ports."""
        d = self.spec.ingress
        if d is None:
            return None
        self.workload_ref(d.namespace, set(self.namespaces), "namespace")
        hosts = [model.Host(h.host.value, *to, span=h.span) for h in d.hosts if h.host is not None and (to := self.workload_port(h.target, "host target"))]
        issuer = d.tls.issuer if d.tls else None
        issuers = declared(self.spec.certificates.issuers) if self.spec.certificates else set()
        if issuer is not None and issuer.value not in issuers:
            self.unknown(issuer, "certificate issuer", issuers)
        self.subnet_ref(d.subnet)
        rate = (_v(d.rate_limit.amount), _v(d.rate_limit.per, "second")) if d.rate_limit and d.rate_limit.amount else None
        return model.Ingress(
            name=_v(d.name, "ingress"),
            namespace=_v(d.namespace, ""),
            subnet=_v(d.subnet),
            address=_v(d.address),
            replicas=_v(d.replicas, 1),
            balance=_v(d.balance, "round-robin"),
            listen=tuple(model.Port("https" if p.value.number == 443 else f"port-{p.value.number}", p.value.number, p.value.protocol) for p in d.listen)
            or (model.Port("https", 443),),
            rate_limit=rate,
            request_buffering=_v(d.request_buffering, False),
            compression=_v(d.compression, False),
            cors_origins=tuple(o.value for o in d.cors.origins) if d.cors else (),
            cors_methods=tuple(m.value for m in d.cors.methods) if d.cors else (),
            waf=_v(d.waf),
            tls_minimum=_v(d.tls.minimum) if d.tls else None,
            tls_issuer=_v(issuer),
            hosts=tuple(hosts),
            span=d.span,
        )

    def issuers(self) -> tuple[model.Issuer, ...]:
        """The certificate issuers."""
        c = self.spec.certificates
        for i in c.issuers if c else ():
            self.check_name(i.name, "issuer")
        return tuple(model.Issuer(_v(i.name), _v(i.acme, ""), _v(i.email, ""), _v(i.renew_before), _v(i.dns01), span=i.span) for i in (c.issuers if c else ()))

    def mesh(self, names: set[str]) -> model.Mesh | None:
        """The mesh settings, the JWT workload resolved."""
        d = self.spec.mesh
        if d is None:
            return None
        jwt = None
        if d.jwt is not None:
            at = self.workload_ref(d.jwt.at, names)
            jwt = model.Jwt(_v(d.jwt.issuer, ""), _v(d.jwt.jwks, ""), at or "", tuple(p.value for p in d.jwt.protect))
        eg = d.egress_gateway
        return model.Mesh(
            mtls=_v(d.mtls, "strict"),
            sidecar_resources=self.resources(d.sidecar_resources) if d.sidecar_resources else None,
            tracing_sampling=_v(d.tracing.sampling) if d.tracing else None,
            access_log=_v(d.access_log, False),
            jwt=jwt,
            egress_gateway=model.EgressGateway(_v(eg.namespace, "istio-system"), _v(eg.tls_origination, False), _v(eg.sni_routing, False)) if eg else None,
            egress_rate_limit=(_v(d.egress_rate_limit.amount), _v(d.egress_rate_limit.per, "second"))
            if d.egress_rate_limit and d.egress_rate_limit.amount
            else None,
            cost_tracking=_v(d.cost_tracking, False),
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
            cluster = model.ClusterScaling(nodes.low, nodes.high, _v(d.cluster.scale_down_below))
        return model.Scaling(_v(d.vertical), cluster)

    def monitoring(self, names: set[str]) -> model.Monitoring | None:
        """The scraper, alert rules and the logging/alerting/dashboard workloads."""
        d = self.spec.monitoring
        if d is None:
            return None
        scraper = self.workload_ref(d.scraper, names) or ""
        for ref in (d.logging, d.alerting, d.dashboards):
            self.workload_ref(ref, names)
        alerts = tuple(model.Alert(_v(a.name), _v(a.expr, ""), _v(a.for_), _v(a.severity, "warning"), _v(a.summary, "")) for a in d.alerts if a.name)
        return model.Monitoring(scraper, _v(d.port, "metrics"), _v(d.path, "/metrics"), _v(d.interval), alerts, _v(d.logging), _v(d.alerting), _v(d.dashboards))

    def recovery(self, names: set[str]) -> model.Recovery | None:
        """Backup targets, replication, archive, cluster backup and objectives."""
        d = self.spec.recovery
        if d is None:
            return None
        targets = self.unique(((t.name, t) for t in d.targets), "backup target")
        for t in d.targets:
            self.check_name(t.name, "backup target", limit=63 - len("-credentials"))
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
            if o.rpo:
                self.spans[("rpo", _v(o.name))] = o.rpo.span
            if o.name and o.rto and o.rpo:
                objectives.append(model.Objective(_v(o.name), o.rto.value, o.rpo.value, covers))
        return model.Recovery(
            targets=tuple(model.BackupTarget(name, _v(t.kind, "s3"), _v(t.region), _v(t.bucket, ""), _v(t.encrypted, False)) for name, t in targets.items()),
            replications=tuple(replications),
            archive=(_v(d.archive.tier), d.archive.after.value) if d.archive and d.archive.after else None,
            cluster_backup=model.ClusterBackup(_v(cb.tool), cb.every.value, _v(cb.at), _v(cb.to), _v(cb.retention)) if cb and cb.every and cb.to else None,
            config_in_git=_v(d.config_in_git),
            objectives=tuple(objectives),
        )

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
            self.unique(((h.host, h) for h in spec.ingress.hosts), "ingress host")
        for ns in spec.namespaces:
            self.unique(((s.name, s) for s in (*ns.shared_configs, *ns.shared_secrets)), f'shared config or secret of "{_v(ns.name)}"')
