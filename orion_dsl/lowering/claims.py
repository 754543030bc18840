"""The PersistentVolumeClaims each namespace's objects make, counted from the plan, and the quota
that admits them.

Claims come from three places: the claims ORION writes (a Deployment's storage, a continuous
backup's spool), the claim templates of the StatefulSets it writes (one claim per storage and pod,
up to the autoscaler's maximum: a StatefulSet keeps the claims of pods it scales down), and the
claims the operators make for the pods of their resources, one per pod for the one data volume
ORION gives them:

- CloudNativePG ``Cluster``: one ``PGDATA`` claim per instance (ORION sets no ``walStorage``).
- RabbitMQ Cluster Operator ``RabbitmqCluster``: one ``persistence`` claim per replica, always
  (its default is 10Gi).
- OT redis-operator ``RedisReplication``: one per replica when it has ``storage``; its
  ``RedisSentinel`` has no storage field (its CRD) and claims nothing.
- Prometheus Operator ``Prometheus`` and ``Alertmanager``: one per replica with
  ``storage.volumeClaimTemplate``, else an emptyDir.
- CloudNativePG ``Pooler``: none.

Headroom: every set of pods that claims volumes may hold one more pod's claims than it runs.
CloudNativePG replaces an instance whose claim is lost or unusable by a new instance with the next
serial and new claims (``<cluster>-4`` beside ``-1..3``: cloudnative-pg/cloudnative-pg discussions
#4403, issue #3680), and a StatefulSet's claims outlive a pod deleted with its claim pending. The
quota ORION writes (:func:`quota_claims`) is the stated figure, raised to the claims plus headroom
when the figure would refuse them (I1084 says so at the quota).
"""

from __future__ import annotations

import attrs

from orion_dsl.model import Workload

from .plan import Plan, Role

#: Roles whose entry is one claim ORION writes.
_CLAIM_ROLES = (Role.CLAIM, Role.ARCHIVER_CLAIM)
#: Roles whose pods claim volumes through a template (ORION's StatefulSet, an operator's resource).
_POD_ROLES = (Role.STATEFULSET, Role.DATABASE_CLUSTER, Role.MESSAGE_BROKER, Role.CACHE_REPLICATION, Role.PROMETHEUS, Role.ALERTMANAGER)


@attrs.frozen
class Claims:
    """The claims one namespace's objects make, and the spare claims they may need."""

    count: int
    headroom: int

    @property
    def needed(self) -> int:
        """The claims a quota must admit: the claims made, plus the headroom."""
        return self.count + self.headroom


def _per_pod(role: Role, w: Workload) -> int:
    """The claims each pod of a pod-making entry has."""
    if role == Role.STATEFULSET:
        return len(w.storage)
    if role == Role.MESSAGE_BROKER:  # persistence is always on (internal/resource/statefulset.go)
        return 1
    return 1 if w.storage else 0  # the operators claim the first storage only


def _pods(role: Role, w: Workload) -> int:
    """How many pods a pod-making entry may run."""
    return w.max_replicas if role == Role.STATEFULSET else w.replicas


def by_namespace(plan: Plan) -> dict[str, Claims]:
    """The claims of every namespace that has any, from the plan's entries."""
    count: dict[str, int] = {}
    headroom: dict[str, int] = {}
    for role in _CLAIM_ROLES:
        for entry in plan.of_role(role):
            count[entry.namespace] = count.get(entry.namespace, 0) + 1
    for role in _POD_ROLES:
        for entry in plan.of_role(role):
            w = entry.of(Workload)
            per_pod = _per_pod(role, w)
            if per_pod:
                count[entry.namespace] = count.get(entry.namespace, 0) + per_pod * _pods(role, w)
                headroom[entry.namespace] = headroom.get(entry.namespace, 0) + per_pod
    return {ns: Claims(n, headroom.get(ns, 0)) for ns, n in count.items()}


def quota_claims(plan: Plan, namespace: str, stated: int) -> int:
    """The ``persistentvolumeclaims`` a namespace's ResourceQuota admits: the stated figure, or the
    namespace's claims plus headroom when that is more."""
    found = plan.index(by_namespace).get(namespace)
    return max(stated, found.needed) if found is not None else stated


def quotas(plan: Plan) -> dict[str, int]:
    """The ``persistentvolumeclaims`` of every namespace whose quota states claims, as its
    ResourceQuota admits them (:func:`quota_claims`): the one figure the manifests, the documents
    and the diagrams give (made once per plan)."""
    return plan.index(_quotas)


def _quotas(plan: Plan) -> dict[str, int]:
    return {
        ns.name: quota_claims(plan, ns.name, ns.quota.volume_claims)
        for ns in plan.topology.namespaces
        if ns.quota is not None and ns.quota.volume_claims is not None
    }


def made(plan: Plan, namespace: str) -> int:
    """How many claims a namespace's objects make (without headroom)."""
    found = plan.index(by_namespace).get(namespace)
    return found.count if found is not None else 0
