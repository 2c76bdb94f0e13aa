"""Tolerant pql/json reader (PQL.md §13.8).

Accepts Adobe's current and 2018-2019 shapes and the Flow-service dialect: key order is free;
roots may be ``parameterReference`` 1, ``XDMObject "profile"`` or absent; literal types in any
case or missing (then taken from the JSON type); integers sent as strings; ``fnName`` matched
case-insensitively for keyword operators (``NOT``); ``where`` or ``range`` in ``varDecl``; a
whole document double-encoded as a JSON string or wrapped in a segment ``expression``
envelope. Anything else raises :class:`PqlJsonError` naming the JSON path.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from segctl.errors import Location
from segctl.pql import ast as a
from segctl.pql.depth import crossing
from segctl.pql.errors import PqlJsonError, locate
from segctl.pql.json.codec import FREE_FUNCTIONS, KEYWORD_OPERATORS, PRIVATE_KEY
from segctl.pql.json.locate import pointer_offset
from segctl.pql.json.private import decode_private
from segctl.pql.limits import MAX_DEPTH
from segctl.pql.tokens import IDENT_RE, KEYWORDS, RESERVED

_ROOT = object()  # marker: a lookup without an object (the profile, or the current item)
_EXPLICIT_ROOT = object()  # marker: a lookup rooted at parameterReference 1 / "profile"
_QUANTIFIERS = {"some": "exists", "exists": "exists", "all": "forall", "forall": "forall"}
_BINARY_SYMBOLS = frozenset({*a.COMPARISON_OPS, *a.ARITHMETIC_OPS})


def from_json(doc: dict[str, Any] | str, *, file: str | None = None) -> a.Expr:
    """The AST of a pql/json document (dict, JSON text, or double-encoded JSON text).

    Errors in JSON text given once-encoded carry the line and column of the offending node.
    """
    value: Any = doc
    texts: list[str] = []
    for _ in range(3):  # JSON text, possibly a JSON string holding JSON text
        if not isinstance(value, str):
            break
        texts.append(value)
        too_deep = _nesting_offset(value, _MAX_JSON_NESTING)
        if too_deep is not None:
            raise PqlJsonError(f"JSON nested more than {_MAX_JSON_NESTING} levels deep",
                               location=locate(value, too_deep, file=file))
        try:
            value = json.loads(value)
        except json.JSONDecodeError as err:
            raise PqlJsonError(f"invalid JSON: {err.msg}",
                               location=locate(err.doc, err.pos, file=file)) from None
        except ValueError as err:  # e.g. an integer beyond CPython's 4,300-digit limit
            raise PqlJsonError(f"invalid JSON: {err}", location=locate(value, 0, file=file)
                               ) from None
    reader = JsonReader(file)
    try:
        expr = reader.envelope(value)
        # a pql/json node is at least one tree level, except a root-less fieldLookup (two)
        if reader.deepest > MAX_DEPTH // 2 and crossing(expr):
            raise reader.error("", f"the tree is nested more than {MAX_DEPTH} levels deep")
        return expr
    except PqlJsonError as err:
        offset = None
        if len(texts) == 1 and err.pointer is not None:
            offset = pointer_offset(texts[0], err.pointer)
        if offset is None:
            raise
        raise PqlJsonError(err.message, location=locate(texts[0], offset, file=file),
                           pointer=err.pointer) from None


#: JSON text deeper than this is refused before decoding (json.loads recurses in C)
_MAX_JSON_NESTING = 8 * MAX_DEPTH
#: pql/json nodes nested deeper than this are refused while reading; the writer spends up to
#: three nodes on one tree level (a filter is fnApply > lambda > body), and the tree read is
#: then held to MAX_DEPTH like a parsed one
_MAX_JSON_NODES = 3 * MAX_DEPTH
_JSON_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def _nesting_offset(text: str, limit: int) -> int | None:
    """Offset of the first bracket nested deeper than ``limit`` (strings skipped), or None."""
    if text.count("[") + text.count("{") <= limit:  # the usual case, counted in C
        return None
    depth = 0
    for match in _JSON_BRACKETS.finditer(text):
        char = match.group()[0]
        if char in "[{":
            depth += 1
            if depth > limit:
                return match.start()
        elif char in "]}":
            depth -= 1
    return None


class JsonReader:
    """Decodes one document; ``path`` arguments are JSON pointers used in error messages."""

    def __init__(self, file: str | None):
        self.file = file
        self.bound: tuple[str, ...] = ()  # variables in scope: a root lookup must not be captured
        # inside filter conditions and chain steps a root-less lookup is the current item's
        # field and one rooted at the profile is `$1.field` (json.codec writes them so)
        self.item_relative = False
        self.depth = 0
        self.deepest = 0

    def error(self, path: str, message: str) -> PqlJsonError:
        shown = path if len(path) <= 60 else "..." + path[-50:]
        return PqlJsonError(f"at {shown or '/'}: {message}", location=Location(self.file),
                            pointer=path)

    def envelope(self, value: Any) -> a.Expr:
        if isinstance(value, dict) and "nodeType" not in value and "value" in value and (
                "format" in value or "type" in value):
            fmt = str(value.get("format", "pql/json")).lower()
            inner = value["value"]
            if fmt == "pql/text":
                if not isinstance(inner, str):
                    raise self.error("/value", "a pql/text value must be a string")
                from segctl.pql.parser import parse

                return parse(inner, file=self.file)
            if isinstance(inner, str):  # errors inside are reported without a position
                try:
                    return from_json(inner, file=self.file)
                except PqlJsonError as err:
                    raise PqlJsonError(err.message, location=Location(self.file)) from None
            return self.node(inner, "/value")
        return self.node(value, "")

    # ---- helpers ------------------------------------------------------------------------

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected a JSON object node, found {_kind(value)}")
        return value

    def string(self, node: dict[str, Any], key: str, path: str) -> str:
        value = node.get(key)
        if not isinstance(value, str):
            raise self.error(path, f"expected a string '{key}', found {_kind(value)}")
        return value

    def name(self, node: dict[str, Any], key: str, path: str, *, field: bool = False) -> str:
        value = self.string(node, key, path)
        if not IDENT_RE.match(value) or (not field and value.lower() in RESERVED):
            raise self.error(path, f"{value!r} is not a valid PQL name")
        return value

    def items(self, node: dict[str, Any], key: str, path: str) -> list[Any]:
        value = node.get(key, [])
        if not isinstance(value, list):
            raise self.error(path, f"expected an array '{key}', found {_kind(value)}")
        return value

    def params(self, node: dict[str, Any], path: str) -> list[a.Expr]:
        return [self.node(p, f"{path}/params/{i}")
                for i, p in enumerate(self.items(node, "params", path))]

    # ---- nodes --------------------------------------------------------------------------

    def node(self, value: Any, path: str) -> a.Expr:
        self.depth += 1
        if self.depth > self.deepest:
            self.deepest = self.depth
        if self.depth > _MAX_JSON_NODES:  # bounds the recursion; the tree is checked after
            raise self.error(path, f"pql/json nodes nested more than {_MAX_JSON_NODES} deep")
        expr = self._node(value, path)
        self.depth -= 1  # not in a `finally`: after an error the reader is discarded
        return expr

    def _node(self, value: Any, path: str) -> a.Expr:
        node = self.obj(value, path)
        node_type = node.get("nodeType")
        if node_type is None:  # the Flow dialect is sometimes sloppy: infer from the keys
            node_type = ("fnApply" if "fnName" in node else "fieldLookup" if "fieldName" in node
                         else "literal" if "value" in node else None)
        if node_type is None:
            raise self.error(path, _missing_node_type(node))
        reader = _NODE_READERS.get(str(node_type).lower())
        if reader is None:
            raise self.error(path, f"unknown or missing nodeType {node_type!r}")
        return reader(self, node, path)

    def literal(self, node: dict[str, Any], path: str) -> a.Expr:
        kind = str(node.get("literalType", "")).lower()
        value = node.get("value")
        if kind == "xdmobject":
            if value != "profile":
                raise self.error(path, f"unsupported XDMObject {value!r} (expected 'profile')")
            return a.Parameter(1)
        if kind == "list":
            if not isinstance(value, list):
                raise self.error(path, "a List literal needs an array value")
            return a.ListLiteral(tuple(self.constant(v, None, f"{path}/value/{i}")
                                       for i, v in enumerate(value)))
        return self.constant(value, kind or None, path + "/value")

    def constant(self, value: Any, kind: str | None, path: str) -> a.Expr:
        try:
            if kind in ("string", "querystring") and isinstance(value, str | int | float):
                return a.StringLiteral(value if isinstance(value, str) else json.dumps(value))
            if kind in ("integer", "long", "int") and not isinstance(value, bool):
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError(value)
                return a.IntegerLiteral(int(value))
            if kind in ("number", "double", "float", "decimal") and not isinstance(value, bool):
                number = float(value)
                if number.is_integer() and isinstance(value, int):
                    return a.IntegerLiteral(value)
                if math.isfinite(number):
                    return a.NumberLiteral(number)
            if kind == "boolean" and (isinstance(value, bool) or value in ("true", "false")):
                return a.BooleanLiteral(value is True or value == "true")
        except (TypeError, ValueError):
            pass
        if kind is None:
            if isinstance(value, bool):
                return a.BooleanLiteral(value)
            if isinstance(value, int):
                return a.IntegerLiteral(value)
            if isinstance(value, float) and math.isfinite(value):
                return a.NumberLiteral(value)
            if isinstance(value, str):
                return a.StringLiteral(value)
            if isinstance(value, list):
                return a.ListLiteral(tuple(self.constant(v, None, f"{path}/{i}")
                                           for i, v in enumerate(value)))
        target = f"a literal of type {kind!r}" if kind else "a PQL literal"
        raise self.error(path, f"cannot read {_kind(value)} as {target}"
                         + (" (PQL has no null literal)" if value is None else ""))

    def lookup_object(self, node: dict[str, Any], path: str) -> object:
        """The decoded ``object`` of a fieldLookup, or _ROOT for the implicit profile."""
        target = node.get("object")
        if target is None:
            return _ROOT
        target = self.obj(target, path + "/object")
        kind = str(target.get("nodeType", "")).lower()
        if kind == "parameterreference" and str(target.get("position", 1)) == "1":
            return _EXPLICIT_ROOT
        if kind == "literal" and str(target.get("literalType", "")).lower() == "xdmobject":
            self.literal(target, path + "/object")
            return _EXPLICIT_ROOT
        name = target.get("varName")
        if kind == "varref" and str(name).lower() == "profile" and name not in self.bound:
            return _EXPLICIT_ROOT  # OLD-SQ JQ3 roots lookups at an unbound "profile" variable
        return self.node(target, path + "/object")

    def field_lookup(self, node: dict[str, Any], path: str) -> a.Expr:
        name = self.name(node, "fieldName", path, field=True)
        target = self.lookup_object(node, path)
        if target is _ROOT or target is _EXPLICIT_ROOT:
            if name.lower() == "xevent":
                return a.XEvent()
            if (name.lower() in KEYWORDS or name in self.bound  # keep it a field: `$1.select`
                    or (target is _EXPLICIT_ROOT and self.item_relative)):
                return a.Field(a.Parameter(1), name)
            return a.Name(name)
        assert isinstance(target, a.Expr)
        return a.Field(target, name)

    def parameter(self, node: dict[str, Any], path: str) -> a.Expr:
        try:
            position = int(node.get("position", 1))
        except (TypeError, ValueError):
            position = 0
        if position < 1:
            raise self.error(path, "parameterReference needs a position >= 1")
        return a.Parameter(position)

    def var_ref(self, node: dict[str, Any], path: str) -> a.Expr:
        if str(node.get("varName")) == "this":
            return a.This()
        return a.Name(self.name(node, "varName", path))

    def scoped(self, names: tuple[str, ...], value: Any, path: str, *,
               item_relative: bool | None = None) -> a.Expr:
        saved = self.bound, self.item_relative
        self.bound = saved[0] + names
        if item_relative is not None:
            self.item_relative = item_relative
        try:
            return self.node(value, path)
        finally:
            self.bound, self.item_relative = saved

    def decls(self, node: dict[str, Any], path: str,
              then: Any = None) -> tuple[tuple[a.VarDecl, ...], a.Expr | None]:
        """The declarations, each binding its variable for what follows, and ``then`` (a
        node decoded with every variable bound, e.g. an aggregation's value)."""
        variables = self.items(node, "variables", path)
        if not variables:
            raise self.error(path, "needs at least one varDecl in 'variables'")
        saved = self.bound
        try:
            decls = tuple(self.decl(v, f"{path}/variables/{i}") for i, v in enumerate(variables))
            result = None if then is None else self.node(then[0], then[1])
        finally:
            self.bound = saved
        return decls, result

    def decl(self, value: Any, path: str) -> a.VarDecl:
        """One varDecl; its variable stays bound for the caller (see :meth:`decls`)."""
        node = self.obj(value, path)
        if str(node.get("nodeType", "varDecl")).lower() != "vardecl":
            raise self.error(path, "expected a varDecl")
        if "from" not in node:
            raise self.error(path, "varDecl needs 'from'")
        name = self.name(node, "varName", path)
        source = self.node(node["from"], path + "/from")
        self.bound += (name,)
        condition = node.get("where", node.get("range"))
        key = "where" if "where" in node else "range"
        return a.VarDecl(name, source,
                         None if condition is None else self.node(condition, f"{path}/{key}"))

    def select(self, node: dict[str, Any], path: str) -> a.Expr:
        return a.Select(self.decls(node, path)[0])

    def quantification(self, node: dict[str, Any], path: str) -> a.Expr:
        quantifier = str(node.get("quantifier", "")).lower()
        decls = self.decls(node, path)[0]
        if quantifier in _QUANTIFIERS:
            return a.Quantified(_QUANTIFIERS[quantifier], decls)
        if quantifier == "none":
            return a.Not(a.Quantified("exists", decls))
        if quantifier == "one":
            count = a.MethodCall(a.Select(decls), "count", ())
            return a.BinaryOp("=", count, a.IntegerLiteral(1))
        raise self.error(path, f"unknown quantifier {node.get('quantifier')!r}")

    def fn_create(self, node: dict[str, Any], path: str) -> a.Expr:
        names = tuple(self.name(self.obj(p, f"{path}/params/{i}"), "varName", f"{path}/params/{i}")
                      for i, p in enumerate(self.items(node, "params", path)))
        if "body" not in node:
            raise self.error(path, "fnCreate needs a 'body'")
        # a lambda without parameters is a filter condition, relative to each item
        return a.Lambda(names, self.scoped(names, node["body"], path + "/body",
                                           item_relative=True if not names else None))

    def fn_apply(self, node: dict[str, Any], path: str) -> a.Expr:
        if PRIVATE_KEY in node:
            return decode_private(self, node, path)
        if "fnName" not in node and isinstance(node.get("function"), dict):
            # OLD-SQ JQ3: a lambda applied to params, i.e. filtering the first param
            function = self.fn_create(node["function"], path + "/function")
            params = self.params(node, path)
            if len(params) != 1:
                raise self.error(path, "an applied fnCreate needs exactly one param")
            return a.MethodCall(params[0], "filter", (function,))
        name = self.string(node, "fnName", path)
        params = self.params(node, path)
        return self.apply(name, params, path)

    def apply(self, name: str, params: list[a.Expr], path: str) -> a.Expr:
        operator = KEYWORD_OPERATORS.get(name.lower(), name if name in _BINARY_SYMBOLS else None)
        if operator in ("and", "or"):
            if not params:
                raise self.error(path, f"'{name}' needs at least one param")
            if len(params) == 1:
                return params[0]
            return a.And(tuple(params)) if operator == "and" else a.Or(tuple(params))
        if operator == "not" or name == "!":
            self.arity(name, params, 1, path)
            return a.Not(params[0])
        if operator == "-" and len(params) == 1:
            return a.Negate(params[0])
        if operator == "=" and len(params) == 3:  # XDM's string flavour: third = case flag
            return a.MethodCall(params[0], "equals", (params[1], params[2]))
        if operator is not None:
            self.arity(name, params, 2, path)
            return a.BinaryOp(operator, params[0], params[1])
        if name == "date" and len(params) == 3:
            return a.DateLiteral(*params)
        if name == "filter" and len(params) == 2 and type(params[1]) is a.Lambda \
                and not params[1].params:
            return a.Filter(params[0], params[1].body)
        self.check_name(name, path)
        if name in FREE_FUNCTIONS or not params:
            return self.call(name, params, path)
        return a.MethodCall(params[0], name, tuple(params[1:]))

    def check_name(self, name: str, path: str) -> None:
        if not IDENT_RE.match(name):
            raise self.error(path, f"{name!r} is not a PQL function or operator")

    def call(self, name: str, params: list[a.Expr], path: str) -> a.Expr:
        """A free function call; keywords (``select``, ``date`` of the wrong arity) are not."""
        self.check_name(name, path)
        if name.lower() in KEYWORDS:
            raise self.error(path, f"{name!r} with {len(params)} param(s) is not a PQL function")
        return a.Call(name, tuple(params))

    def arity(self, name: str, params: list[a.Expr], count: int, path: str) -> None:
        if len(params) != count:
            raise self.error(path, f"'{name}' takes {count} param(s), got {len(params)}")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__)


def _missing_node_type(node: dict[str, Any]) -> str:
    what = ("an empty object is not a PQL tree" if not node else
            f"an object with keys {', '.join(sorted(map(str, node))[:5])} and no nodeType")
    return f"{what}: a pql/json node needs a nodeType ({', '.join(NODE_TYPES)})"


#: the nodeType spellings of PQL.md §13, as AEP writes them
NODE_TYPES = ("literal", "fieldLookup", "fnApply", "fnCreate", "select", "quantification",
              "varRef", "parameterReference")

_NODE_READERS = {
    "literal": JsonReader.literal,
    "fieldlookup": JsonReader.field_lookup,
    "parameterreference": JsonReader.parameter,
    "varref": JsonReader.var_ref,
    "select": JsonReader.select,
    "quantification": JsonReader.quantification,
    "fncreate": JsonReader.fn_create,
    "fnapply": JsonReader.fn_apply,
}
