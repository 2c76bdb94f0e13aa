"""pql/json writer (PQL.md §13) and the vocabulary shared with the reader.

Adobe's node types are used wherever Adobe published an encoding: ``fnApply``, ``fieldLookup``
(leaf outermost, rooted at ``parameterReference`` 1), ``literal`` (``String``, ``Integer``,
``Number``, ``Boolean``, ``List``), ``varRef``, ``varDecl``, ``select``, ``quantification``
(``some``/``all``) and ``fnCreate``. Operators and functions are ``fnApply`` named by their token,
methods put the receiver first (§13.7), ``and``/``or`` are flattened n-ary.

Constructs with no public encoding (occurs, chain, let, keyword aggregations, object literals,
lists of non-constants, relative time words, ``^`` up-references, context data) are ``fnApply``
nodes carrying a ``"segctl"`` key that names the construct, so nobody mistakes them for Adobe's
format; pql/text stays the canonical interchange for them. Inside filter conditions and chain
steps, bare names are item-relative and are written as root-less ``fieldLookup`` nodes (the
Flow-service convention for "relative to the current row").
"""

from __future__ import annotations

from typing import Any

from segctl.pql import ast as a
from segctl.pql.evaluator.functions import FUNCTIONS

JsonNode = dict[str, Any]

#: functions written free-standing, ``f(args)`` (the registry's ``method`` column); every other
#: fnApply is a method call
FREE_FUNCTIONS: frozenset[str] = frozenset(
    name for name, spec in FUNCTIONS.items() if not spec.method)
#: operator fnNames (matched case-insensitively by the reader, e.g. FLOW's "NOT")
KEYWORD_OPERATORS: dict[str, str] = {
    "and": "and", "or": "or", "not": "not", "in": "in", "notin": "notIn",
    "like": "like", "matches": "matches",
}
SYMBOL_OPERATORS: frozenset[str] = frozenset({*a.COMPARISON_OPS, *a.ARITHMETIC_OPS, "!"})
PRIVATE_KEY = "segctl"
ROOT: JsonNode = {"nodeType": "parameterReference", "position": 1}
_LITERAL_TYPES: dict[type, str] = {
    a.StringLiteral: "String", a.IntegerLiteral: "Integer", a.NumberLiteral: "Number",
    a.BooleanLiteral: "Boolean",
}


def to_json(expr: a.Expr) -> JsonNode:
    """The pql/json tree of ``expr`` (a dict; ``json.dumps`` it for a segment's ``value``)."""
    return _Writer().node(expr)


def _fn(name: str, params: list[JsonNode], private: str | None = None,
        **extra: Any) -> JsonNode:
    node: JsonNode = {"nodeType": "fnApply", "fnName": name, "params": params, **extra}
    if private is not None:
        node[PRIVATE_KEY] = private
    return node


def _literal(node: a.Expr) -> JsonNode:
    return {"nodeType": "literal", "literalType": _LITERAL_TYPES[type(node)],
            "value": node.value}  # type: ignore[attr-defined]


def _is_operator_name(name: str) -> bool:
    return name.lower() in KEYWORD_OPERATORS or name in SYMBOL_OPERATORS


class _Writer:
    """Walks the tree keeping the bound variable names and whether names are item-relative."""

    def __init__(self) -> None:
        self.bound: tuple[str, ...] = ()
        self.item_relative = False

    def scoped(self, names: tuple[str, ...], node: a.Expr, *,
               item_relative: bool | None = None) -> JsonNode:
        saved = self.bound, self.item_relative
        self.bound = saved[0] + names
        if item_relative is not None:
            self.item_relative = item_relative
        try:
            return self.node(node)
        finally:
            self.bound, self.item_relative = saved

    def node(self, node: a.Expr) -> JsonNode:
        method = getattr(self, "w_" + type(node).__name__, None)
        if method is None:
            raise TypeError(f"not a PQL expression node: {node!r}")
        result: JsonNode = method(node)
        return result

    # literals ------------------------------------------------------------------------------

    def w_StringLiteral(self, node: a.StringLiteral) -> JsonNode:
        return _literal(node)

    w_IntegerLiteral = w_NumberLiteral = w_BooleanLiteral = w_StringLiteral

    def w_ListLiteral(self, node: a.ListLiteral) -> JsonNode:
        if all(type(item) in _LITERAL_TYPES for item in node.items):
            return {"nodeType": "literal", "literalType": "List",
                    "value": [item.value for item in node.items]}  # type: ignore[attr-defined]
        return _fn("list", [self.node(i) for i in node.items], "list")

    def w_ObjectLiteral(self, node: a.ObjectLiteral) -> JsonNode:
        params: list[JsonNode] = []
        for key, value in node.entries:
            params += [_literal(a.StringLiteral(key)), self.node(value)]
        return _fn("object", params, "object")

    def w_DateLiteral(self, node: a.DateLiteral) -> JsonNode:
        return _fn("date", [self.node(node.year), self.node(node.month), self.node(node.day)])

    # references ----------------------------------------------------------------------------

    def w_Name(self, node: a.Name) -> JsonNode:
        if node.name in self.bound:
            return {"nodeType": "varRef", "varName": node.name}
        if self.item_relative:
            return {"nodeType": "fieldLookup", "fieldName": node.name}
        return {"nodeType": "fieldLookup", "fieldName": node.name, "object": dict(ROOT)}

    def w_Field(self, node: a.Field) -> JsonNode:
        return {"nodeType": "fieldLookup", "fieldName": node.name, "object": self.node(node.target)}

    def w_Parameter(self, node: a.Parameter) -> JsonNode:
        return {"nodeType": "parameterReference", "position": node.position}

    def w_XEvent(self, node: a.XEvent) -> JsonNode:
        return {"nodeType": "fieldLookup", "fieldName": "xEvent", "object": dict(ROOT)}

    def w_This(self, node: a.This) -> JsonNode:
        return {"nodeType": "varRef", "varName": "this"}

    def w_Up(self, node: a.Up) -> JsonNode:
        return _fn("^", [_literal(a.IntegerLiteral(node.levels)),
                         _literal(a.StringLiteral(node.name))], "up")

    def w_ContextRef(self, node: a.ContextRef) -> JsonNode:
        return _fn("@", [_literal(a.StringLiteral(node.kind)),
                         _literal(a.StringLiteral(node.ref))], "context")

    def w_TimeWord(self, node: a.TimeWord) -> JsonNode:
        return _fn(node.word, [], "timeWord")

    def w_RelativePeriod(self, node: a.RelativePeriod) -> JsonNode:
        return _fn(node.anchor, [_literal(a.StringLiteral(node.unit))], "period")

    # operators and calls -------------------------------------------------------------------

    def w_Not(self, node: a.Not) -> JsonNode:
        return _fn("not", [self.node(node.operand)])

    def w_Negate(self, node: a.Negate) -> JsonNode:
        return _fn("-", [self.node(node.operand)])

    def w_BinaryOp(self, node: a.BinaryOp) -> JsonNode:
        return _fn(node.op, [self.node(node.left), self.node(node.right)])

    def _flatten(self, node: a.And | a.Or, params: list[JsonNode]) -> list[JsonNode]:
        for operand in node.operands:
            if type(operand) is type(node):
                self._flatten(operand, params)
            else:
                params.append(self.node(operand))
        return params

    def w_And(self, node: a.And) -> JsonNode:
        return _fn("and", self._flatten(node, []))

    def w_Or(self, node: a.Or) -> JsonNode:
        return _fn("or", self._flatten(node, []))

    def w_Call(self, node: a.Call) -> JsonNode:
        params = [self.node(arg) for arg in node.args]
        if node.name in FREE_FUNCTIONS and not (node.name == "date" and len(params) == 3):
            return _fn(node.name, params)
        if node.name not in FREE_FUNCTIONS and not _is_operator_name(node.name) and not params:
            return _fn(node.name, params)
        return _fn(node.name, params, "function")

    def w_MethodCall(self, node: a.MethodCall) -> JsonNode:
        params = [self.node(node.receiver)] + [self.node(arg) for arg in node.args]
        if node.name in FREE_FUNCTIONS or _is_operator_name(node.name) or node.name == "filter":
            return _fn(node.name, params, "method")
        return _fn(node.name, params)

    def w_Lambda(self, node: a.Lambda) -> JsonNode:
        return {"nodeType": "fnCreate", "params": [{"varName": p} for p in node.params],
                "body": self.scoped(node.params, node.body)}

    def w_Filter(self, node: a.Filter) -> JsonNode:
        body = self.scoped((), node.condition, item_relative=True)
        return _fn("filter", [self.node(node.source),
                              {"nodeType": "fnCreate", "params": [], "body": body}])

    # binding forms -------------------------------------------------------------------------

    def decls(self, decls: tuple[a.VarDecl, ...]) -> tuple[list[JsonNode], tuple[str, ...]]:
        out: list[JsonNode] = []
        names: tuple[str, ...] = ()
        for decl in decls:
            item: JsonNode = {"nodeType": "varDecl", "varName": decl.name,
                              "from": self.scoped(names, decl.source)}
            names += (decl.name,)
            if decl.condition is not None:
                item["where"] = self.scoped(names, decl.condition)
            out.append(item)
        return out, names

    def w_Select(self, node: a.Select) -> JsonNode:
        return {"nodeType": "select", "variables": self.decls(node.decls)[0]}

    def w_Quantified(self, node: a.Quantified) -> JsonNode:
        quantifier = "some" if node.quantifier == "exists" else "all"
        return {"nodeType": "quantification", "quantifier": quantifier,
                "variables": self.decls(node.decls)[0]}

    def w_Aggregate(self, node: a.Aggregate) -> JsonNode:
        variables, names = self.decls(node.decls)
        params = [] if node.value is None else [self.scoped(names, node.value)]
        return _fn(node.function, params, "aggregate", variables=variables)

    def w_Let(self, node: a.Let) -> JsonNode:
        decl = {"nodeType": "varDecl", "varName": node.name, "from": self.node(node.value)}
        return _fn("let", [decl, self.scoped((node.name,), node.body)], "let")

    # time ----------------------------------------------------------------------------------

    def spec(self, spec: a.TimeSpec) -> JsonNode:
        if isinstance(spec, a.OffsetSpec):
            return {"form": "offset", "comparator": spec.comparator, "amount": spec.amount,
                    "unit": spec.unit, "direction": spec.direction,
                    "anchor": self.node(spec.anchor)}
        if isinstance(spec, a.DirectionSpec):
            return {"form": "direction", "direction": spec.direction,
                    "anchor": self.node(spec.anchor)}
        if isinstance(spec, a.BetweenSpec):
            return {"form": "between", "start": self.node(spec.start),
                    "end": self.node(spec.end)}
        assert isinstance(spec, a.OnSpec)
        return {"form": "on", "anchor": self.node(spec.anchor)}

    def w_Occurs(self, node: a.Occurs) -> JsonNode:
        return _fn("occurs", [self.node(node.subject)], "occurs", timeSpec=self.spec(node.spec))

    def w_Chain(self, node: a.Chain) -> JsonNode:
        steps: list[JsonNode] = []
        saved = self.item_relative
        self.item_relative = True
        try:
            for step in node.steps:
                item: JsonNode = {"label": step.label, "what": self.node(step.what)}
                if step.where is not None:
                    item["where"] = self.node(step.where)
                if step.when is not None:
                    item["when"] = self.spec(step.when)
                if step.count is not None:
                    item["count"] = step.count
                steps.append(item)
        finally:
            self.item_relative = saved
        return _fn("chain", [self.node(node.events)], "chain", orderBy=node.order_by,
                   steps=steps)
