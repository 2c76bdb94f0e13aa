"""Reader for segctl's private pql/json nodes (``fnApply`` carrying a ``"segctl"`` key).

These encode constructs Adobe never published a JSON form for (PQL.md §13.7); the writer is
:mod:`segctl.pql.json.codec`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from segctl.pql import ast as a
from segctl.pql.json.codec import PRIVATE_KEY

if TYPE_CHECKING:
    from segctl.pql.json.reader import JsonReader

Node = dict[str, Any]
_SPEC_FORMS = ("offset", "direction", "on", "between")


def decode_private(reader: JsonReader, node: Node, path: str) -> a.Expr:
    kind = str(node.get(PRIVATE_KEY))
    decode = _DECODERS.get(kind)
    if decode is None:
        raise reader.error(path, f"unknown segctl node kind {kind!r}")
    return decode(reader, node, path)


def _string_params(reader: JsonReader, node: Node, path: str, count: int) -> list[a.Expr]:
    params = reader.params(node, path)
    if len(params) != count:
        raise reader.error(path, f"expected {count} params, got {len(params)}")
    return params


def _text(reader: JsonReader, value: a.Expr, path: str) -> str:
    if type(value) is not a.StringLiteral:
        raise reader.error(path, "expected a String literal param")
    return value.value


def _up(reader: JsonReader, node: Node, path: str) -> a.Expr:
    levels, name = _string_params(reader, node, path, 2)
    if type(levels) is not a.IntegerLiteral or levels.value < 1:
        raise reader.error(path + "/params/0", "expected an Integer >= 1")
    field = _text(reader, name, path + "/params/1")
    reader.name({"n": field}, "n", path + "/params/1", field=True)
    return a.Up(levels.value, field)


def _context(reader: JsonReader, node: Node, path: str) -> a.Expr:
    kind, ref = (_text(reader, p, path) for p in _string_params(reader, node, path, 2))
    if kind not in ("", "event") or "{" in ref or "}" in ref:
        raise reader.error(path, "malformed context reference")
    return a.ContextRef(kind, ref)


def _time_word(reader: JsonReader, node: Node, path: str) -> a.Expr:
    word = reader.string(node, "fnName", path).lower()
    if word not in a.TIME_WORDS:
        raise reader.error(path, f"unknown time word {word!r}")
    return a.TimeWord(word)


def _period(reader: JsonReader, node: Node, path: str) -> a.Expr:
    anchor = reader.string(node, "fnName", path).lower()
    (unit_node,) = _string_params(reader, node, path, 1)
    unit = _text(reader, unit_node, path + "/params/0").lower()
    if anchor not in a.PERIOD_ANCHORS or unit not in a.TIME_UNITS:
        raise reader.error(path, f"unknown relative period {anchor!r} {unit!r}")
    return a.RelativePeriod(anchor, unit)


def _list(reader: JsonReader, node: Node, path: str) -> a.Expr:
    return a.ListLiteral(tuple(reader.params(node, path)))


def _object(reader: JsonReader, node: Node, path: str) -> a.Expr:
    params = reader.params(node, path)
    if len(params) % 2:
        raise reader.error(path, "object params must alternate key, value")
    keys = [_text(reader, params[i], f"{path}/params/{i}") for i in range(0, len(params), 2)]
    return a.ObjectLiteral(tuple(zip(keys, params[1::2], strict=True)))


def _function(reader: JsonReader, node: Node, path: str) -> a.Expr:
    return reader.call(reader.string(node, "fnName", path), reader.params(node, path), path)


def _method(reader: JsonReader, node: Node, path: str) -> a.Expr:
    name = reader.string(node, "fnName", path)
    reader.check_name(name, path)
    params = reader.params(node, path)
    if not params:
        raise reader.error(path, "a method call needs its receiver as the first param")
    return a.MethodCall(params[0], name, tuple(params[1:]))


def _aggregate(reader: JsonReader, node: Node, path: str) -> a.Expr:
    function = reader.string(node, "fnName", path).lower()
    if function not in a.AGGREGATE_FUNCTIONS:
        raise reader.error(path, f"unknown aggregation {function!r}")
    raw = reader.items(node, "params", path)
    if len(raw) > 1:
        raise reader.error(path, "an aggregation takes at most one value param")
    decls, value = reader.decls(node, path, (raw[0], path + "/params/0") if raw else None)
    return a.Aggregate(function, value, decls)


def _let(reader: JsonReader, node: Node, path: str) -> a.Expr:
    raw = reader.items(node, "params", path)
    if len(raw) != 2:
        raise reader.error(path, "let needs params [varDecl, body]")
    saved = reader.bound
    try:
        decl = reader.decl(raw[0], path + "/params/0")
        body = reader.node(raw[1], path + "/params/1")
    finally:
        reader.bound = saved
    return a.Let(decl.name, decl.source, body)


def read_spec(reader: JsonReader, value: Any, path: str) -> a.TimeSpec:
    spec = reader.obj(value, path)
    form = spec.get("form")
    if form not in _SPEC_FORMS:
        raise reader.error(path, f"unknown time specification form {form!r}")

    def anchor(key: str) -> a.Expr:
        if key not in spec:
            raise reader.error(path, f"time specification needs '{key}'")
        return reader.node(spec[key], f"{path}/{key}")

    def word(key: str, allowed: tuple[str, ...] | frozenset[str]) -> str:
        text = str(spec.get(key, ""))
        if text not in allowed:
            raise reader.error(f"{path}/{key}", f"expected one of {', '.join(sorted(allowed))}")
        return text

    if form == "offset":
        amount = spec.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
            raise reader.error(path + "/amount", "expected a whole number >= 0")
        return a.OffsetSpec(word("comparator", a.COMPARISON_OPS), amount,
                            word("unit", a.TIME_UNITS), word("direction", a.DIRECTIONS),
                            anchor("anchor"))
    if form == "direction":
        return a.DirectionSpec(word("direction", a.DIRECTIONS), anchor("anchor"))
    if form == "between":
        return a.BetweenSpec(anchor("start"), anchor("end"))
    return a.OnSpec(anchor("anchor"))


def _occurs(reader: JsonReader, node: Node, path: str) -> a.Expr:
    (subject,) = _string_params(reader, node, path, 1)
    return a.Occurs(subject, read_spec(reader, node.get("timeSpec"), path + "/timeSpec"))


def _chain(reader: JsonReader, node: Node, path: str) -> a.Expr:
    (events,) = _string_params(reader, node, path, 1)
    order_by = reader.name(node, "orderBy", path)
    steps = []
    for i, raw in enumerate(reader.items(node, "steps", path)):
        step_path = f"{path}/steps/{i}"
        step = reader.obj(raw, step_path)
        if "what" not in step:
            raise reader.error(step_path, "a chain step needs 'what'")
        count = step.get("count")
        if count is not None and (not isinstance(count, int) or isinstance(count, bool)
                                  or count < 0):
            raise reader.error(step_path + "/count", "expected a whole number >= 0")
        saved, reader.item_relative = reader.item_relative, True  # names are the event's
        try:
            steps.append(a.ChainStep(
                reader.name(step, "label", step_path),
                reader.node(step["what"], step_path + "/what"),
                reader.node(step["where"], step_path + "/where") if "where" in step else None,
                read_spec(reader, step["when"], step_path + "/when") if "when" in step else None,
                count,
            ))
        finally:
            reader.item_relative = saved
    if not steps:
        raise reader.error(path, "a chain needs at least one step")
    return a.Chain(events, order_by, tuple(steps))


_DECODERS: dict[str, Callable[[JsonReader, Node, str], a.Expr]] = {
    "up": _up, "context": _context, "timeWord": _time_word, "period": _period,
    "list": _list, "object": _object, "function": _function, "method": _method,
    "aggregate": _aggregate, "let": _let, "occurs": _occurs, "chain": _chain,
}
