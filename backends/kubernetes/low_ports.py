"""Ports below 1024 for processes that are not root: the pod's ``net.ipv4.ip_unprivileged_port_start``.

Linux lets only a process with ``CAP_NET_BIND_SERVICE`` bind a port below
``net.ipv4.ip_unprivileged_port_start`` (1024 by default). ORION's pods run as a user other than
root with every capability dropped and no privilege escalation, so neither an added capability
nor one an image grants its binary (``setcap cap_net_bind_service=+ep``, which the kernel ignores
under ``no_new_privs``) lets the process bind port 80. The sysctl is per network namespace, so a
pod may lower it for itself alone; Kubernetes counts it among the safe sysctls (allowed by default
since 1.22, and by the ``restricted`` Pod Security Standard: kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/,
kubernetes.io/docs/concepts/security/pod-security-standards/ "Sysctls"). A pod with such a port
lowers it to that port and no further.
"""

from __future__ import annotations

from typing import Any

from orion_dsl.model import Workload

#: The kernel's default: ports below it need CAP_NET_BIND_SERVICE.
UNPRIVILEGED_PORT_START = 1024
SYSCTL = "net.ipv4.ip_unprivileged_port_start"


def low_port_sysctls(w: Workload) -> dict[str, Any]:
    """``{"sysctls": [...]}`` for the pod securityContext of a workload whose containers listen below 1024, else nothing."""
    low = min((p.number for p in w.ports if p.number < UNPRIVILEGED_PORT_START), default=None)
    return {} if low is None else {"sysctls": [{"name": SYSCTL, "value": str(low)}]}
