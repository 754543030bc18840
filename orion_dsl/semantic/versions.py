"""Versions of a service side by side, and the traffic routed to them: resolved and checked.

A service's ``version`` blocks become one Deployment each behind the service's one Service; its
``traffic`` block says how calls reach them (weights, matches on a header or cookie, mirroring,
faults, a match's own timeout and retries), which only the callers' sidecars can do: it needs the
mesh. What cannot be resolved is reported with its span and left out.
"""

from __future__ import annotations

from orion_dsl import declarations as decl
from orion_dsl import model
from orion_dsl.decode import L, Settings, written
from orion_dsl.semantic.resolver_base import ResolverBase
from orion_dsl.values import Duration


def retries(d: decl.RetriesDecl | None) -> model.Retries | None:
    """A ``retries`` statement (of ``resilience`` or a traffic ``match``) as the model holds it (attempts left out are reported by the decoder)."""
    return model.Retries(written(d.attempts, 1), written(d.per_try), written(d.on)) if d else None


class VersionResolver(ResolverBase):
    """Builds a workload's :class:`~orion_dsl.model.Version` s and :class:`~orion_dsl.model.Traffic`."""

    def versions(self, d: decl.WorkloadDecl, name: str, kind: model.WorkloadKind, replicas: int) -> tuple[model.Version, ...]:
        """Each ``version`` block (its replicas the service's unless written; its ``env`` is resolved with the calls,
        :meth:`~orion_dsl.semantic.workloads.WorkloadResolver.with_links`); one a statefulset, a blue-green pair or
        an autoscaled service cannot have is reported (each version is a Deployment with its own count)."""
        if not d.versions:
            return ()
        first = d.versions[0].keyword_span
        if kind == "statefulset":
            self.report("E0215", first, "a statefulset cannot run versions side by side", "stateful sets replace pods one by one; use a `service`")
        if d.blue_green is not None:
            self.report("E0221", first, "versions and blue_green exclude each other: both run several Deployments", "keep the versions, or the blue_green pair")
        if d.autoscale is not None:
            help = "remove autoscale and give each version its `replicas`, or run one version"
            self.report("E0221", d.autoscale.keyword_span, f'"{name}" runs one Deployment per version, and autoscale scales one Deployment', help)
        for v in d.versions:
            self.check_name(v.name, "version")
            self.unique(((e.name, e) for e in v.env), f'environment variable of version "{written(v.name, "")}" of "{name}"')
        self.unique(((v.name, v) for v in d.versions), f'version of "{name}"')
        found = {
            v.name.value: model.Version(
                v.name.value, written(v.image, ""), written(v.replicas, replicas), args=tuple(a.value for a in v.args) if v.args else None, span=v.span
            )
            for v in d.versions
            if v.name
        }
        return tuple(found.values())

    def traffic(
        self, d: decl.WorkloadDecl, name: str, versions: tuple[model.Version, ...], meshed: bool, around: model.Resilience | None
    ) -> model.Traffic | None:
        """The traffic block: it needs the mesh and a port; every version it names is one of the workload's."""
        t = d.traffic
        if t is None:
            return None
        if not meshed:
            help = "turn `mesh on` in the workload's namespace, or remove traffic"
            self.report("E0221", t.keyword_span, "traffic needs the mesh: the callers' sidecars route, mirror and fault the calls", help)
        if not d.ports:
            self.report("E0221", t.keyword_span, f'traffic needs a port: "{name}" has no Service to route calls to', "add a `port`, or remove traffic")
        known = tuple(v.name for v in versions)
        matches = tuple(m for m in (self._match(md, known, around) for md in t.matches) if m is not None)
        return model.Traffic(self._split(t, known), matches, self._rules(t, known), span=t.span)

    def _version(self, ref: L[str] | None, known: tuple[str, ...], what: str) -> str | None:
        """A version a traffic statement names, or None after reporting it unknown (no versions: they are needed)."""
        if ref is None:
            return None
        if not known:
            help = f"declare `version {ref.value} {{ image ... }}` in the service"
            self.report("E0221", ref.span, f"{what} needs versions: the service runs one Deployment", help)
            return None
        if ref.value not in known:
            self.unknown(ref, "version", known)
            return None
        return ref.value

    def _split(self, t: decl.TrafficDecl, known: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        """``split v1 90%, v2 10%``: version and weight pairs, each version once, the weights adding up to 100%."""
        values = t.split
        if not values:
            return ()
        pairs = [(values[i], values[i + 1] if i + 1 < len(values) else None) for i in range(0, len(values), 2)]
        found: dict[str, int] = {}
        for version, weight in pairs:
            if not isinstance(version.value, str) or weight is None or not isinstance(weight.value, int):
                problem = "split takes a version and its weight, then the next: `split v1 90%, v2 10%`"
                self.report("E0111", version.span, problem, "write each version followed by its percentage")
                return ()
            name = self._version(L(version.value, span=version.span), known, "split")
            if name is not None and name in found:
                self.report("E0114", version.span, f'split names version "{name}" twice', "give each version one weight")
            elif name is not None:
                found[name] = weight.value
        total = sum(int(w.value) for _, w in pairs if w is not None and isinstance(w.value, int))
        if total != 100:
            help = f"make the weights add up to 100% ({'add' if total < 100 else 'take away'} {abs(100 - total)}%)"
            self.report("E0214", t.split[0].span, f"the split weights add up to {total}%, not 100%", help)
        return tuple(found.items())

    def _rules(self, d: decl.RouteRulesDecl, known: tuple[str, ...]) -> model.RouteRules:
        """Mirroring and faults of a route: the mirror is a version; an abort's status one Istio accepts."""
        mirror = d.mirror
        target = self._version(mirror.version, known, "mirror") if mirror is not None else None
        delay, abort = d.delay, d.abort
        return model.RouteRules(
            mirror=(target, Settings(decl.MirrorDecl, mirror).percent) if target is not None else None,
            delay=(delay.duration.value, Settings(decl.DelayDecl, delay).percent) if delay is not None and delay.duration is not None else None,
            abort=(abort.status.value, Settings(decl.AbortDecl, abort).percent) if abort is not None and abort.status is not None else None,
        )

    def _match(self, d: decl.MatchDecl, known: tuple[str, ...], around: model.Resilience | None) -> model.TrafficMatch | None:
        """One match: its version is the workload's; its timeout and retries replace the workload's resilience's, where written."""
        version = self._version(d.target, known, "match")
        rules = self._rules(d, known)
        if version is None or d.key is None or d.name is None or d.value is None:
            return None
        timeout: Duration | None = written(d.timeout, around.timeout if around else None)
        tries = retries(d.retries) or (around.retries if around else None)
        resilience = model.Resilience(timeout, tries, None) if timeout is not None or tries is not None else None
        return model.TrafficMatch(d.key.value, d.name.value, d.value.value, version, rules, resilience, span=d.span)
