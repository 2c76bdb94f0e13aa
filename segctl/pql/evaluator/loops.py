"""Compiling binding forms into helper functions with plain ``for`` loops (PQL.md §8, §9).

``select``/``exists``/``forall``/``sum ... over`` declare variables left to right: each
``from`` and ``where`` sees the variables to its left. ``forall V from A where C, ...`` reads
"every element of A satisfying C satisfies the rest" (with one declaration: every element
satisfies C); an empty domain is true. Filters push an implicit item; ``chain`` matches its
steps greedily in time order, each step strictly after the previous one.
"""

from __future__ import annotations

from segctl.pql import ast
from segctl.pql.evaluator.codegen import Code, CodegenBase, Scope


class LoopsMixin(CodegenBase):
    # ---- declarations -------------------------------------------------------------------------

    def _loop_header(self, source: ast.Expr, var: str, scope: Scope) -> tuple[str, str | None]:
        """``for`` line binding ``var`` to each element of ``source`` (+ its µs time if known)."""
        if isinstance(source, ast.XEvent):
            self.uses_events = True
            time = self.fresh("t")
            return f"for {var}, {time} in _zip(E.events, E.times):", time
        return f"for {var} in _items({self.compile(source, scope).text}):", None

    def _decl_loops(self, decls: tuple[ast.VarDecl, ...], scope: Scope,
                    body: list[str]) -> tuple[list[str], Scope, str]:
        """Nested loops for ``decls``; returns (lines, innermost scope, innermost indent)."""
        indent = ""
        for decl in decls:
            var = self.fresh("v")
            header, time = self._loop_header(decl.source, var, scope)
            body.append(indent + header)
            scope = scope.bind(decl.name, var, time)
            indent += "    "
            if decl.condition is not None:
                body.append(f"{indent}if not {self.truth(decl.condition, scope)}: continue")
        return body, scope, indent

    def _helper(self, prefix: str, scope: Scope, build: list[str], prelude: list[str],
                extra: tuple[str, ...] = ()) -> str:
        return self.define(prefix, scope, extra, build, prelude)

    def quantified(self, node: ast.Quantified, scope: Scope) -> Code:
        quantifier = {"some": "exists", "all": "forall"}.get(node.quantifier, node.quantifier)
        if quantifier == "exists" or quantifier == "none":
            name = self._exists(node.decls, scope)
            call = self.call(name, scope)
            return Code(call if quantifier == "exists" else f"(not {call})", "bool")
        if quantifier == "one":
            return Code(f"({self.call(self._count(node.decls, scope), scope)} == 1)", "bool")
        if quantifier != "forall":
            raise self.error(f"unknown quantifier {node.quantifier!r}")
        self.begin_function()
        first, rest = node.decls[0], node.decls[1:]
        var = self.fresh("v")
        header, time = self._loop_header(first.source, var, scope)
        inner = scope.bind(first.name, var, time)
        cond = "True" if first.condition is None else self.truth(first.condition, inner)
        if rest:
            nested = self.call(self._exists(rest, inner), inner)
            test = f"if {cond} and not {nested}: return False"
        else:
            test = f"if not {cond}: return False"
        body = [header, f"    {test}", "return True"]
        return Code(self.call(self._helper("_forall", scope, body, self.end_function()), scope),
                    "bool")

    def _exists(self, decls: tuple[ast.VarDecl, ...], scope: Scope) -> str:
        self.begin_function()
        body, _, indent = self._decl_loops(decls, scope, [])
        body += [f"{indent}return True", "return False"]
        return self._helper("_exists", scope, body, self.end_function())

    def _count(self, decls: tuple[ast.VarDecl, ...], scope: Scope) -> str:
        self.begin_function()
        body, _, indent = self._decl_loops(decls, scope, ["_n = 0"])
        body += [f"{indent}_n += 1", "return _n"]
        return self._helper("_count", scope, body, self.end_function())

    def select(self, node: ast.Select, scope: Scope) -> Code:
        self.begin_function()
        body, inner, indent = self._decl_loops(node.decls, scope, ["_out = []"])
        names = [inner.vars[d.name] for d in node.decls]
        row = names[0] if len(names) == 1 else "[" + ", ".join(names) + "]"
        body += [f"{indent}_out.append({row})", "return _out"]
        return Code(self.call(self._helper("_select", scope, body, self.end_function()), scope))

    def aggregate(self, node: ast.Aggregate, scope: Scope) -> Code:
        if node.function not in ast.AGGREGATE_FUNCTIONS:
            raise self.error(f"unknown aggregation {node.function!r}")
        self.begin_function()
        body, inner, indent = self._decl_loops(node.decls, scope, ["_vals = []"])
        value = (inner.vars[node.decls[0].name] if node.value is None
                 else self.compile(node.value, inner).text)
        body += [f"{indent}_vals.append({value})", f"return _fn_{node.function}(_vals)"]
        return Code(self.call(self._helper("_agg", scope, body, self.end_function()), scope))

    def let(self, node: ast.Let, scope: Scope) -> Code:
        value = self.compile(node.value, scope).text
        self.begin_function()
        var = self.fresh("v")
        inner = scope.bind(node.name, var)
        body = [f"return {self.compile(node.body, inner).text}"]
        name = self._helper("_let", scope, body, self.end_function(), (var,))
        return Code(self.call(name, scope, (value,)), "any")

    # ---- filters -------------------------------------------------------------------------------

    def filter(self, node: ast.Filter, scope: Scope) -> Code:
        self.begin_function()
        item = self.fresh("i")
        extra: tuple[str, ...] = ()
        if isinstance(node.source, ast.XEvent):
            self.uses_events = True
            time = self.fresh("t")
            header = f"for {item}, {time} in _zip(E.events, E.times):"
            inner = scope.push_item(item, time)
        else:
            header, extra, inner = f"for {item} in _items(_src):", ("_src",), scope.push_item(item)
        cond = self.truth(node.condition, inner)
        body = ["_out = []", header, f"    if {cond}: _out.append({item})", "return _out"]
        name = self._helper("_filter", scope, body, self.end_function(), extra)
        args = (self.compile(node.source, scope).text,) if extra else ()
        return Code(self.call(name, scope, args))

    # ---- chain (PQL.md §8) ----------------------------------------------------------------------

    def chain(self, node: ast.Chain, scope: Scope) -> Code:
        if not node.steps:
            raise self.error("chain(...) needs at least one step")
        self.begin_function()
        if isinstance(node.events, ast.XEvent) and node.order_by == "timestamp":
            self.uses_events = True
            body = ["_ev = E.events", "_ts = E.times"]
        else:
            source = self.compile(node.events, scope).text
            body = [f"_p = _order({source}, {node.order_by!r})", "_ev = _p.events",
                    "_ts = _p.times"]
        body += ["_n = _len(_ev)", "_pos = 0", "_last = None"]
        # items of xEvent are mappings with a parsed timestamp; other arrays stay generic
        timed = node.order_by == "timestamp" and isinstance(node.events, ast.XEvent)
        for step in node.steps:
            body += self._chain_step(step, scope, timed)
        body.append("return True")
        name = self._helper("_chain", scope, body, self.end_function())
        return Code(self.call(name, scope), "bool")

    def _chain_step(self, step: ast.ChainStep, scope: Scope, timed: bool) -> list[str]:
        item, time = self.fresh("i"), self.fresh("t")
        inner = scope.push_item(item, time if timed else None)
        tests = [self.truth(step.what, inner)]
        if step.where is not None:
            tests.append(self.truth(step.where, inner))
        if step.when is not None:
            tests.append(self.time_check(step.when, time, True, inner))
        need = step.count if step.count is not None else 1
        if need < 1:
            raise self.error(f"{step.label}: COUNT must be at least 1")
        return [
            "_got = 0",
            f"{time} = None",
            "while _pos < _n:",
            f"    {item} = _ev[_pos]",
            f"    {time} = _ts[_pos]",
            "    _pos += 1",
            f"    if _last is not None and ({time} is None or {time} <= _last): continue",
            f"    if {' and '.join(tests)}:",
            "        _got += 1",
            f"        if _got >= {need}: break",
            f"if _got < {need}: return False",
            f"_last = {time} if {time} is not None else -(2 ** 62)",
        ]
