"""Typed values of the language: quantities, durations, percentages, addresses, ports.

Each :class:`ValueType` turns one syntax :class:`~orion_dsl.syntax.Arg` into a Python
value or raises :class:`BadValue` with a message a user can act on.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, Generic, Literal, TypeVar, get_args

import attrs

from orion_dsl.choices import LAYERS, Layer
from orion_dsl.diagnostics import did_you_mean
from orion_dsl.syntax import Arg, ArgKind

T = TypeVar("T")
W = TypeVar("W", bound=str)

#: The transport protocols of a port (TCP unless written ``53/udp`` or ``/sctp``).
Protocol = Literal["TCP", "UDP", "SCTP"]
PROTOCOLS: tuple[Protocol, ...] = get_args(Protocol)


class BadValue(Exception):
    """An argument of the right shape with a wrong value; the message says what is right."""


@attrs.frozen
class Quantity:
    """A resource amount: CPU in millicores or bytes for memory and storage; ``text`` as written."""

    amount: int
    text: str


@attrs.frozen
class Duration:
    """A length of time in milliseconds; ``text`` as written (``10s``, ``6h``)."""

    millis: int
    text: str

    @property
    def seconds(self) -> int:
        """Whole seconds, rounded up (Kubernetes fields take seconds)."""
        return -(-self.millis // 1000)


def duration_text(millis: int) -> str:
    """A duration in its largest whole unit: ``1d``, ``5m``, ``1500ms``.

    >>> duration_text(86_400_000), duration_text(60_000), duration_text(1500)
    ('1d', '1m', '1500ms')
    """
    unit = next(u for u in ("d", "h", "m", "s", "ms") if millis % _DURATION_UNITS[u] == 0)
    return f"{millis // _DURATION_UNITS[unit]}{unit}"


@attrs.frozen
class PortNumber:
    """A port with its protocol (TCP unless written ``53/udp``)."""

    number: int
    protocol: Protocol = "TCP"


@attrs.frozen
class PortRef:
    """``target:port`` — a port of a workload or external, by name or number."""

    target: str
    port: str | int


@attrs.frozen
class OciModule:
    """A Wasm module in an OCI registry, pinned: ``oci://REGISTRY[:PORT]/REPOSITORY:TAG`` or ``...@sha256:DIGEST``."""

    url: str
    registry: str
    #: The port the registry answers HTTPS on (443 unless the reference names one).
    port: int


@attrs.frozen
class TimeOfDay:
    """A time of day, 24-hour clock."""

    hour: int
    minute: int


@attrs.frozen
class Range(Generic[T]):
    """``low..high``."""

    low: T
    high: T


@attrs.frozen
class ValueType(Generic[T]):
    """How to read one argument: the shapes it accepts, a description and a converter."""

    description: str
    kinds: frozenset[ArgKind]
    convert: Callable[[Arg], T]

    def accepts(self, arg: Arg) -> bool:
        """Whether the argument has a shape this type reads."""
        return arg.kind in self.kinds


def _kinds(*kinds: ArgKind) -> frozenset[ArgKind]:
    return frozenset(kinds)


_CPU_UNITS = {"m": 1, "": 1000}
_BYTE_UNITS = {
    "": 1,
    "k": 10**3,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}
_DURATION_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
#: One day in milliseconds (the unit of backup retention).
DAY_MS = _DURATION_UNITS["d"]
_SPLIT = re.compile(r"^(\d+(?:\.\d+)?)([A-Za-z]*)$")

#: The largest count Kubernetes takes: its counts (replicas, ports, thresholds, limits) are int32.
MAX_INT = 2**31 - 1
#: The largest resource amount (millicores, bytes): Kubernetes quantities are int64.
MAX_AMOUNT = 2**63 - 1
#: The longest duration, in milliseconds: Kubernetes takes seconds as int32 (about 68 years).
MAX_MILLIS = MAX_INT * 1000
#: More digits than any value in range has; longer numbers are refused before they are converted.
_MAX_DIGITS = 40


def _not_too_long(text: str) -> None:
    """Refuse a number with more digits than any value in range (and than Python converts quickly)."""
    if len(text) > _MAX_DIGITS:
        raise BadValue(f'"{text[:20]}..." has {len(text)} characters, more than any value ORION takes')


def _split(arg: Arg) -> tuple[Decimal, str]:
    _not_too_long(arg.text)
    match = _SPLIT.match(arg.text)
    if not match:
        raise BadValue(f'"{arg.text}" is not a number with a unit')
    try:
        return Decimal(match.group(1)), match.group(2)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only decimals
        raise BadValue(f'"{arg.text}" is not a number') from exc


def _scaled(arg: Arg, units: dict[str, int], what: str, example: str, most: int, most_text: str) -> int:
    number, unit = _split(arg)
    if unit not in units:
        shown = ", ".join(u for u in units if u)
        raise BadValue(f'"{unit}" is not a unit of {what} (use {shown}; e.g. {example})')
    value = number * units[unit]
    if value != value.to_integral_value():
        one = next((u for u, size in units.items() if size == 1), "")
        raise BadValue(f'"{arg.text}" is finer than the smallest unit of {what} (1{one or " byte"})')
    if value > most:
        raise BadValue(f'"{arg.text}" is more {what} than Kubernetes can express (at most {most_text})')
    return int(value)


def _cpu(arg: Arg) -> Quantity:
    return Quantity(_scaled(arg, _CPU_UNITS, "CPU", "500m or 2", MAX_AMOUNT, f"{MAX_AMOUNT}m"), arg.text)


def _bytes(arg: Arg) -> Quantity:
    return Quantity(_scaled(arg, _BYTE_UNITS, "memory or storage", "512Mi or 10Gi", MAX_AMOUNT, f"{MAX_AMOUNT}, just under 8192Pi"), arg.text)


def _duration(arg: Arg) -> Duration:
    return Duration(_scaled(arg, _DURATION_UNITS, "time", "10s, 5m or 6h", MAX_MILLIS, f"{MAX_INT}s, about 68 years"), arg.text)


def _whole(text: str, what: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` written in digits only (no decimal point)."""
    _not_too_long(text)
    if not text.isascii() or not text.isdigit():
        raise BadValue(f'"{text}" is not a whole number')
    number = int(text)
    if not low <= number <= high:
        raise BadValue(f"{what} {number} is outside {low}-{high}")
    return number


def _int(arg: Arg) -> int:
    return _whole(arg.text, "the number", 0, MAX_INT)


def _percent(arg: Arg) -> int:
    _not_too_long(arg.text)
    value = Decimal(arg.text.rstrip("%"))
    if value != value.to_integral_value() or not 0 <= value <= 100:
        raise BadValue(f'"{arg.text}" is not a whole percentage from 0% to 100%')
    return int(value)


def _port(arg: Arg) -> PortNumber:
    number_text, _, written = arg.text.partition("/")
    protocol = next((p for p in PROTOCOLS if p == (written.upper() or "TCP")), None)
    if protocol is None:
        raise BadValue(f'"{written.lower()}" is not a protocol (use tcp, udp or sctp)')
    return PortNumber(_whole(number_text, "port", 1, 65535), protocol)


def _time(arg: Arg) -> TimeOfDay:
    hour, minute = (int(x) for x in arg.text.split(":"))
    if hour > 23 or minute > 59:
        raise BadValue(f'"{arg.text}" is not a time of day (00:00 to 23:59)')
    return TimeOfDay(hour, minute)


def _cidr(arg: Arg) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(arg.text)
    except ValueError as exc:
        raise BadValue(f'"{arg.text}" is not a valid CIDR block ({exc}); the address must be the first of its block, e.g. 10.0.1.0/24') from exc


def _address(arg: Arg) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(arg.text)
    except ValueError as exc:
        raise BadValue(f'"{arg.text}" is not a valid IPv4 address') from exc


def _port_ref(arg: Arg) -> PortRef:
    target, port = arg.parts
    return PortRef(target.text, _whole(port.text, "port", 1, 65535) if port.kind is ArgKind.NUMBER else port.text)


def _switch(arg: Arg) -> bool:
    on = {"on", "true", "yes", "enabled"}
    off = {"off", "false", "no", "disabled"}
    if arg.text in on | off:
        return arg.text in on
    raise BadValue(f'"{arg.text}" is not on or off')


def text_problem(text: str) -> str | None:
    """Why a string cannot go into YAML, Markdown or a Kubernetes field, or None.

    A lone surrogate (``\\ud800``) is no character: it cannot be written as UTF-8. A control
    character other than tab, line feed and carriage return (``\\u0000``, ...) is cut off or
    refused by the tools the output goes to.
    """
    for ch in text:
        if "\ud800" <= ch <= "\udfff":
            return f"it holds a lone surrogate \\u{ord(ch):04x}, which is not a character"
        if (ord(ch) < 0x20 and ch not in "\t\n\r") or ch == "\x7f":
            return f"it holds the control character \\u{ord(ch):04x}"
    return None


def field_text_problem(text: str) -> str | None:
    """Why a string cannot become a Kubernetes field that is parsed (an image, a path, a URL, a
    command, an annotation), or None: besides :func:`text_problem`, an invisible format
    character (Unicode category Cf, such as the right-to-left override U+202E) makes the value
    read differently from what it is."""
    problem = text_problem(text)
    if problem is not None:
        return problem
    for ch in text:
        if unicodedata.category(ch) == "Cf":
            return f"it holds the invisible format character \\u{ord(ch):04x}"
    return None


def _checked(arg: Arg, problem_of: Callable[[str], str | None]) -> str:
    if arg.kind is ArgKind.STRING:
        problem = problem_of(arg.text)
        if problem is not None:
            raise BadValue(f"{problem}; remove it or write the character it stands for")
    return arg.text


def _text(arg: Arg) -> str:
    return _checked(arg, text_problem)


def _field_text(arg: Arg) -> str:
    return _checked(arg, field_text_problem)


def _filled(arg: Arg) -> str:
    if not arg.text.strip():
        raise BadValue("the string is empty; Kubernetes needs a value here")
    return _field_text(arg)


_OCI = re.compile(
    r"^oci://(?P<host>[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*)(:(?P<port>[0-9]{1,5}))?"
    r"/(?P<repo>[a-z0-9]+([._/-][a-z0-9]+)*)(:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(@sha256:(?P<digest>[a-f0-9]{64}))?$"
)


def _oci_module(arg: Arg) -> OciModule:
    """A pinned OCI reference: a tag other than ``latest`` (Istio pulls ``latest`` again on every change, so the
    module would change with no change to the spec) or a sha256 digest."""
    text = _filled(arg)
    found = _OCI.match(text)
    if found is None:
        raise BadValue(f'"{text}" is not an OCI reference such as "oci://registry.example.com/coraza-proxy-wasm:0.6.0"')
    if found["digest"] is None and found["tag"] in (None, "latest"):
        raise BadValue(f'"{text}" is not pinned: name a released tag (not latest) or a digest (@sha256:...)')
    port = _whole(found["port"], "the registry port", 1, 65535) if found["port"] else 443
    return OciModule(text, found["host"], port)


NAME: ValueType[str] = ValueType("a name", _kinds(ArgKind.WORD), _text)
TEXT: ValueType[str] = ValueType("a string in double quotes", _kinds(ArgKind.STRING), _text)
#: A string that becomes a field Kubernetes parses (an image, a command, a CORS list): no format characters.
FIELD_TEXT: ValueType[str] = ValueType("a string in double quotes", _kinds(ArgKind.STRING), _field_text)
#: A string that becomes a field Kubernetes (or a custom resource) requires: a path, a host, a URL; no format characters.
FILLED: ValueType[str] = ValueType("a non-empty string in double quotes", _kinds(ArgKind.STRING), _filled)
VERSION: ValueType[str] = ValueType('a version such as "1.28" or 1.3', _kinds(ArgKind.STRING, ArgKind.NUMBER), _text)
INT: ValueType[int] = ValueType("a whole number", _kinds(ArgKind.NUMBER), _int)
CPU: ValueType[Quantity] = ValueType("a CPU amount such as 500m or 2", _kinds(ArgKind.QUANTITY, ArgKind.NUMBER), _cpu)
BYTES: ValueType[Quantity] = ValueType("an amount of memory or storage such as 512Mi", _kinds(ArgKind.QUANTITY, ArgKind.NUMBER), _bytes)
DURATION: ValueType[Duration] = ValueType("a duration such as 10s, 5m or 6h", _kinds(ArgKind.QUANTITY), _duration)
PERCENT: ValueType[int] = ValueType("a percentage such as 70%", _kinds(ArgKind.PERCENT), _percent)
PORT: ValueType[PortNumber] = ValueType("a port number such as 443 or 53/udp", _kinds(ArgKind.NUMBER, ArgKind.PORT_PROTOCOL), _port)
TIME: ValueType[TimeOfDay] = ValueType("a time of day such as 02:00", _kinds(ArgKind.TIME), _time)
CIDR: ValueType[ipaddress.IPv4Network] = ValueType("a CIDR block such as 10.0.1.0/24", _kinds(ArgKind.CIDR), _cidr)
ADDRESS: ValueType[ipaddress.IPv4Address] = ValueType("an IPv4 address such as 10.0.1.10", _kinds(ArgKind.ADDRESS), _address)
PORT_REF: ValueType[PortRef] = ValueType("a target and port such as auth:http", _kinds(ArgKind.PORT_REF), _port_ref)
SWITCH: ValueType[bool] = ValueType("on or off", _kinds(ArgKind.WORD), _switch)
#: A Wasm module's pinned OCI reference (the ingress's ``waf`` module from a mirror).
OCI_MODULE: ValueType[OciModule] = ValueType("a pinned OCI reference in double quotes", _kinds(ArgKind.STRING), _oci_module)


def _layer(arg: Arg) -> Layer:
    """A load balancer's ``layer``: 4 or 7 alone, since it decides whether the balancer is a trusted
    X-Forwarded-For hop (layer 7 appends an entry, layer 4 passes connections through)."""
    number = _whole(arg.text, "the layer", 0, MAX_INT)
    layer = next((choice for choice in LAYERS if choice == number), None)
    if layer is None:
        raise BadValue(f"layer {number} is neither 4 (connections passed through) nor 7 (HTTP forwarded)")
    return layer


#: A load balancer's network layer: ``4`` or ``7``.
LAYER: ValueType[Layer] = ValueType("4 (passes connections through) or 7 (forwards HTTP)", _kinds(ArgKind.NUMBER), _layer)


def enum(*choices: W) -> ValueType[W]:
    """A word of a closed set (see :mod:`orion_dsl.choices`), typed as the set."""

    def convert(arg: Arg) -> W:
        """Read the argument or raise BadValue."""
        word = next((c for c in choices if c == arg.text), None)
        if word is None:
            allowed = f'only "{choices[0]}" is' if len(choices) == 1 else did_you_mean(arg.text, choices)
            raise BadValue(f'"{arg.text}" is not allowed here; {allowed}' + (" allowed" if len(choices) == 1 else ""))
        return word

    return ValueType(choices[0] if len(choices) == 1 else "one of " + ", ".join(choices), _kinds(ArgKind.WORD), convert)


def range_of(inner: ValueType[T]) -> ValueType[Range[T]]:
    """``low..high`` of an inner type; a single value means low == high."""

    def convert(arg: Arg) -> Range[T]:
        """Read the argument or raise BadValue."""
        if arg.kind is ArgKind.RANGE:
            low, high = arg.parts
            for part in (low, high):
                if not inner.accepts(part):
                    raise BadValue(f'"{part.text}" is {part.kind.value}, expected {inner.description}')
            return Range(inner.convert(low), inner.convert(high))
        value = inner.convert(arg)
        return Range(value, value)

    return ValueType(f"a range such as low..high of {inner.description}", inner.kinds | {ArgKind.RANGE}, convert)


def any_of(*types: ValueType[Any]) -> ValueType[Any]:
    """The first of several types that accepts the argument's shape."""

    def convert(arg: Arg) -> Any:
        """Read the argument or raise BadValue."""
        for t in types:
            if t.accepts(arg):
                return t.convert(arg)
        raise BadValue(f'"{arg.text}" is {arg.kind.value}')  # pragma: no cover - accepts() guards this

    kinds = frozenset().union(*(t.kinds for t in types))
    return ValueType(" or ".join(t.description for t in types), kinds, convert)
