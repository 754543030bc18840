"""The update mode and resources of each workload's VerticalPodAutoscaler, decided once for every back end.

``scaling { vertical MODE }`` states the mode for the whole topology; a workload's VPA departs from it
where following it would hurt. So it never fights the HPA, a VPA leaves alone every resource its
workload's HPA scales on, and is recommend-only (``Off``) when the HPA takes CPU and memory both
(I1021). The VPA of a StatefulSet, or of a workload that may run a single pod, never evicts
(``Auto``/``Recreate`` become ``Initial``: pods are sized when created, I1081): a StatefulSet's pods
are database and queue members, which must not restart at the autoscaler's moment, and evicting a
workload's only pod takes it down until the new pod is ready. The Kubernetes back end writes the
VPA from it, the architecture document lists it per workload.
"""

from __future__ import annotations

from typing import Literal

import attrs

from orion_dsl.model import Topology, Workload

UpdateMode = Literal["Off", "Initial", "Recreate", "Auto"]
#: The spec's ``vertical`` words as the VPA's ``updateMode`` values.
MODES: dict[str, UpdateMode] = {"off": "Off", "initial": "Initial", "recreate": "Recreate", "auto": "Auto"}
#: The update modes in which the VPA evicts running pods to resize them.
EVICTING: tuple[UpdateMode, ...] = ("Recreate", "Auto")


@attrs.frozen
class Vertical:
    """A workload's VPA: its update mode, the resources it sizes, and why the mode is not the spec's (empty: it is)."""

    mode: UpdateMode
    controlled: tuple[str, ...]
    why: str = ""


def lowest_replicas(w: Workload) -> int:
    """The fewest replicas the workload runs: the HPA minimum, else ``replicas``."""
    return w.autoscale.min if w.autoscale is not None else w.replicas


def never_evicted(w: Workload) -> str | None:
    """Why a workload's VPA must not evict its pods (I1081); None when evicting is safe (several replicas)."""
    if w.kind == "statefulset":
        return "a StatefulSet's pods are not evicted to resize them"
    if lowest_replicas(w) <= 1:
        return "it may run a single pod, which evicting would take down"
    return None


def vertical(topology: Topology, w: Workload) -> Vertical:
    """A workload's VPA under the spec's ``scaling { vertical }`` (which must be stated)."""
    stated = topology.scaling.vertical
    assert stated is not None
    mode, why = MODES[stated], ""
    if mode in EVICTING and (reason := never_evicted(w)) is not None:
        mode, why = "Initial", reason
    controlled: tuple[str, ...] = ("cpu", "memory")
    if w.autoscale is not None:
        taken = [r for r, v in (("cpu", w.autoscale.cpu), ("memory", w.autoscale.memory)) if v is not None]
        left = tuple(r for r in controlled if r not in taken)
        if left:
            controlled = left
        else:
            mode, why = "Off", "its HPA already scales on CPU and memory"
    return Vertical(mode, controlled, why)
