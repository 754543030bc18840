"""``patch`` statements -> :class:`~orion_dsl.patches.model.Patch`: the target found in the plan, every field path and
value checked against the kind's schema (:mod:`.schema`).

A target is a kind and a name as the plan names them (``in`` a namespace, ``api`` an apiVersion when two objects
share both); a merge block's statements are field names, read down the schema: a block for an object or map, one
value for a scalar, values for a list of scalars, a repeated block for a list of objects, and, for a list with a
strategic-merge key, the element's key after the field name (``containers payments { ... }``). Values are strings in
quotes, numbers, ``true``/``false``, and ``null`` (a merge removes the field); quantities and percentages
(``500m``, ``25%``) are strings. Errors: E0230 (no such object), E0231 (no such field), E0232 (wrong type).
"""

from __future__ import annotations

from collections.abc import Iterable

from orion_dsl import declarations as decl
from orion_dsl.choices import JSON_OPS, MERGE_DIRECTIVES, JsonOp
from orion_dsl.diagnostics import Diagnostic, Related, did_you_mean, error
from orion_dsl.lowering.plan import ObjectId, Plan
from orion_dsl.patches import schema
from orion_dsl.patches.model import DIRECTIVE, Json, Operation, Patch, frozen_json
from orion_dsl.patches.schema import Node
from orion_dsl.source import Span
from orion_dsl.syntax import Arg, ArgKind, Statement

#: Fields that are the plan's identity of an object: no patch sets them.
IDENTITY = frozenset({"/apiVersion", "/kind", "/metadata/name", "/metadata/namespace"})

_WORDS: dict[str, Json] = {"true": True, "false": False, "null": None}


class _Failed(Exception):
    """A value that could not be read (already reported)."""


class Reader:
    """Reads the patches of one spec against one plan, collecting diagnostics."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.diags: list[Diagnostic] = []

    def report(self, code: str, span: Span, summary: str, help: str = "", related: tuple[Related, ...] = ()) -> None:
        """Collect an error."""
        self.diags.append(error(code, span, summary, help, related))

    # ------------------------------------------------------------------ targets

    def target(self, d: decl.PatchDecl) -> ObjectId | None:
        """The emitted object a patch names, or None (reported: E0230)."""
        if d.kind is None or d.name is None:
            return None
        kind, name = d.kind.value, d.name.value
        emitted = [e.id for e in self.plan.entries if e.emitted]
        of_kind = [i for i in emitted if i.kind == kind]
        if not of_kind:
            known = sorted({k for _, k in schema.kinds()})
            if kind in known:
                made = sorted({i.kind for i in emitted})
                self.report("E0230", d.kind.span, f"this spec generates no {kind}", f"patch an object it generates; {did_you_mean(kind, made)}")
            else:
                self.report("E0230", d.kind.span, f'unknown kind "{kind}": ORION generates no such object', did_you_mean(kind, known))
            return None
        found = [i for i in of_kind if i.name == name and (d.namespace is None or i.namespace == d.namespace.value)]
        if d.api is not None:
            found = [i for i in found if i.api_version == d.api.value]
        if not found:
            where = f" in {d.namespace.value}" if d.namespace is not None else ""
            names = sorted({i.name for i in of_kind if d.namespace is None or i.namespace == d.namespace.value}) or sorted({i.name for i in of_kind})
            self.report("E0230", d.name.span, f'ORION generates no {kind} "{name}"{where}', did_you_mean(name, names))
            return None
        if len(found) > 1:
            choices = ", ".join(f"`in {i.namespace}`" if i.namespace else f'`api "{i.api_version}"`' for i in found)
            help = "name the namespace with `in NAMESPACE`" if len({i.namespace for i in found}) > 1 else 'name the apiVersion with `api "group/version"`'
            self.report("E0230", d.name.span, f'{len(found)} generated objects are {kind} "{name}" ({choices})', help)
            return None
        return found[0]

    # ------------------------------------------------------------------ values

    def scalar(self, arg: Arg, node: Node, field: str) -> Json:
        """One argument as a value of a scalar field."""
        if arg.kind is ArgKind.STRING or arg.kind in (ArgKind.QUANTITY, ArgKind.PERCENT):
            value: Json = arg.text
        elif arg.kind is ArgKind.NUMBER:
            value = float(arg.text) if "." in arg.text else int(arg.text)
        elif arg.kind is ArgKind.WORD and arg.text in _WORDS:
            value = _WORDS[arg.text]
        else:
            help = f'write it in double quotes: "{arg.text}"' if arg.kind is ArgKind.WORD else f"write {node.description}"
            self.report("E0232", arg.span, f'"{field}" takes {node.description}, found {arg.kind.value} "{arg.text}"', help)
            raise _Failed
        if value is None:
            return None
        if not node.is_object and not node.is_array and not schema.scalar_fits(value, node):
            self.report("E0232", arg.span, f'"{field}" takes {node.description}, found {arg.kind.value} "{arg.text}"', f"write {node.description}")
            raise _Failed
        if node.is_object and "any" not in node.types:
            self.report("E0232", arg.span, f'"{field}" is an object: write its fields in a {{ ... }} block', f"write `{field} {{ ... }}`")
            raise _Failed
        if isinstance(value, str) and node.allowed and value not in node.allowed:
            self.report("E0232", arg.span, f'"{field}" takes one of {", ".join(node.allowed)}, not "{value}"', did_you_mean(value, node.allowed))
            raise _Failed
        return value

    def block(self, body: Iterable[Statement], node: Node, where: str, paths: list[str]) -> dict[str, Json]:
        """A block of field statements as an object of ``node``; repeated list statements add elements."""
        out: dict[str, Json] = {}
        first: dict[str, Span] = {}
        for stmt in body:
            key = stmt.keyword
            if key == DIRECTIVE and stmt.quoted:
                if key in first:
                    self.report("E0114", stmt.keyword_span, f'"$patch" is set twice in {where}', "keep one of them", (Related(first[key], "first set here"),))
                else:
                    first[key] = stmt.keyword_span
                    self.directive(stmt, where, out, paths)
                continue
            child = node.child(key)
            if child is None:
                self.report("E0231", stmt.keyword_span, f'"{key}" is not a field of {where or "the object"}', did_you_mean(key, node.fields))
                continue
            path = f"{where}.{key}" if where else key
            if f"/{path.replace('.', '/')}" in IDENTITY:
                self.report(
                    "E0231", stmt.keyword_span, f"a patch cannot change {path}: it is the object's identity in the plan", "rename the object in the spec"
                )
                continue
            listed = child.is_array and (stmt.body is not None or key in out)
            if key in first and not listed:
                self.report(
                    "E0114", stmt.keyword_span, f'"{key}" is set twice in {where or "the patch"}', "keep one of them", (Related(first[key], "first set here"),)
                )
                continue
            first.setdefault(key, stmt.keyword_span)
            try:
                value = self.value(stmt, child, path, paths)
            except _Failed:
                continue
            if listed and isinstance(value, list):
                out.setdefault(key, []).extend(value)
            else:
                out[key] = value
        if out.get(DIRECTIVE) == "delete" and len(out) > 1:
            help = 'keep `"$patch" delete` alone in its block, or write `"$patch" replace` to set the block\'s fields instead'
            self.report("E0113", first[DIRECTIVE], f"{where} is deleted: its other fields would be lost", help)
        return out

    def directive(self, stmt: Statement, where: str, out: dict[str, Json], paths: list[str]) -> None:
        """``"$patch" delete`` or ``"$patch" replace`` in the block of a field or of a list element named by its key:
        the field (element) is removed, or set to the block instead of merged. Not at the top (the object is the plan's)
        nor in an element of a list without a merge key (that list is replaced whole anyway)."""
        if not where or where.endswith("[]"):
            at = "the object itself is the plan's" if not where else f"{where.removesuffix('[]')} has no merge key, so the patch replaces it whole"
            help = 'write "$patch" in the block of a field, or of an element named by its key'
            self.report("E0231", stmt.keyword_span, f'"$patch" does not apply here: {at}', help)
            return
        args = stmt.args
        text = args[0].text if len(args) == 1 and args[0].kind in (ArgKind.WORD, ArgKind.STRING) and stmt.body is None else None
        if text not in MERGE_DIRECTIVES:
            help = did_you_mean(text or "", MERGE_DIRECTIVES)
            self.report("E0232", stmt.keyword_span, f'"$patch" takes {" or ".join(MERGE_DIRECTIVES)}', help)
            return
        if text == "replace" and where.endswith("]"):
            field, _, element = where.rpartition("[")
            name = field.rsplit(".", 1)[-1]
            value = element.partition("=")[2].removesuffix("]")
            written = value if value.replace("-", "").replace("_", "").isalnum() else f'"{value}"'
            summary = f'"$patch" replace in the element {name}[{element} would replace the whole list: kubectl drops this element and keeps the patch\'s others'
            help = (
                f'to replace the list, write `{name} {{ "$patch" replace }}` beside the elements it keeps; to set this element whole, '
                f'delete it and write it again: `{name} {written} {{ "$patch" delete }}` then its block'
            )
            self.report("E0231", stmt.keyword_span, summary, help)
            return
        out[DIRECTIVE] = text
        paths.append(f"{where} ($patch {text})")

    def replaces_list(self, stmt: Statement) -> bool:
        """Whether a keyed list's statement without a key is upstream's list-level ``- $patch: replace``
        (``ports { "$patch" replace }``: the list becomes the patch's other elements); its block holds that alone."""
        body = stmt.body or ()
        if not any(s.keyword == DIRECTIVE and s.quoted for s in body):
            return False
        if [(s.keyword, tuple(a.text for a in s.args), s.body) for s in body] != [(DIRECTIVE, ("replace",), None)]:
            field = stmt.keyword
            help = f'write `{field} {{ "$patch" replace }}` alone to replace the list, and delete an element by its key: `{field} <key> {{ "$patch" delete }}`'
            self.report("E0232", stmt.keyword_span, f'a block of "{field}" without its key holds `"$patch" replace` and nothing else', help)
            raise _Failed
        return True

    def value(self, stmt: Statement, node: Node, path: str, paths: list[str], args: tuple[Arg, ...] | None = None) -> Json:
        """A field statement's value (``args``: its arguments, when not all of the statement's are the value)."""
        args = stmt.args if args is None else args
        field = path.rsplit(".", 1)[-1]
        if node.is_array:
            item = node.item
            key = node.merge_key
            if stmt.body is None:
                if not args:
                    self.report("E0112", stmt.keyword_span, f'"{field}" needs its values', f"write `{field} value, value`, or `{field} {{ ... }}` per element")
                    raise _Failed
                if item.is_object and "any" not in item.types:
                    write = f"`{field} <{key}> {{ ... }}`" if key else f"`{field} {{ ... }}` once per element"
                    self.report("E0232", stmt.keyword_span, f'"{field}" is a list of objects: write its elements in blocks', f"write {write}")
                    raise _Failed
                paths.append(path)
                return [self.scalar(a, item, field) for a in args]
            if key is not None and len(args) == 1:
                element_path = f"{path}[{key}={args[0].text}]"
                named = item.child(key)
                assert named is not None, (path, key)
                name = args[0].text if args[0].kind is ArgKind.WORD and "string" in named.types else self.scalar(args[0], named, key)
                if not stmt.body:
                    paths.append(element_path)
                return [{key: name, **self.block(stmt.body, item, element_path, paths)}]
            if key is not None and not args and self.replaces_list(stmt):
                paths.append(f"{path} ($patch replace)")
                return [{DIRECTIVE: "replace"}]
            if key is not None or args:
                help = f"name the element by its {key}: `{field} <{key}> {{ ... }}`" if key else f"write `{field} {{ ... }}` once per element"
                self.report("E0232", stmt.keyword_span, f'"{field}" is a list of objects' + (f" merged by {key}" if key else ""), help)
                raise _Failed
            if not stmt.body:
                paths.append(f"{path}[]")
            return [self.block(stmt.body, item, f"{path}[]", paths)]
        if stmt.body is not None:
            if args or not node.is_object:
                self.report(
                    "E0232",
                    stmt.keyword_span,
                    f'"{field}" takes {node.description}, not a block' if not node.is_object else f'"{field}" takes a block and no value',
                    f"write {node.description}",
                )
                raise _Failed
            if not stmt.body:
                paths.append(path)
            return self.block(stmt.body, node, path, paths)
        if len(args) != 1:
            self.report("E0112" if not args else "E0113", stmt.keyword_span, f'"{field}" takes one value', f"write `{field} <value>`")
            raise _Failed
        paths.append(path)
        return self.scalar(args[0], node, field)

    # ------------------------------------------------------------------ JSON patch

    def pointer(self, arg: Arg, root: Node, op: JsonOp) -> Node | None:
        """The node a JSON pointer names, walking the schema (E0231 for a field or index the kind does not have)."""
        text = arg.text
        if arg.kind is not ArgKind.STRING or not text.startswith("/"):
            self.report(
                "E0231",
                arg.span,
                f'a JSON patch path is a JSON pointer in quotes such as "/spec/replicas", found {arg.kind.value} "{text}"',
                'write "/field/field"',
            )
            return None
        if any(text == i or text.startswith(i + "/") for i in IDENTITY):
            self.report("E0231", arg.span, f"a patch cannot change {text}: it is the object's identity in the plan", "rename the object in the spec")
            return None
        node, walked = root, ""
        for segment in (schema.unescape(s) for s in text[1:].split("/")):
            if node.is_array:
                last = walked + "/" + segment == text
                if not (segment.isdigit() or (segment == "-" and op in ("add", "move", "copy") and last)):
                    self.report(
                        "E0231", arg.span, f'"{walked}" is a list: "{segment}" is no index of it', "write an index (0, 1, ...), or - to append with add"
                    )
                    return None
                node = node.item
            else:
                child = node.child(segment)
                if child is None:
                    self.report("E0231", arg.span, f'"{segment}" is not a field of {walked or "the object"}', did_you_mean(segment, node.fields))
                    return None
                node = child
            walked += "/" + schema.escape(segment)
        return node

    def operations(self, body: Iterable[Statement], root: Node, paths: list[str]) -> list[Operation]:
        """The RFC 6902 operations of a ``json`` block."""
        ops: list[Operation] = []
        for stmt in body:
            if stmt.keyword not in JSON_OPS or stmt.quoted:
                self.report("E0110", stmt.keyword_span, f'unknown JSON patch operation "{stmt.keyword}"', did_you_mean(stmt.keyword, JSON_OPS))
                continue
            op = stmt.keyword  # narrowed to JsonOp by the check above
            args = stmt.args
            if not args:
                self.report(
                    "E0112", stmt.keyword_span, f'"{op}" needs a path', f'write `{op} "/field/field"' + (" value`" if op in ("add", "replace", "test") else "`")
                )
                continue
            try:
                ops.append(self.operation(stmt, op, root, paths))
            except _Failed:
                continue
        return ops

    def operation(self, stmt: Statement, op: JsonOp, root: Node, paths: list[str]) -> Operation:
        """One operation: ``remove PATH``, ``add|replace|test PATH VALUE`` (or a block), ``move|copy FROM -> PATH``."""
        args = stmt.args
        if op in ("move", "copy"):
            if len(args) != 3 or args[1].kind is not ArgKind.ARROW or stmt.body is not None:
                self.report("E0112", stmt.keyword_span, f'"{op}" is written `{op} "/from" -> "/to"`', f'write `{op} "/from" -> "/to"`')
                raise _Failed
            source, target = self.pointer(args[0], root, "remove" if op == "move" else "test"), self.pointer(args[2], root, op)
            if source is None or target is None:
                raise _Failed
            paths.append(f"{op} {args[0].text} -> {args[2].text}")
            return Operation(op, args[2].text, source=args[0].text, span=stmt.span)
        node = self.pointer(args[0], root, op)
        if node is None:
            raise _Failed
        if op == "remove":
            if len(args) > 1 or stmt.body is not None:
                self.report("E0113", stmt.keyword_span, '"remove" takes a path and nothing else', 'write `remove "/field/field"`')
                raise _Failed
            paths.append(f"remove {args[0].text}")
            return Operation(op, args[0].text, span=stmt.span)
        field = schema.unescape(args[0].text.rsplit("/", 1)[-1])
        if stmt.body is None and len(args) < 2:
            self.report("E0112", stmt.keyword_span, f'"{op}" needs a value after its path', f'write `{op} "{args[0].text}" <value>`, or a {{ ... }} block')
            raise _Failed
        value = self.value(stmt, node, field, [], args[1:])
        paths.append(f"{op} {args[0].text}")
        return Operation(op, args[0].text, frozen_json(value), span=stmt.span)

    # ------------------------------------------------------------------ patches

    def patch(self, d: decl.PatchDecl) -> Patch | None:
        """One ``patch`` statement, resolved and checked; None when anything is wrong (reported)."""
        target = self.target(d)
        if d.merge is None and d.json is None:
            self.report("E0233", d.keyword_span, "the patch changes nothing: it has no merge or json block", "add `merge { ... }` or `json { ... }`")
            return None
        if target is None:
            return None
        root = schema.of_kind(target.api_version, target.kind)
        before = len(self.diags)
        paths: list[str] = []
        merge = self.block(d.merge.value.body or (), root, "", paths) if d.merge is not None else None
        operations = self.operations(d.json.value.body or (), root, paths) if d.json is not None else []
        if len(self.diags) > before:
            return None
        return Patch(target, None if merge is None else frozen_json(merge), tuple(operations), tuple(dict.fromkeys(paths)), span=d.span)


def read_patches(patches: tuple[decl.PatchDecl, ...], plan: Plan) -> tuple[tuple[Patch, ...], list[Diagnostic]]:
    """The spec's patches resolved against the plan, in the order written, and what is wrong with them."""
    reader = Reader(plan)
    found = tuple(p for d in patches if (p := reader.patch(d)) is not None)
    return found, reader.diags
