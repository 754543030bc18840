"""Values that become Kubernetes fields, checked against the rules the API server applies.

Each rule is checked where the value is written (in ``defaults`` too, once), so ``orion
check`` reports it with its position instead of ``kubectl apply`` refusing the output:

============================  ======================================  ===========================
spec value                    Kubernetes field                        rule (code)
============================  ======================================  ===========================
``image`` (also ``init``)     ``containers[].image``                  an image reference (E0216)
``exec`` check, ``command``   ``exec.command``, ``command``           a program first (E0216)
``at`` of volume, storage     ``volumeMounts[].mountPath``            an absolute path (E0216)
``route``                     gateway route path                      a URL path: ``/``, no spaces (E0216)
storage size                  PVC ``resources.requests.storage``      more than zero (E0216)
storage ``class``             ``storageClassName``                    DNS-1123 subdomain (E0204)
``security { user }``         ``runAsUser`` with ``runAsNonRoot``     not 0, root (E0216)
autoscaling metric target     HPA ``averageValue`` / ``value``        at least 1 (E0216)
``object`` metric             HPA ``describedObject.name`` (Service)  DNS-1035 label (E0204)
ingress and external hosts    Ingress ``rules[].host``, ServiceEntry  DNS-1123 subdomain, ``*.`` prefix
                              ``hosts``                               allowed, not an IP (E0216)
``egress_gateway namespace``  ``metadata.namespace``                  DNS-1123 label (E0204)
``blue_green`` versions       ``app.kubernetes.io/version`` selector  not empty, distinct as label values (E0216)
``resilience`` durations      Istio timeouts, outlier detection       at least 1ms (E0216)
``retries on``                Istio ``retryOn``                       known conditions or status codes (E0216)
``traffic`` faults, matches   Istio ``fault``, ``match.headers``      delay 1ms+, abort 200-599, lower-case header (E0216)
``blue_green`` colour image   ``containers[].image``                  a tag-able image without its own (E0216)
``jwt { jwks }``              RequestAuthentication ``jwksUri``       an http(s) URL (E0216)
issuer ``renew_before``       Certificate ``renewBefore``             5m or more, under 90d (E0216)
issuer ``email``              ClusterIssuer ``acme.email``            one address (E0216)
ingress ``cors``              nginx CORS annotations (lists)          origins, method tokens (E0216)
hosts via the egress gateway  ``egress-<host>`` VirtualService        one name per host, not a workload's (E0203)
============================  ======================================  ===========================

Rules checked elsewhere: names (:meth:`ResolverBase.check_name`), counts and amounts in
range (:mod:`orion_dsl.values`: int32 counts, int64 quantities, int32 seconds), strings
without surrogates or control characters, strings Kubernetes parses without format
characters (``FIELD_TEXT``) and required strings not empty (``FILLED``), mount paths
(:mod:`~orion_dsl.semantic.mounts`), namespaces Kubernetes owns (:mod:`~orion_dsl.semantic.owned`),
probe timing and thresholds, backup intervals, rollouts and budgets, read replicas (at most
100: each gets a Service), ``env`` sources and keys, ``headless`` and ``node_port`` against the
Service type (:mod:`~orion_dsl.semantic.workloads`), node ports in the API server's default range
(:meth:`ResolverBase.node_port`); names objects ORION makes
for a workload or the ingress controller take (:mod:`~orion_dsl.semantic.checks`). Label
values are derived valid instead (:func:`orion_dsl.model.label_value`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from orion_dsl import declarations as decl
from orion_dsl.decode import L, Settings, written
from orion_dsl.model import ANY_HOST, catch_all, label_value
from orion_dsl.semantic.resolver_base import DNS_1123_SUBDOMAIN, ResolverBase
from orion_dsl.values import Duration

#: The HTTP statuses Istio's validation accepts for an injected abort (HTTPFaultInjection.Abort ``httpStatus``).
ABORT_STATUSES = range(200, 600)

#: A host Kubernetes and Istio accept: DNS-1123 labels joined by dots, optionally after ``*.``.
_HOST = re.compile(r"^(\*\.)?" + DNS_1123_SUBDOMAIN.pattern.removeprefix("^"))
#: DNS-1035 label: a Service name (starts with a letter).
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")


#: The conditions Istio's validation accepts in ``retryOn`` (besides HTTP status codes).
RETRY_CONDITIONS = frozenset(
    {
        "5xx",
        "gateway-error",
        "reset",
        "reset-before-request",
        "connect-failure",
        "envoy-ratelimited",
        "retriable-4xx",
        "refused-stream",
        "retriable-status-codes",
        "retriable-headers",
        "http3-post-connect-failure",
        "cancelled",
        "deadline-exceeded",
        "internal",
        "resource-exhausted",
        "unavailable",
    }
)
#: How long cert-manager's certificates last (its default, 2160h): renewal starts before that.
CERTIFICATE_MILLIS = 90 * 86_400_000
_URL = re.compile(r"^https?://[^/\s]+")
#: An ACME account address: one "@" between parts without whitespace.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: A route of the gateway: a URL path.
_ROUTE_PATH = re.compile(r"^/\S*$")
#: An ingress host's path (HTTPPathMatch's value pattern for Exact and PathPrefix, Gateway API v1.5.1).
_INGRESS_PATH = re.compile(r"^/(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})*$")
#: The longest HTTPRoute path value (HTTPPathMatch.value ``maxLength``, Gateway API v1.5.1).
_ROUTE_PATH_MAX = 1024
#: An Exact or Prefix path ingress-nginx's admission webhook admits: letters, digits, ``/``, ``_`` and ``-``
#: (``strict-validate-path-type``, on by default; its FAQ "Validation of path").
_NGINX_PATH = re.compile(r"^/[A-Za-z0-9_/-]*$")
_CORS_ORIGIN = re.compile(r"^(\*|[a-z][a-z0-9+.-]*://[^\s,/]+)$")
_HTTP_METHOD = re.compile(r"^([A-Z]+|\*)$")
#: An image reference (the OCI distribution grammar): ``[host[:port]/]path[:tag][@digest]``.
_IMAGE_HOST = r"[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]*[a-zA-Z0-9])?)*(:[0-9]+)?"
_IMAGE_PATH_PART = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*"
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
#: A blue-green version: it replaces the tag of the workload's image.
_IMAGE_TAG = re.compile(rf"^{_TAG}$")
_IMAGE = re.compile(
    rf"^(?P<name>({_IMAGE_HOST}/)?{_IMAGE_PATH_PART}(/{_IMAGE_PATH_PART})*)"
    rf"(:{_TAG})?"
    r"(@[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$"
)
_IMAGE_NAME_LIMIT = 255


def image_reference(text: str) -> bool:
    """Whether the text is an image reference a container runtime pulls (ASCII, name at most 255 characters)."""
    match = _IMAGE.match(text) if text.isascii() else None
    return match is not None and len(match.group("name")) <= _IMAGE_NAME_LIMIT


def _checks(probes: decl.ProbesDecl | None) -> list[decl.CheckDecl]:
    """The health checks of a probes block, as written."""
    if probes is None:
        return []
    return [c for c in (probes.liveness, probes.readiness, probes.startup) if c is not None]


def _status_code(text: str) -> bool:
    """Whether the text is an HTTP status code (100-599)."""
    return text.isascii() and text.isdigit() and 100 <= int(text) <= 599


def _workload_decls(spec: decl.SpecDecl) -> Iterator[decl.WorkloadDecl]:
    """Every block that holds workload settings, as written: defaults, then each workload."""
    if spec.defaults is not None:
        yield spec.defaults
    for ns in spec.namespaces:
        if ns.defaults is not None:
            yield ns.defaults
        yield from ns.services
        yield from ns.statefulsets


#: The oldest Kubernetes and Istio that serve every API ORION writes, and what needs them.
PLATFORM_FLOORS: dict[str, tuple[tuple[int, int], str]] = {
    "kubernetes": ((1, 28), "the database Services select pods by apps.kubernetes.io/pod-index, set from 1.28"),
    "istio": ((1, 22), "networking.istio.io/v1, security.istio.io/v1 and telemetry.istio.io/v1 are served from 1.22"),
}
#: The Kubernetes release the Barman Cloud plugin needs (a CloudNativePG database's `full` or `wal`
#: backups): it adds its sidecar to the instances as a native sidecar, an init container with
#: ``restartPolicy: Always`` (plugin-barman-cloud@9967e2ca internal/cnpgi/operator/lifecycle.go),
#: which Kubernetes runs by default from 1.29 (SidecarContainers beta).
BARMAN_PLUGIN_FLOOR: tuple[tuple[int, int], str] = (
    (1, 29),
    "the Barman Cloud plugin adds its sidecar to CloudNativePG's pods as a native sidecar (an init container with restartPolicy Always), run from 1.29",
)


#: What an ``istio`` ingress needs (the Gateway API edge, docs/design/edge-gateway-api.md §6): Istio
#: 1.30 builds against Gateway API v1.5.1, where HTTPRoute's CORS filter is Standard, and fixes the
#: TLS minimum (TLSV1_3 was applied as TLS 1.1 before: istio/istio releasenotes/notes/58912.yaml);
#: istioctl 1.30 requires Kubernetes 1.32 (istioctl/pkg/install/k8sversion/version.go MinK8SVersion).
ISTIO_GATEWAY_FLOORS: dict[str, tuple[tuple[int, int], str]] = {
    "kubernetes": ((1, 32), "the ingress's Gateway is served by Istio 1.30, which supports Kubernetes 1.32 and later"),
    "istio": ((1, 30), "the ingress's Gateway and HTTPRoutes (Gateway API v1.5.1, the CORS filter) are served by Istio from 1.30"),
}


def platform_floor(platform: str, barman_plugin: bool, istio_gateway: bool) -> tuple[tuple[int, int], str]:
    """The oldest release of ``kubernetes`` or ``istio`` that serves what a spec makes ORION write,
    and what needs it: the highest of the base floor and those of the features the spec uses."""
    found = [PLATFORM_FLOORS[platform]]
    if barman_plugin and platform == "kubernetes":
        found.append(BARMAN_PLUGIN_FLOOR)
    if istio_gateway:
        found.append(ISTIO_GATEWAY_FLOORS[platform])
    return max(found, key=lambda floor: floor[0])


def uses_istio_gateway(spec: decl.SpecDecl) -> bool:
    """Whether the spec's ingress is served by Istio's Gateway API implementation (the default controller)."""
    ing = spec.ingress
    return ing is not None and (ing.controller is None or ing.controller.value == "istio")


def uses_barman_plugin(spec: decl.SpecDecl) -> bool:
    """Whether a CloudNativePG database of the spec backs up through the Barman Cloud plugin (the
    declarations' form of :func:`orion_dsl.engines.through_barman_plugin`: this check runs before the model exists)."""
    return any(
        w.engine is not None and w.engine.value == "cloudnative-pg" and any(b.kind is not None and b.kind.value in ("full", "wal") for b in w.backups)
        for ns in spec.namespaces
        for w in ns.statefulsets
    )


def _minor_version(text: str) -> tuple[int, int]:
    """``1.28.3`` -> (1, 28); a version without a minor is read as ``.0``.

    >>> _minor_version("1.22.1"), _minor_version("2")
    ((1, 22), (2, 0))
    """
    parts = [int(p) if p.isdigit() else 0 for p in text.lstrip("v").split(".")[:2]]
    return (parts[0], parts[1] if len(parts) > 1 else 0)


class FieldResolver(ResolverBase):
    """Checks the values of the spec that Kubernetes takes as they are."""

    def check_fields(self) -> None:
        """Report every value the API server (or Istio's validation) would refuse."""
        self._platform_versions()
        for w in _workload_decls(self.spec):
            self._workload_fields(w)
        if self.spec.ingress is not None:
            nginx = Settings(decl.IngressDecl, self.spec.ingress).controller == "ingress-nginx"
            for h in self.spec.ingress.hosts:
                if h.host is None or not catch_all(h.host.value):
                    self._host(h.host, "ingress host", f', or "{ANY_HOST}" for every host name')
                for path in (*h.prefix, *h.exact):
                    self._ingress_path(path, nginx)
        for e in self.spec.externals:
            for host in e.hosts:
                self._host(host, "external host")
        for issuer in self.spec.certificates.issuers if self.spec.certificates else ():
            self._renew_before(issuer.renew_before)
            email = issuer.email
            if email is not None and email.value and not _EMAIL.match(email.value):
                self.report("E0216", email.span, f'the ACME email "{email.value}" is not an email address', 'write one address such as "ops@example.com"')
        cors = self.spec.ingress.cors if self.spec.ingress is not None else None
        if cors is not None:
            self._cors(cors)
        mesh = self.spec.mesh
        if mesh is not None and mesh.egress_gateway is not None:
            self.check_name(mesh.egress_gateway.namespace, "egress gateway namespace")
        jwt = mesh.jwt if mesh is not None else None
        jwks = jwt.jwks if jwt is not None else None
        if jwks is not None and jwks.value and not _URL.match(jwks.value):
            self.report("E0216", jwks.span, f'the JWKS address "{jwks.value}" is not an http or https URL', 'write it as "https://host/path"')
        for path in (*jwt.protect, *jwt.public) if jwt is not None else ():
            self._route_path(path, "JWT path")

    def _workload_fields(self, w: decl.WorkloadDecl) -> None:
        """Every value of one workload's settings (or of a defaults block) Kubernetes takes as it is."""
        self._images(w)
        for r in w.routes:
            self._route_path(r.path)
        self._commands(w)
        self._mounts(w)
        if w.blue_green is not None:
            self._versions(w.blue_green, w.image)
        if w.security is not None and w.security.user is not None and w.security.user.value == 0:
            self.report(
                "E0216",
                w.security.user.span,
                "user 0 is root, which pods under the restricted profile may not run as",
                "give a user id of 1 or more, e.g. 10001",
            )
        if w.resilience is not None:
            self._resilience_fields(w.resilience)
        if w.traffic is not None:
            self._traffic_fields(w.traffic)
        if w.autoscale is not None:
            for m in (*w.autoscale.pods, *w.autoscale.object, *w.autoscale.external):
                self.at_least(m.target, 1, "a metric target")
            for m in w.autoscale.object:
                self.check_name(m.object or m.name, "metric object (a Service)", _DNS_1035_LABEL)

    def _images(self, w: decl.WorkloadDecl) -> None:
        """The images of the main, sidecar and init containers, the backup jobs, the pooler, the versions and the colours are image references."""
        images = [w.image, *(s.image for s in w.sidecars), *(i.image for i in w.init), *(b.image for b in w.backups), *(v.image for v in w.versions)]
        if w.blue_green is not None:
            images += [c.image for c in (w.blue_green.blue, w.blue_green.green) if c is not None]
        if w.database is not None and w.database.pooler is not None:
            images.append(w.database.pooler.image)
        for image in images:
            if image is not None and not image_reference(image.value):
                problem = f'the image "{image.value}" is not an image reference' if image.value else "the image is empty"
                help = 'write an image reference: a lower-case name, an optional tag and digest, e.g. "registry.example.com/team/name:1.0"'
                self.report("E0216", image.span, problem, help)

    def _commands(self, w: decl.WorkloadDecl) -> None:
        """An exec check's or a container's command (the main one's, a sidecar's, an init container's) names a program first."""
        programs = [(c.target[0].value, c.target[0].span) for c in _checks(w.probes) if written(c.kind) == "exec" and c.target]
        commands = (w.command, *(s.command for s in w.sidecars), *(i.command for i in w.init))
        programs += [(command[0].value, command[0].span) for command in commands if command]
        for program, span in programs:
            if isinstance(program, str) and not program.strip():
                self.report("E0216", span, "the command is empty: the container has no program to run", 'name the program first, e.g. "pg_isready"')

    def _mounts(self, w: decl.WorkloadDecl) -> None:
        """Volumes and storage mount at absolute paths (a volume but a ``none`` has one); storage claims space, of a
        storage class Kubernetes can name."""
        for v in w.volumes:
            if written(v.kind) != "none" and not v.wrote("at"):
                self.report("E0115", v.keyword_span, '"volume" needs a "at" statement', "add `at ...`")
        for path in [*(v.at for v in w.volumes), *(s.at for s in w.storage)]:
            if path is not None and path.value.strip() and not path.value.startswith("/"):
                self.report("E0216", path.span, f'the mount path "{path.value}" is not absolute', f'start it with "/", e.g. "/{path.value.lstrip("./")}"')
        for s in w.storage:
            if s.size is not None and s.size.value.amount == 0:
                self.report("E0216", s.size.span, f'storage "{s.name.value if s.name else ""}" claims no space', "give a size above zero, e.g. 1Gi")
            self.check_name(s.storage_class, "storage class", DNS_1123_SUBDOMAIN, 253)

    def _versions(self, bg: decl.BlueGreenDecl, image: L[str] | None) -> None:
        """Each blue-green version is a label value, and the two labels differ; a colour without its own
        image runs the workload's with the version as its tag, so the version is a tag and the image has no digest."""
        for keyword, colour in (("blue", bg.blue), ("green", bg.green)):
            version = colour.version if colour is not None else None
            if colour is None or version is None:
                continue
            retagged = colour.image is None
            if not version.value.strip():
                problem = "both colours would run one image" if retagged else "the colour's pods would carry no version label"
                self.report("E0216", version.span, f"the version is empty: {problem}", 'write the version the colour runs, e.g. "1.1"')
            elif retagged and not _IMAGE_TAG.match(version.value):
                help = (
                    "write at most 128 letters, digits, '_', '.' or '-', not starting with '.' or '-', e.g. \"1.1-rc1\", "
                    f'or give the colour its image: `{keyword} "{version.value}" image "..."`'
                )
                self.report("E0216", version.span, f'the version "{version.value}" becomes the image tag, and is not one', help)
            elif retagged and image is not None and "@" in image.value:
                help = f'give the colour its image: `{keyword} "{version.value}" image "name@sha256:..."`'
                self.report("E0216", version.span, f'the image "{image.value}" is pinned by digest: the version "{version.value}" cannot become its tag', help)
        blue = bg.blue.version if bg.blue is not None else None
        green = bg.green.version if bg.green is not None else None
        if blue is not None and green is not None and label_value(blue.value) == label_value(green.value):
            shown = label_value(blue.value)
            self.report(
                "E0216",
                green.span,
                f'blue and green both become the version label "{shown}", so one Service would select both colours',
                "give the two colours versions that differ in letters, digits, '.', '-' or '_'",
            )

    def _route_path(self, path: L[str] | None, what: str = "route") -> None:
        """A gateway route (or a JWT ``protect``/``public`` path) is a URL path: it starts with "/" and holds no whitespace."""
        if path is not None and path.value.strip() and not _ROUTE_PATH.match(path.value):
            self.report("E0216", path.span, f'the {what} "{path.value}" is not a URL path', 'start it with "/" and leave out spaces, e.g. "/api/*"')

    def _ingress_path(self, path: L[str], nginx: bool) -> None:
        """An ingress host's path, as the Gateway API's HTTPPathMatch takes an Exact or PathPrefix value (its CEL rules
        and ``maxLength``, httproute_v1.json of gateway-api v1.5.1) and an Ingress's Exact or Prefix path
        (networking.k8s.io/v1 validation): absolute, of URL path characters, without ``//``, ``/./``, ``/../``, an
        encoded ``/``, or a last ``/.`` or ``/..``. Under ingress-nginx its admission webhook also refuses an Exact or
        Prefix path of other characters than letters, digits, ``/``, ``_`` and ``-`` (``strict-validate-path-type``,
        default true in kubernetes/ingress-nginx internal/ingress/controller/config/config.go ``NewDefault``)."""
        value = path.value
        bad = next((part for part in ("//", "/./", "/../", "%2f", "%2F") if part in value), None) or next(
            (end for end in ("/..", "/.") if value.endswith(end)), None
        )
        help = 'write a path such as "/api" (a prefix matches below it)'
        if not _INGRESS_PATH.match(value) or bad is not None:
            why = f'it holds "{bad}"' if bad is not None else "a path starts with / and holds letters, digits, -._~!$&'()*+,;=:@/ or %XX"
            self.report("E0216", path.span, f'the ingress path "{value}" is not one a route matches: {why}', help)
        elif nginx and not _NGINX_PATH.match(value):
            odd = "".join(dict.fromkeys(c for c in value if not (c.isascii() and (c.isalnum() or c in "/_-"))))
            why = f'ingress-nginx admits only letters, digits, "/", "_" and "-" in an Exact or Prefix path, not "{odd}"'
            nginx_help = 'match a shorter prefix without them (e.g. "/static" for "/static/app.js"), or use `controller istio`'
            self.report("E0216", path.span, f'the ingress path "{value}" is refused by ingress-nginx: {why}', nginx_help)
        elif not nginx and len(value) > _ROUTE_PATH_MAX:
            why = f"it is {len(value)} characters long, and an HTTPRoute path holds at most {_ROUTE_PATH_MAX}"
            self.report("E0216", path.span, f'the ingress path "{value[:40]}..." is not one a route matches: {why}', "match a shorter prefix")

    def _platform_versions(self) -> None:
        """The Kubernetes and Istio versions a spec states must serve the APIs ORION writes (:data:`PLATFORM_FLOORS`)."""
        top = self.spec.topology
        for keyword, node in (("kubernetes", top.kubernetes if top else None), ("istio", top.istio if top else None)):
            floor, needs = platform_floor(keyword, uses_barman_plugin(self.spec), uses_istio_gateway(self.spec))
            if node is not None and _minor_version(node.value) < floor:
                shown = ".".join(map(str, floor))
                self.report("E0216", node.span, f"{keyword} {node.value} is too old for what ORION writes: {needs}", f'write {keyword} "{shown}" or later')

    def _cors(self, cors: decl.CorsDecl) -> None:
        """The CORS annotations are comma-separated lists: origins are URLs (or "*"), methods HTTP tokens."""
        for origin in cors.origins:
            if not _CORS_ORIGIN.match(origin.value):
                self.report(
                    "E0216", origin.span, f'the CORS origin "{origin.value}" is not an origin', 'write "*" or a scheme and host such as "https://*.example.com"'
                )
        for method in cors.methods:
            if not _HTTP_METHOD.match(method.value):
                self.report("E0216", method.span, f'the CORS method "{method.value}" is not an HTTP method', 'write upper-case names such as "GET", or "*"')

    def _renew_before(self, node: L[Duration] | None) -> None:
        """cert-manager renews at least 5 minutes, and less than the certificate's 90 days, before expiry."""
        self.at_least(node, 300_000, "renew_before (cert-manager's minimum)")
        if node is not None and node.value.millis >= CERTIFICATE_MILLIS:
            self.report("E0216", node.span, "renew_before must be shorter than the certificates' 90 days", "write less than 90d, e.g. 720h (30 days)")

    def _resilience_fields(self, r: decl.ResilienceDecl) -> None:
        """Istio refuses durations under 1ms and retry conditions Envoy does not know."""
        breaker = r.circuit_breaker
        self._route_timing(r.timeout, r.retries)
        self.at_least(breaker.interval if breaker else None, 1, "an ejection interval")
        self.at_least(breaker.ejection if breaker else None, 1, "an ejection time")

    def _route_timing(self, timeout: L[Duration] | None, retries: decl.RetriesDecl | None) -> None:
        """A route's timeout and per-try timeout are at least 1ms; its retry conditions are ones Envoy knows."""
        self.at_least(timeout, 1, "a timeout")
        self.at_least(retries.per_try if retries else None, 1, "a per-try timeout")
        on = retries.on if retries else None
        if on is None:
            return
        unknown = [c.strip() for c in on.value.split(",") if c.strip() not in RETRY_CONDITIONS and not _status_code(c.strip())]
        if unknown:
            self.report(
                "E0216",
                on.span,
                f'"{unknown[0]}" is not a condition Istio retries on',
                f"write conditions separated by commas from {', '.join(sorted(RETRY_CONDITIONS))}, or HTTP status codes",
            )

    def _traffic_fields(self, t: decl.TrafficDecl) -> None:
        """What Istio's validation refuses in a traffic block: a delay under 1ms, an abort status outside 200..599
        (HTTPFaultInjection.Abort), a header name with upper-case letters (HTTPMatchRequest.headers), bad route timing."""
        for rules in (t, *t.matches):
            self.at_least(rules.delay.duration if rules.delay else None, 1, "a fault delay")
            status = rules.abort.status if rules.abort else None
            if status is not None and status.value not in ABORT_STATUSES:
                self.report("E0216", status.span, f"{status.value} is not an HTTP status Istio can answer with", "write a status from 200 to 599, e.g. 503")
        for m in t.matches:
            self._route_timing(m.timeout, m.retries)
            if m.name is not None and written(m.key) == "header" and m.name.value != m.name.value.lower():
                problem = f'the header name "{m.name.value}" has upper-case letters, which Istio refuses'
                self.report("E0216", m.name.span, problem, f'write "{m.name.value.lower()}"')

    def _host(self, host: L[str] | None, what: str, also: str = "") -> None:
        """A host name as an Ingress rule and a ServiceEntry take it; ``also`` names what else the help may offer."""
        if host is None or not host.value:
            return
        value = host.value
        try:
            ipaddress.ip_address(value)
            is_ip = True
        except ValueError:
            is_ip = False
        if is_ip or len(value) > 253 or not _HOST.match(value) or any(len(label) > 63 for label in value.split(".")):
            self.report(
                "E0216",
                host.span,
                f'{what} "{value}" is not a DNS name Kubernetes accepts',
                'write lower-case labels of letters, digits and \'-\' joined by dots, optionally after "*." (e.g. "api.example.com"), at most 253 characters'
                + also,
            )
