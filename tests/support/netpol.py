"""A small, independent evaluator of Kubernetes NetworkPolicy (networking.k8s.io/v1).

What: given pods (namespace, name, labels, named container ports), namespace labels
and NetworkPolicy dicts, decide whether a connection ``src -> dst:port/protocol`` is
allowed, and enumerate every allowed (src, dst, port, protocol) so a test can compare
generated policies with an expected connection set *exactly*.

Why: ORION emits NetworkPolicies; asserting on their YAML shape says nothing about what
they permit.  This module implements the API's documented semantics and knows nothing
about ORION.

Semantics implemented (Kubernetes API reference for NetworkPolicySpec / Peer / Port):

* A pod is *isolated* for a direction when at least one policy in its namespace selects
  it (``spec.podSelector``; ``{}`` selects all pods of the namespace) and that policy's
  ``policyTypes`` include the direction.  Without ``policyTypes``: ``Ingress`` always,
  plus ``Egress`` when the policy has a non-empty ``egress`` list.
* A non-isolated direction allows everything.  An isolated direction allows a
  connection when any rule of any selecting policy matches it (policies are additive).
* A rule matches when a peer in ``from``/``to`` matches (missing or empty list = every
  peer, in-cluster or external) and a port in ``ports`` matches (missing or empty = all
  ports and protocols).
* Peers: ``podSelector`` alone = pods in the *policy's* namespace; ``namespaceSelector``
  alone = all pods in matching namespaces; both = pods matching ``podSelector`` inside
  matching namespaces; ``ipBlock`` = addresses in ``cidr`` and not in any ``except``.
* Ports: ``protocol`` defaults to TCP; numeric ``port`` with optional ``endPort``
  (inclusive range); a named ``port`` is resolved against the *destination* pod's
  container ports (for ingress the selected pod, for egress the pod being reached),
  matching name, number and protocol; a missing ``port`` matches every port of the
  protocol.
* Label selectors: ``matchLabels`` AND ``matchExpressions`` with In, NotIn (also true
  when the key is absent), Exists, DoesNotExist.
* Every namespace carries ``kubernetes.io/metadata.name: <name>`` (the API server sets it).
* A connection is allowed only when the source's egress AND the destination's ingress
  allow it; for an :class:`External` peer only the in-cluster side's policies apply.

Modelling choices (documented, deliberate):

* ``ipBlock`` matches only :class:`External` addresses, never pods.  The API reference
  says ipBlock should name cluster-external IPs; whether it also matches pod IPs is
  CNI-specific, so an oracle must not guess.
* Pod-to-itself connections are not enumerated by :func:`allowed_pairs` (loopback is
  never subject to NetworkPolicy).
* Malformed policies (unknown operator, ``endPort`` with a named port, a peer with
  ``ipBlock`` plus a selector, an unknown ``policyTypes`` value or protocol) raise
  :class:`NetworkPolicyError` (a ``ValueError``): the API server would refuse them, so a test must not silently pass.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

__all__ = [
    "NAMESPACE_NAME_LABEL",
    "Cluster",
    "External",
    "NetworkPolicyError",
    "Peer",
    "Pod",
    "allowed_pairs",
]

NAMESPACE_NAME_LABEL: Final[str] = "kubernetes.io/metadata.name"
_PROTOCOLS: Final[frozenset[str]] = frozenset({"TCP", "UDP", "SCTP"})
_DIRECTIONS: Final[tuple[str, str]] = ("Ingress", "Egress")


class NetworkPolicyError(ValueError):
    """A NetworkPolicy the API server would refuse (so the evaluator refuses it too)."""


IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Pod:
    """A pod as NetworkPolicy sees it.

    ``ports`` maps container port *name* to ``(number, protocol)``, e.g.
    ``{"http": (8080, "TCP")}``; the names are what named policy ports resolve to.
    Equality and hashing use ``namespace``/``name`` only (a pod's identity).
    """

    namespace: str
    name: str
    labels: Mapping[str, str] = field(default_factory=dict, hash=False, compare=False)
    ports: Mapping[str, tuple[int, str]] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        for port_name, (number, protocol) in self.ports.items():
            if not 1 <= number <= 65535 or protocol not in _PROTOCOLS:
                raise ValueError(f"pod {self.key}: bad port {port_name!r}: {(number, protocol)}")

    @property
    def key(self) -> str:
        """``namespace/name``, the identifier used by :func:`allowed_pairs`."""
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True)
class External:
    """An address outside the cluster (e.g. the internet, ``1.2.3.4``)."""

    ip: str

    def __post_init__(self) -> None:
        ipaddress.ip_address(self.ip)  # raises ValueError for a malformed address

    @property
    def key(self) -> str:
        """The address itself (it has no ``/``, unlike a pod key)."""
        return self.ip


Peer: TypeAlias = External
"""A non-pod endpoint of a connection (``allowed(src: Pod | Peer, ...)``)."""


# ------------------------------------------------------------------ selectors


@dataclass(frozen=True)
class _Selector:
    """A parsed metav1.LabelSelector."""

    match_labels: tuple[tuple[str, str], ...]
    expressions: tuple[tuple[str, str, frozenset[str]], ...]

    @staticmethod
    def parse(raw: Any, where: str) -> _Selector:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise NetworkPolicyError(f"{where}: label selector must be a mapping, got {raw!r}")
        unknown = set(raw) - {"matchLabels", "matchExpressions"}
        if unknown:
            raise NetworkPolicyError(f"{where}: unknown label selector fields {sorted(unknown)}")
        labels = raw.get("matchLabels") or {}
        expressions = []
        for expr in raw.get("matchExpressions") or []:
            key, operator, values = (
                expr.get("key"),
                expr.get("operator"),
                expr.get("values") or [],
            )
            if not isinstance(key, str) or not key:
                raise NetworkPolicyError(f"{where}: matchExpressions entry without key: {expr!r}")
            if operator in ("In", "NotIn"):
                if not values:
                    raise NetworkPolicyError(f"{where}: operator {operator} needs values: {expr!r}")
            elif operator in ("Exists", "DoesNotExist"):
                if values:
                    raise NetworkPolicyError(f"{where}: operator {operator} takes no values: {expr!r}")
            else:
                raise NetworkPolicyError(f"{where}: unknown selector operator {operator!r}")
            expressions.append((key, str(operator), frozenset(str(v) for v in values)))
        return _Selector(
            tuple(sorted((str(k), str(v)) for k, v in labels.items())),
            tuple(expressions),
        )

    def matches(self, labels: Mapping[str, str]) -> bool:
        if any(labels.get(key) != value for key, value in self.match_labels):
            return False
        for key, operator, values in self.expressions:
            present = key in labels
            if operator == "In" and not (present and labels[key] in values):
                return False
            if operator == "NotIn" and present and labels[key] in values:
                return False
            if operator == "Exists" and not present:
                return False
            if operator == "DoesNotExist" and present:
                return False
        return True


# ---------------------------------------------------------------- policy model


@dataclass(frozen=True)
class _IPBlock:
    cidr: IPNetwork
    excepts: tuple[IPNetwork, ...]

    def contains(self, ip: str) -> bool:
        address = ipaddress.ip_address(ip)
        if address.version != self.cidr.version or address not in self.cidr:
            return False
        return not any(address in ex for ex in self.excepts)


@dataclass(frozen=True)
class _PeerRule:
    pod_selector: _Selector | None
    namespace_selector: _Selector | None
    ip_block: _IPBlock | None


@dataclass(frozen=True)
class _PortRule:
    protocol: str
    port: int | str | None
    end_port: int | None


@dataclass(frozen=True)
class _Rule:
    peers: tuple[_PeerRule, ...] | None  # None = every peer
    ports: tuple[_PortRule, ...] | None  # None = every port


@dataclass(frozen=True)
class _Policy:
    namespace: str
    name: str
    pod_selector: _Selector
    types: frozenset[str]
    rules: Mapping[str, tuple[_Rule, ...]]


def _parse_peer(raw: Any, where: str) -> _PeerRule:
    if not isinstance(raw, Mapping) or not raw:
        raise NetworkPolicyError(f"{where}: a peer must set podSelector, namespaceSelector or ipBlock: {raw!r}")
    unknown = set(raw) - {"podSelector", "namespaceSelector", "ipBlock"}
    if unknown:
        raise NetworkPolicyError(f"{where}: unknown peer fields {sorted(unknown)}")
    block = raw.get("ipBlock")
    if block is not None:
        if "podSelector" in raw or "namespaceSelector" in raw:
            raise NetworkPolicyError(f"{where}: ipBlock cannot be combined with selectors")
        if not isinstance(block, Mapping) or not isinstance(block.get("cidr"), str):
            raise NetworkPolicyError(f"{where}: ipBlock needs a cidr: {block!r}")
        cidr = ipaddress.ip_network(block["cidr"], strict=False)
        excepts = tuple(ipaddress.ip_network(e, strict=False) for e in block.get("except") or [])
        for ex in excepts:
            if ex.version != cidr.version or not ex.subnet_of(cidr):  # type: ignore[arg-type]
                raise NetworkPolicyError(f"{where}: except {ex} is not inside cidr {cidr}")
        return _PeerRule(None, None, _IPBlock(cidr, excepts))
    pod = _Selector.parse(raw["podSelector"], where) if "podSelector" in raw else None
    namespace = _Selector.parse(raw["namespaceSelector"], where) if "namespaceSelector" in raw else None
    return _PeerRule(pod, namespace, None)


def _parse_port(raw: Any, where: str) -> _PortRule:
    if not isinstance(raw, Mapping):
        raise NetworkPolicyError(f"{where}: port entry must be a mapping: {raw!r}")
    protocol = raw.get("protocol") or "TCP"
    if protocol not in _PROTOCOLS:
        raise NetworkPolicyError(f"{where}: unknown protocol {protocol!r}")
    port = raw.get("port")
    end_port = raw.get("endPort")
    if isinstance(port, bool) or not (port is None or isinstance(port, int | str)):
        raise NetworkPolicyError(f"{where}: port must be an int or a name: {port!r}")
    if end_port is not None and (not isinstance(port, int) or not isinstance(end_port, int) or end_port < port):
        raise NetworkPolicyError(f"{where}: endPort needs a numeric port <= endPort: {raw!r}")
    return _PortRule(str(protocol), port, end_port)


def _parse_policy(raw: Mapping[str, Any]) -> _Policy:
    if raw.get("kind") != "NetworkPolicy" or raw.get("apiVersion") != "networking.k8s.io/v1":
        raise NetworkPolicyError(f"not a networking.k8s.io/v1 NetworkPolicy: {raw.get('apiVersion')} {raw.get('kind')}")
    meta = raw.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name", "?")
    if not isinstance(namespace, str) or not namespace:
        raise NetworkPolicyError(f"NetworkPolicy {name}: metadata.namespace is required for evaluation")
    where = f"NetworkPolicy {namespace}/{name}"
    spec = raw.get("spec") or {}
    explicit = spec.get("policyTypes")
    if explicit is None:
        types = {"Ingress"} | ({"Egress"} if spec.get("egress") else set())
    else:
        types = set(explicit)
        if not types <= set(_DIRECTIONS):
            raise NetworkPolicyError(f"{where}: unknown policyTypes {sorted(types - set(_DIRECTIONS))}")
    rules: dict[str, tuple[_Rule, ...]] = {}
    for direction, rules_key, peers_key in (
        ("Ingress", "ingress", "from"),
        ("Egress", "egress", "to"),
    ):
        parsed = []
        for index, rule in enumerate(spec.get(rules_key) or []):
            rule_where = f"{where} {rules_key}[{index}]"
            unknown = set(rule or {}) - {peers_key, "ports"}
            if unknown:
                raise NetworkPolicyError(f"{rule_where}: unknown fields {sorted(unknown)}")
            raw_peers = (rule or {}).get(peers_key) or []
            raw_ports = (rule or {}).get("ports") or []
            peers = tuple(_parse_peer(p, rule_where) for p in raw_peers) or None
            ports = tuple(_parse_port(p, rule_where) for p in raw_ports) or None
            parsed.append(_Rule(peers, ports))
        rules[direction] = tuple(parsed)
    return _Policy(
        namespace,
        str(name),
        _Selector.parse(spec.get("podSelector"), where),
        frozenset(types),
        rules,
    )


# -------------------------------------------------------------------- cluster


class Cluster:
    """Pods, namespace labels and NetworkPolicies, evaluated together.

    ``namespaces`` maps namespace name to its labels; namespaces of pods that are not
    listed get only the automatic ``kubernetes.io/metadata.name`` label.
    """

    def __init__(
        self,
        pods: Iterable[Pod],
        namespaces: Mapping[str, Mapping[str, str]],
        policies: Iterable[Mapping[str, Any]],
    ) -> None:
        self.pods: tuple[Pod, ...] = tuple(pods)
        keys = [pod.key for pod in self.pods]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"duplicate pods: {duplicates}")
        self._namespaces = {name: dict(labels) for name, labels in namespaces.items()}
        self.policies: tuple[_Policy, ...] = tuple(_parse_policy(p) for p in policies)

    def namespace_labels(self, namespace: str) -> dict[str, str]:
        """Labels of ``namespace`` including the automatic metadata.name label."""
        return {**self._namespaces.get(namespace, {}), NAMESPACE_NAME_LABEL: namespace}

    def _selecting(self, pod: Pod, direction: str) -> list[_Policy]:
        return [
            policy for policy in self.policies if policy.namespace == pod.namespace and direction in policy.types and policy.pod_selector.matches(pod.labels)
        ]

    def isolated(self, pod: Pod, direction: str) -> bool:
        """Whether ``pod`` is isolated for ``direction`` ("Ingress" or "Egress")."""
        if direction not in _DIRECTIONS:
            raise ValueError(f"direction must be Ingress or Egress, not {direction!r}")
        return bool(self._selecting(pod, direction))

    def _peer_matches(self, peer: _PeerRule, policy_namespace: str, other: Pod | External) -> bool:
        if isinstance(other, External):
            return peer.ip_block is not None and peer.ip_block.contains(other.ip)
        if peer.ip_block is not None:
            return False  # modelling choice: ipBlock never matches pods (see module docstring)
        if peer.namespace_selector is None:
            if other.namespace != policy_namespace:
                return False
        elif not peer.namespace_selector.matches(self.namespace_labels(other.namespace)):
            return False
        return peer.pod_selector is None or peer.pod_selector.matches(other.labels)

    @staticmethod
    def _port_matches(rule: _PortRule, dst: Pod | External, port: int, protocol: str) -> bool:
        if rule.protocol != protocol:
            return False
        if rule.port is None:
            return True
        if isinstance(rule.port, int):
            high = rule.end_port if rule.end_port is not None else rule.port
            return rule.port <= port <= high
        if isinstance(dst, External):
            return False  # a named port can only be resolved against a pod
        return dst.ports.get(rule.port) == (port, protocol)

    def _direction_allows(
        self,
        pod: Pod,
        direction: str,
        other: Pod | External,
        dst: Pod | External,
        port: int,
        protocol: str,
    ) -> bool:
        selecting = self._selecting(pod, direction)
        if not selecting:
            return True
        for policy in selecting:
            for rule in policy.rules[direction]:
                peer_ok = rule.peers is None or any(self._peer_matches(peer, policy.namespace, other) for peer in rule.peers)
                port_ok = rule.ports is None or any(self._port_matches(p, dst, port, protocol) for p in rule.ports)
                if peer_ok and port_ok:
                    return True
        return False

    def allowed(self, src: Pod | Peer, dst: Pod | Peer, port: int, protocol: str = "TCP") -> bool:
        """Whether ``src`` may open a connection to ``dst`` on ``port``/``protocol``."""
        if protocol not in _PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r}")
        if not 1 <= port <= 65535:
            raise ValueError(f"port out of range: {port}")
        if isinstance(src, External) and isinstance(dst, External):
            raise TypeError("at least one side of a connection must be a pod")
        egress = isinstance(src, External) or self._direction_allows(src, "Egress", dst, dst, port, protocol)
        ingress = isinstance(dst, External) or self._direction_allows(dst, "Ingress", src, dst, port, protocol)
        return egress and ingress

    def pairs(
        self,
        candidate_ports: Iterable[tuple[int, str]] = (),
        externals: Sequence[External] = (),
    ) -> set[tuple[str, str, int, str]]:
        """Every allowed ``(src key, dst key, port, protocol)``; see :func:`allowed_pairs`."""
        extra = {(int(number), str(protocol)) for number, protocol in candidate_ports}
        result: set[tuple[str, str, int, str]] = set()
        for dst in self.pods:
            ports = set(dst.ports.values()) | extra
            sources: list[Pod | External] = [*self.pods, *externals]
            for src in sources:
                if src is dst:
                    continue
                for number, protocol in ports:
                    if self.allowed(src, dst, number, protocol):
                        result.add((src.key, dst.key, number, protocol))
        for ext in externals:
            for src in self.pods:
                for number, protocol in extra:
                    if self.allowed(src, ext, number, protocol):
                        result.add((src.key, ext.key, number, protocol))
        return result


def allowed_pairs(
    pods: Iterable[Pod],
    namespaces: Mapping[str, Mapping[str, str]],
    policies: Iterable[Mapping[str, Any]],
    candidate_ports: Iterable[tuple[int, str]] = (),
    externals: Sequence[External] = (),
) -> set[tuple[str, str, int, str]]:
    """All allowed connections as ``(src "ns/name", dst "ns/name", port, protocol)``.

    For every ordered pair of distinct pods, each port the destination pod declares
    plus every ``(port, protocol)`` in ``candidate_ports`` is tried (use the latter to
    prove that undeclared ports stay closed).  ``externals`` adds outside addresses as
    sources (to every pod port tried) and as destinations (on ``candidate_ports``
    only, since an external address declares no ports); they are keyed by their IP.
    """
    return Cluster(pods, namespaces, policies).pairs(candidate_ports, externals)
