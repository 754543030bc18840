"""Statements -> declarations: what each keyword means where it stands.

Declaration classes (:mod:`orion_dsl.declarations`) describe their own vocabulary through
field metadata (:func:`positional`, :func:`option`, :func:`child`); :func:`decode`
reads a statement into one, reporting every unknown keyword (with did-you-mean),
missing or surplus argument and value of the wrong kind, and keeping what it could read.

The vocabulary also declares each keyword's default, once: :class:`Settings` reads a block
with them, :func:`written` reads a value that has none.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar, overload

import attrs

from orion_dsl.diagnostics import Diagnostic, Related, did_you_mean, error
from orion_dsl.source import Span, span_field
from orion_dsl.syntax import Arg, ArgKind, Statement
from orion_dsl.values import BadValue, ValueType

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
_META = "orion"

#: How a field of a declaration is written: a value after the keyword, a ``keyword value``
#: statement, a nested block, free-form ``key "value"`` pairs, or a free-form block kept as written.
Role = Literal["positional", "option", "child", "mapping", "tree"]


@attrs.frozen
class L(Generic[T_co]):
    """A value as written, with the span it was written at (not part of equality)."""

    value: T_co
    span: Span = span_field()


@attrs.frozen
class FieldSpec:
    """How one field of a declaration is written."""

    role: Role
    keyword: str
    type: Any  # ValueType for positional/option values; a declaration class for child
    many: bool = False  # the statement may repeat (options, children) / take the rest (positional)
    listed: bool = False  # one statement takes a comma-separated list of values
    optional: bool = False  # a positional that may be left out
    required: bool = False  # an option or child that must be written
    flag: bool = False  # an option written alone, meaning "on"
    arrow: bool = False  # a positional preceded by "->"
    default: Any = None  # the value (of a list: the values) when left out; None: no value, or one that depends on others


def positional(name: str, type: ValueType[T], *, optional: bool = False, many: bool = False, arrow: bool = False, default: T | None = None) -> Any:
    """A value written right after the keyword, in order; ``default`` when it is left out."""
    spec = FieldSpec("positional", name, type, many=many, optional=optional, arrow=arrow, default=default)
    return attrs.field(default=() if many else None, metadata={_META: spec}, kw_only=True)


def option(
    keyword: str,
    type: ValueType[T],
    *,
    many: bool = False,
    listed: bool = False,
    required: bool = False,
    flag: bool = False,
    default: T | tuple[T, ...] | None = None,
) -> Any:
    """``keyword value`` — a child statement, or written inline after the positionals; ``default`` when it is left out
    (for a ``listed`` option, the values when none is written)."""
    spec = FieldSpec("option", keyword, type, many=many, listed=listed, required=required, flag=flag, default=default)
    return attrs.field(default=() if (many or listed) else None, metadata={_META: spec}, kw_only=True)


def child(keyword: str, cls: type, *, many: bool = False, required: bool = False) -> Any:
    """``keyword ... { ... }`` — a nested declaration."""
    spec = FieldSpec("child", keyword, cls, many=many, required=required)
    return attrs.field(default=() if many else None, metadata={_META: spec}, kw_only=True)


def mapping(keyword: str) -> Any:
    """``keyword { key "value"; ... }`` — free-form pairs, such as labels."""
    spec = FieldSpec("mapping", keyword, None)
    return attrs.field(default=(), metadata={_META: spec}, kw_only=True)


def tree(keyword: str) -> Any:
    """``keyword { ... }`` — a block of any statements, kept as written (a ``patch``'s fields): whoever reads it
    knows their vocabulary (a kind's schema), the decoder does not."""
    spec = FieldSpec("tree", keyword, None)
    return attrs.field(default=None, metadata={_META: spec}, kw_only=True)


#: A declaration class's vocabulary: (attribute name, how it is written), in order.
Fields = tuple[tuple[str, FieldSpec], ...]


def specs(cls: type) -> Fields:
    """The vocabulary fields of a declaration class, in declaration order."""
    return _vocabulary(cls)[0]


_VOCABULARIES: dict[type, tuple[Fields, dict[str, tuple[str, FieldSpec]], dict[str, FieldSpec], Fields, tuple[FieldSpec, ...]]] = {}


def _vocabulary(cls: type) -> tuple[Fields, dict[str, tuple[str, FieldSpec]], dict[str, FieldSpec], Fields, tuple[FieldSpec, ...]]:
    """A class's fields, the keywords it takes as statements or inline options, its fields by
    attribute name, its positional fields and its required ones; read once per class."""
    found = _VOCABULARIES.get(cls)
    if found is None:
        fields = tuple((f.name, f.metadata[_META]) for f in attrs.fields(cls) if _META in f.metadata)
        options = {s.keyword: (n, s) for n, s in fields if s.role != "positional"}
        positionals = tuple((n, s) for n, s in fields if s.role == "positional")
        found = _VOCABULARIES[cls] = (fields, options, dict(fields), positionals, tuple(s for _, s in fields if s.required))
    return found


@attrs.frozen
class Decl:
    """Base of every declaration: the statement's span, its keyword's span, and the keywords written
    in it, with the names of positionals written with a refused value (a value written but refused
    is reported once, not again as missing)."""

    span: Span = attrs.field(eq=False, repr=False, kw_only=True)
    keyword_span: Span = attrs.field(eq=False, repr=False, kw_only=True)
    keywords: frozenset[str] = attrs.field(eq=False, repr=False, kw_only=True, factory=frozenset)

    def wrote(self, keyword: str) -> bool:
        """Whether ``keyword`` was written in this declaration (even with a value that was refused)."""
        return keyword in self.keywords


@overload
def written(node: L[T] | None) -> T | None: ...


@overload
def written(node: L[T] | None, fallback: T) -> T: ...


def written(node: L[T] | None, fallback: T | None = None) -> T | None:
    """The value as written, else ``fallback``.

    For a value without a declared default: the fallback is a default that depends on other
    values (the autoscaling minimum, the user's group), which the vocabulary cannot declare,
    or stands in for a required value left out, which is reported. Declared defaults are
    read with :class:`Settings`.
    """
    return fallback if node is None else node.value


class Settings:
    """A block's settings: each field's value as written, else the default its declaration
    class declares (None where it declares none); for a block left out, every default.

    ``Settings(ProbesDecl, probes).interval`` is the probe interval, written or not.
    """

    def __init__(self, cls: type[Decl], block: Decl | None) -> None:
        self._specs = _vocabulary(cls)[2]
        self._block = block

    def __getattr__(self, name: str) -> Any:
        spec = None if name.startswith("_") else self._specs.get(name)
        if spec is None:
            raise AttributeError(name)
        node = getattr(self._block, name) if self._block is not None else None
        if isinstance(node, tuple):  # a list: the values written, else the default list
            return tuple(n.value for n in node) or (spec.default or ())
        return spec.default if node is None else node.value


def decode(cls: type[Any], stmt: Statement, diags: list[Diagnostic]) -> Any:
    """Read a statement as a declaration of ``cls``; problems go to ``diags``."""
    return _Decoder(diags).decl(cls, stmt)


def decode_file(cls: type[Any], statements: tuple[Statement, ...], span: Span, diags: list[Diagnostic]) -> Any:
    """Read a whole file's top-level statements as one declaration of ``cls``."""
    root = Statement("", (), statements, span=span, keyword_span=span)
    return _Decoder(diags).decl(cls, root)


class _Decoder:
    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags

    def report(self, code: str, span: Span, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> None:
        """Collect an error diagnostic."""
        self.diags.append(error(code, span, summary, help, related))

    def value(self, vtype: ValueType[Any], arg: Arg, what: str) -> L[Any] | None:
        """Read one argument as a value type, reporting a wrong shape or value."""
        if not vtype.accepts(arg):
            self.report("E0111", arg.span, f'{what} expects {vtype.description}, found {arg.kind.value} "{arg.text}"', f"write {vtype.description}")
            return None
        try:
            return L(vtype.convert(arg), span=arg.span)
        except BadValue as exc:
            self.report("E0120", arg.span, f"bad value for {what}: {exc}", f"write {vtype.description}")
            return None

    def decl(self, cls: type[Any], stmt: Statement) -> Any:
        """Read a statement (positionals, inline options, block) as a declaration of ``cls``."""
        _, options, _, positionals, required = _vocabulary(cls)
        values: dict[str, Any] = {}
        seen: dict[str, Span] = {}
        args = list(stmt.args)
        refused = self._positionals(stmt, positionals, options, args, values)
        self._inline_options(stmt, options, args, values, seen)
        self._body(cls, stmt, options, values, seen)
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
        for spec in required:
            if spec.keyword not in seen:
                owner = f'"{stmt.keyword}"' if stmt.keyword else "the spec"
                self.report("E0115", stmt.keyword_span, f'{owner} needs a "{spec.keyword}" statement', f"add `{spec.keyword} ...`")
        return cls(span=stmt.span, keyword_span=stmt.keyword_span, keywords=frozenset(seen) | refused, **values)

    def _positionals(self, stmt: Statement, positionals: Fields, options: dict[str, Any], args: list[Arg], values: dict[str, Any]) -> frozenset[str]:
        """Read the positional arguments into ``values``; the names of those written with a value that was refused
        (reported once here, so not again as missing)."""
        refused: set[str] = set()
        for name, spec in positionals:
            if spec.arrow:
                if args and args[0].kind is ArgKind.ARROW:
                    args.pop(0)
                elif spec.optional:  # no arrow: the optional target is left out
                    continue
                else:
                    where = args[0].span if args else stmt.keyword_span
                    self.report("E0112", where, f'"{stmt.keyword}" expects "->" before its {spec.keyword}', f"write `{stmt.keyword} ... -> {spec.keyword}`")
                    args.clear()
                    continue
            if spec.many:
                taken: list[L[Any]] = []
                while args and not (args[0].kind is ArgKind.WORD and args[0].text in options):
                    v = self.value(spec.type, args.pop(0), f'"{stmt.keyword}"')
                    if v is not None:
                        taken.append(v)
                values[name] = tuple(taken)
                continue
            if args and spec.optional and not spec.type.accepts(args[0]):
                continue
            if args and spec.optional and args[0].kind is ArgKind.WORD and args[0].text in options:
                continue
            if not args:
                if not spec.optional:
                    self.report(
                        "E0112", stmt.keyword_span, f'"{stmt.keyword}" needs its {spec.keyword}', f'write {spec.type.description} after "{stmt.keyword}"'
                    )
                continue
            values[name] = self.value(spec.type, args.pop(0), f'the {spec.keyword} of "{stmt.keyword}"')
            if values[name] is None:
                refused.add(spec.keyword)
        return frozenset(refused)

    def _inline_options(self, stmt: Statement, options: dict[str, Any], args: list[Arg], values: dict[str, Any], seen: dict[str, Span]) -> None:
        while args:
            word = args.pop(0)
            entry = options.get(word.text) if word.kind is ArgKind.WORD else None
            if entry is None or entry[1].role != "option":
                inline = [k for k, (_, s) in options.items() if s.role == "option"]
                hint = did_you_mean(word.text, inline) if word.kind is ArgKind.WORD and inline else "remove it, or put it on its own line"
                self.report("E0113", word.span, f'"{stmt.keyword}" does not take "{word.text}" here', hint)
                return
            name, spec = entry
            if spec.flag:
                self._store(values, seen, name, spec, L(True, span=word.span), word.span, stmt)
                continue
            if not args:
                self.report("E0112", word.span, f'"{word.text}" needs {spec.type.description}', f"write `{word.text} <value>`")
                return
            if spec.listed and not spec.many and spec.keyword in seen:
                self._twice(spec.keyword, word.span, stmt, seen)
            count = 1
            if spec.listed:
                while count < len(args) and not (args[count].kind is ArgKind.WORD and args[count].text in options):
                    count += 1
            for arg in args[:count]:
                v = self.value(spec.type, arg, f'"{word.text}"')
                if v is not None:
                    self._store(values, seen, name, spec, v, word.span, stmt)
                else:
                    seen.setdefault(spec.keyword, word.span)
            del args[:count]

    def _body(self, cls: type[Any], stmt: Statement, options: dict[str, Any], values: dict[str, Any], seen: dict[str, Span]) -> None:
        if stmt.body is None:
            return
        if not options:
            self.report("E0116", stmt.keyword_span, f'"{stmt.keyword}" takes no block', "remove the { ... } block")
            return
        for sub in stmt.body:
            entry = options.get(sub.keyword) if not sub.quoted else None
            if sub.quoted:
                help = "only a key of a mapping (`labels`, `annotations`...) is written in quotes; write the keyword without them"
                self.report("E0110", sub.keyword_span, f'"{stmt.keyword or "the spec"}" takes no quoted key here: "{sub.keyword}"', help)
                if sub.keyword in options:  # written, if badly: not also "missing"
                    seen.setdefault(sub.keyword, sub.keyword_span)
                continue
            if entry is None:
                where = f'in "{stmt.keyword}"' if stmt.keyword else "at the top level"
                self.report("E0110", sub.keyword_span, f'unknown keyword "{sub.keyword}" {where}', did_you_mean(sub.keyword, options))
                continue
            name, spec = entry
            if spec.role == "mapping":
                values.setdefault(name, []).extend(self._pairs(sub))
                continue
            if spec.role == "child":
                self._store(values, seen, name, spec, self.decl(spec.type, sub), sub.keyword_span, stmt)
                continue
            if spec.role == "tree":
                if sub.body is None or sub.args:
                    self.report("E0112", sub.keyword_span, f'"{sub.keyword}" takes a {{ ... }} block and nothing else', f"write `{sub.keyword} {{ ... }}`")
                    seen.setdefault(spec.keyword, sub.keyword_span)
                    continue
                self._store(values, seen, name, spec, L(sub, span=sub.span), sub.keyword_span, stmt)
                continue
            args = sub.args
            if sub.body is not None:
                self.report("E0116", sub.keyword_span, f'"{sub.keyword}" takes no block', f"write `{sub.keyword} <value>` on one line")
            if spec.flag and not args:
                self._store(values, seen, name, spec, L(True, span=sub.keyword_span), sub.keyword_span, stmt)
                continue
            if not args:
                self.report("E0112", sub.keyword_span, f'"{sub.keyword}" needs {spec.type.description}', f"write `{sub.keyword} <value>`")
                continue
            if spec.listed:
                for arg in args:
                    v = self.value(spec.type, arg, f'"{sub.keyword}"')
                    if v is not None:
                        values.setdefault(name, []).append(v)
                if not spec.many and sub.keyword in seen:
                    self._twice(sub.keyword, sub.keyword_span, stmt, seen)
                seen.setdefault(sub.keyword, sub.keyword_span)
                continue
            if len(args) > 1:
                extra = args[1]
                self.report("E0113", extra.span, f'"{sub.keyword}" takes one value, found another: "{extra.text}"', "remove the extra value")
            v = self.value(spec.type, args[0], f'"{sub.keyword}"')
            if v is not None:
                self._store(values, seen, name, spec, v, sub.keyword_span, stmt)
            else:
                seen.setdefault(spec.keyword, sub.keyword_span)  # written, if badly: not also "missing"

    def _pairs(self, stmt: Statement) -> list[L[tuple[str, str]]]:
        """The ``key "value"`` entries of a block; a key written twice is E0114."""
        pairs: list[L[tuple[str, str]]] = []
        seen: dict[str, Span] = {}
        for sub in stmt.body or ():
            if len(sub.args) != 1 or sub.args[0].kind is not ArgKind.STRING or sub.body is not None:
                self.report("E0111", sub.span, f'"{stmt.keyword}" entries are written `key "value"`', f'write `{sub.keyword} "value"`')
                continue
            if sub.keyword in seen:
                self._twice(sub.keyword, sub.keyword_span, stmt, seen)
                continue
            seen[sub.keyword] = sub.keyword_span
            pairs.append(L((sub.keyword, sub.args[0].text), span=sub.span))
        return pairs

    def _store(self, values: dict[str, Any], seen: dict[str, Span], name: str, spec: FieldSpec, value: Any, span: Span, parent: Statement) -> None:
        if spec.many or spec.listed:
            values.setdefault(name, []).append(value)
            seen.setdefault(spec.keyword, span)
            return
        if spec.keyword in seen:
            self._twice(spec.keyword, span, parent, seen)
            return
        seen[spec.keyword] = span
        values[name] = value

    def _twice(self, keyword: str, span: Span, parent: Statement, seen: dict[str, Span]) -> None:
        """Report a keyword written twice where once is allowed."""
        where = f'"{parent.keyword}"' if parent.keyword else "the spec"
        self.report("E0114", span, f'"{keyword}" is set twice in {where}', "keep one of them", (Related(seen[keyword], "first set here"),))
