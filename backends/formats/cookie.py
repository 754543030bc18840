"""The regular expression that finds one cookie in a ``Cookie`` header.

Istio's VirtualService (``backends/istio/traffic.py``) and the HTTPRoute Istio's gateway applies
(``backends/kubernetes/route_rules.py``) both match a ``cookie`` traffic match by it; Envoy reads it as RE2.
"""

from __future__ import annotations

import re


def cookie_regex(name: str, value: str) -> str:
    """An RE2 expression that finds one ``name=value`` pair among a ``Cookie`` header's others, in the form of
    Istio's own example (istio.io/latest/docs/reference/config/networking/virtual-service/#HTTPMatchRequest).

    >>> cookie_regex("user", "jason")
    '^(.*?;)?(user=jason)(;.*)?$'
    """
    return f"^(.*?;)?({re.escape(f'{name}={value}')})(;.*)?$"
