"""The regular expression that finds one cookie in a ``Cookie`` header.

Istio's VirtualService (``backends/istio/traffic.py``) and the HTTPRoute Istio's gateway applies
(``backends/kubernetes/route_rules.py``) both match a ``cookie`` traffic match by it; Envoy reads it as RE2
(Istio passes the value verbatim: istio/istio@5d6f8028 pilot/pkg/config/kube/gateway/conversion.go
``createHeadersMatch``). A browser joins the pairs with ``"; "`` (RFC 6265 section 4.2.1
``cookie-string = cookie-pair *( ";" SP cookie-pair )``) and Envoy joins HTTP/2 cookie crumbs the same way
(RFC 9113 section 8.2.3), so a pair after the first follows a semicolon and white space.
"""

from __future__ import annotations

import re


def cookie_regex(name: str, value: str) -> str:
    r"""An RE2 expression that finds one ``name=value`` pair among a ``Cookie`` header's others: at the start or after
    ``;`` and optional white space, and followed by ``;`` or the end, so ``xuser=jason`` and ``user=jasonx`` do not
    match. The name and value are escaped (``re.escape`` escapes punctuation alone, which RE2 reads as itself).

    >>> cookie_regex("user", "jason")
    '^(.*?;\\s*)?(user=jason)(;.*)?$'
    """
    return rf"^(.*?;\s*)?({re.escape(f'{name}={value}')})(;.*)?$"
