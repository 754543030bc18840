"""Conversions from ORION values to Kubernetes field formats."""

from __future__ import annotations

from orion_dsl.values import Duration, TimeOfDay

ACCESS_MODES = {
    "read-write-once": "ReadWriteOnce",
    "read-only-many": "ReadOnlyMany",
    "read-write-many": "ReadWriteMany",
    "read-write-once-pod": "ReadWriteOncePod",
}

#: ``imagePullPolicy`` of each ``image_pull_policy``.
PULL_POLICIES = {"always": "Always", "if-not-present": "IfNotPresent", "never": "Never"}
#: The ``type`` of a Service of each ``service_type``.
SERVICE_TYPES = {"cluster-ip": "ClusterIP", "node-port": "NodePort", "load-balancer": "LoadBalancer"}


def go_duration(d: Duration) -> str:
    """A Go duration string (``720h``, ``1h30m``, ``45s``) as cert-manager and Velero read it.

    >>> go_duration(Duration(2_592_000_000, "30d"))
    '720h'
    """
    total = d.seconds
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    out = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "") + (f"{seconds}s" if seconds else "")
    return out or "0s"


def prom_duration(d: Duration) -> str:
    """A Prometheus duration (``5m``, ``1h``, ``90s``).

    >>> prom_duration(Duration(300_000, "5m"))
    '5m'
    """
    s = d.seconds
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s and s % size == 0:
            return f"{s // size}{unit}"
    return f"{s}s"


def cron(every: Duration, at: TimeOfDay | None) -> tuple[str, bool]:
    """A cron schedule for "every <d> [at hh:mm]"; the flag is False if cron can only approximate it.

    >>> cron(Duration(86_400_000, "24h"), TimeOfDay(2, 0))
    ('0 2 * * *', True)
    >>> cron(Duration(21_600_000, "6h"), None)
    ('0 */6 * * *', True)
    >>> cron(Duration(3_600_000, "1h"), None)
    ('0 * * * *', True)
    """
    minutes = max(1, every.seconds // 60)
    hour, minute = (at.hour, at.minute) if at else (0, 0)
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{minute} {hour} {'*' if days == 1 else f'*/{days}'} * *", days == 1
    if minutes % 60 == 0:
        hours = minutes // 60
        exact = 24 % hours == 0
        if hours == 1:
            return f"{minute} * * * *", True
        start = hour % hours
        hours_field = f"*/{hours}" if start == 0 else f"{start}-23/{hours}"
        return f"{minute} {hours_field} * * *", exact
    exact = 60 % minutes == 0
    return f"*/{minutes} * * * *", exact
