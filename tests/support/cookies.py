"""``Cookie`` headers as clients send them, to evaluate a cookie match's regular expression the way Envoy does.

Envoy matches a header by RE2 against the whole value (``safe_regex`` is a full match). The expressions ORION
writes use only the subset RE2 and Python's ``re`` share (groups, ``.*?``, ``\\s``, escaped punctuation), so
``re.fullmatch`` decides as RE2 does. Browsers join the pairs with ``"; "`` (RFC 6265 section 4.2.1); Envoy joins
HTTP/2 cookie crumbs the same way (RFC 9113 section 8.2.3); ``";"`` alone is what some clients send.
"""

from __future__ import annotations

import re

#: The headers that hold ``canary=yes``: first, middle and last, after ``"; "`` and after ``";"``.
HOLDING = (
    "canary=yes",
    "canary=yes; a=1",
    "a=1; canary=yes",
    "a=1; canary=yes; b=2",
    "a=1;canary=yes",
    "a=1;canary=yes;b=2",
)
#: The headers that do not: another name or value that starts or ends the same way, or none of the pair.
NOT_HOLDING = (
    "xcanary=yes",
    "a=1; xcanary=yes",
    "canary=yesno",
    "a=1; canary=yesno; b=2",
    "canary=no; a=yes",
    "a=1",
    "",
)


def matches(regex: str, header: str) -> bool:
    """Whether a header value matches a regular expression as a whole, as Envoy's ``safe_regex`` does."""
    return re.fullmatch(regex, header) is not None
