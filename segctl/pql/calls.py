"""Static checks of a parsed rule before it is stored: every function and method call names a
known function with a valid number of arguments, and ``inSegment`` gets a segment id string.

The parser is syntax-only (``segctl pql parse`` accepts ``person.name.bogus(1)``); AEP refuses
such a rule when the audience is created, so ``segctl validate`` and the local sandbox use
:func:`check` to refuse it too. When the PQL text is given, the error carries the position of
the offending call (the tree itself keeps no positions), found again in the token stream.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from segctl.pql import ast
from segctl.pql.errors import PqlCallError, PqlEvalError, PqlSyntaxError, locate
from segctl.pql.evaluator import translate
from segctl.pql.evaluator.functions import FUNCTIONS
from segctl.pql.printer import to_text
from segctl.pql.refs import walk
from segctl.pql.tokens import Token, tokenize

_OPEN = frozenset({"(", "[", "{"})
_CLOSE = frozenset({")", "]", "}"})


@dataclass(frozen=True)
class _Problem:
    message: str
    name: str
    method: bool
    argc: int
    literal_first: bool | None = None  # for inSegment: the call whose argument is not a string


@dataclass(frozen=True)
class _Site:
    """One ``name(`` in the token stream."""

    name: str
    method: bool
    argc: int
    literal_first: bool
    offset: int


def check(expr: ast.Expr, text: str | None = None, *, file: str | None = None) -> None:
    """Raise :class:`PqlEvalError` when ``expr`` cannot be stored or evaluated.

    Call problems are raised as :class:`PqlCallError`, located in ``text`` (the source of
    ``expr``) when it is given; anything else the compiler refuses is raised unlocated.
    """
    for problem in _problems(expr):
        offset = _find(problem, text) if text is not None else None
        location = locate(text, offset, file=file) if text is not None and offset is not None \
            else None
        raise PqlCallError(problem.message, location=location, offset=offset)
    try:
        translate(expr)  # what the compiler refuses, without building an evaluator
    except PqlEvalError as err:
        if text is None or err.location is not None:
            raise
        # the compiler knows the node, not where it is written: find it in the tokens
        raise PqlEvalError(err.message, location=locate(text, _node_offset(err.node, text),
                                                        file=file), hint=err.hint) from None


#: node type -> (token kind, value test) of the token that writes it
_NODE_TOKENS: dict[type, tuple[str, object]] = {
    ast.ContextRef: ("context", None), ast.Up: ("^", None), ast.Chain: ("ident", "chain"),
    ast.Occurs: ("ident", "occurs"), ast.DateLiteral: ("ident", "date"),
}


def _node_offset(node: ast.Node | None, text: str) -> int:
    """Where ``node`` is written in ``text`` (best effort; the start of the text otherwise)."""
    try:
        tokens = tokenize(text)
    except PqlSyntaxError:
        return 0
    for i, token in enumerate(tokens):
        if isinstance(node, ast.Parameter):
            if token.kind == "param" and token.value == node.position:
                return token.start
        elif isinstance(node, ast.Call | ast.MethodCall):
            method = i > 0 and tokens[i - 1].kind == "."
            if (token.kind == "ident" and token.value == node.name and tokens[i + 1].kind == "("
                    and method == isinstance(node, ast.MethodCall)):
                return token.start
        elif isinstance(node, ast.StringLiteral):
            if token.kind == "string" and token.value == node.value:
                return token.start
        elif type(node) in _NODE_TOKENS:
            kind, word = _NODE_TOKENS[type(node)]
            if token.kind == kind and (word is None or token.keyword == word):
                return token.start
    return 0


def _problems(expr: ast.Expr) -> Iterator[_Problem]:
    for node in walk(expr):
        if isinstance(node, ast.Call):
            yield from _call_problems(node)
        elif isinstance(node, ast.MethodCall):
            yield from _method_problems(node)


def _call_problems(node: ast.Call) -> Iterator[_Problem]:
    name, argc = node.name, len(node.args)
    spec = FUNCTIONS.get(name)
    if spec is None:
        yield _Problem(f"unknown function {name}(){_suggest(name, method=False)}",
                       name, False, argc)
        return
    if not spec.segment:
        yield _Problem(f"{name}() is decisioning-only PQL and cannot be used in a segment",
                       name, False, argc)
        return
    if not spec.min_args <= argc <= spec.max_args:
        yield _Problem(_arity(name, spec.min_args, spec.max_args, argc), name, False, argc)
        return
    if name == "inSegment" and not isinstance(node.args[0], ast.StringLiteral):
        yield _Problem(f"inSegment() takes a segment id string such as inSegment(\"<id>\"), "
                       f"not {to_text(node.args[0])}", name, False, argc, literal_first=False)


def _method_problems(node: ast.MethodCall) -> Iterator[_Problem]:
    name, argc = node.name, len(node.args)
    spec = FUNCTIONS.get(name)
    if spec is None or not spec.method:
        yield _Problem(f"unknown method .{name}(){_suggest(name, method=True)}",
                       name, True, argc)
        return
    if not spec.min_args - 1 <= argc <= spec.max_args - 1:
        yield _Problem(_arity(f".{name}", spec.min_args - 1, spec.max_args - 1, argc),
                       name, True, argc)


def _arity(name: str, low: int, high: int, got: int) -> str:
    expected = str(low) if low == high else f"{low} to {high}"
    return f"{name}() takes {expected} argument(s), got {got}"


def _suggest(name: str, *, method: bool) -> str:
    import difflib

    known = sorted(n for n, spec in FUNCTIONS.items()
                   if spec.segment and (spec.method or not method))
    close = difflib.get_close_matches(name, known, n=1)
    if not close:
        return ""
    return f" (did you mean .{close[0]}()?)" if method else f" (did you mean {close[0]}()?)"


def _find(problem: _Problem, text: str) -> int | None:
    """The offset of the call ``problem`` is about: the first site with the same name, form and
    argument count (and, for ``inSegment``, a non-string argument), else the first of that name."""
    try:
        sites = [s for s in _sites(tokenize(text))
                 if s.name == problem.name and s.method == problem.method]
    except PqlSyntaxError:  # the text does not tokenize: no position to give
        return None
    for site in sites:
        if site.argc == problem.argc and problem.literal_first in (None, site.literal_first):
            return site.offset
    return sites[0].offset if sites else None


def _sites(tokens: list[Token]) -> Iterator[_Site]:
    for i, token in enumerate(tokens):
        if token.kind != "ident" or tokens[i + 1].kind != "(":
            continue
        method = i > 0 and tokens[i - 1].kind == "."
        literal_first = tokens[i + 2].kind == "string" and tokens[i + 3].kind in (")", ",")
        yield _Site(token.value, method, _argc(tokens, i + 1), literal_first, token.start)


def _argc(tokens: list[Token], open_index: int) -> int:
    """Top-level arguments between the parenthesis at ``open_index`` and its match."""
    depth, commas = 0, 0
    for j in range(open_index, len(tokens)):
        kind = tokens[j].kind
        if kind in _OPEN:
            depth += 1
        elif kind in _CLOSE:
            depth -= 1
            if depth == 0:
                empty = j == open_index + 1
                return 0 if empty else commas + 1
        elif kind == "," and depth == 1:
            commas += 1
        elif kind == "eof":
            break
    return commas + 1
