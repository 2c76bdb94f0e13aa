"""Recursive-descent parser for pql/text (PQL.md §3-§9), in one file: one precedence chain.

One small method per precedence level (PQL.md §5, loosest first): binding forms, ``or``,
``and``, ``not``, relations (non-associative), ``+ -``, ``* / %``, unary ``- !``, postfix,
primary. Operators are tables; every error carries line, column and a caret.

Binding forms (``let``, ``select``, ``exists``/``forall``/``some``/``all``, ``sum|average|min|max
... over``, lambdas) extend as far right as possible and may also start an operand
(``a and exists X from B where C``). They, ``occurs`` specifications (§7) and ``chain(...)``
(§8) are the functions after the class, each taking the :class:`Parser` positioned at the
form's first token; so are the primaries that are not words (literals, lists, objects,
``(...)``, ``^`` up-references, ``$n`` parameters, ``@{...}`` context references), which
:data:`PRIMARY_BY_KIND` dispatches on their first token's kind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from segctl.pql import ast as a
from segctl.pql.depth import crossing
from segctl.pql.errors import PqlSyntaxError
from segctl.pql.limits import MAX_DEPTH, MAX_NESTING
from segctl.pql.tokens import RESERVED, Token, tokenize

#: relation operator token (punctuation kind or keyword) -> BinaryOp.op
RELATION_TOKENS: dict[str, str] = {
    "=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
    "in": "in", "notin": "notIn", "like": "like", "matches": "matches", "occurs": "occurs",
}
ADDITIVE_TOKENS: frozenset[str] = frozenset({"+", "-"})
MULTIPLICATIVE_TOKENS: frozenset[str] = frozenset({"*", "/", "%"})
#: keywords that continue an expression and so cannot start one
_CONTINUATION_KEYWORDS = frozenset(
    {"and", "or", "in", "notin", "like", "matches", "occurs", "over", "from", "where"})
_EXPR_START_KINDS = frozenset(
    {"int", "float", "string", "param", "context", "(", "[", "{", "^", "-", "!"})
_LITERAL_WORDS: dict[str, a.Expr] = {
    "true": a.BooleanLiteral(True), "false": a.BooleanLiteral(False),
    "xevent": a.XEvent(), "this": a.This(),
    **{word: a.TimeWord(word) for word in a.TIME_WORDS},
}
#: every spelling of a time unit -> its canonical singular (PQL.md §3, incl. "millenium")
UNIT_WORDS: dict[str, str] = {
    **{unit: unit for unit in a.TIME_UNITS},
    **{plural: unit for unit, plural in a.UNIT_PLURALS.items()},
    "millenium": "millennium", "milleniums": "millennium", "millenniums": "millennium",
}
_COMPARATORS = frozenset(a.COMPARISON_OPS)
_QUANTIFIER_WORDS = {"exists": "exists", "some": "exists", "forall": "forall", "all": "forall"}
_CHAIN_CLAUSES = ("what", "where", "when", "count")


class Parser:
    """Parses one PQL text; use :func:`parse`."""

    __slots__ = ("depth", "file", "first_col", "first_line", "no_in", "offsets", "pos", "text",
                 "tok", "tokens")

    def __init__(self, text: str, *, file: str | None = None, first_line: int = 1,
                 first_col: int = 1):
        self.text = text
        self.file = file
        self.first_line = first_line
        self.first_col = first_col
        self.tokens = tokenize(text, file=file, first_line=first_line, first_col=first_col)
        self.pos = 0
        self.tok = self.tokens[0]  # the current token, i.e. tokens[pos]
        self.no_in = False  # inside a let value, where `in` ends the value
        self.depth = 0  # parse_expr / prefix-operator recursion, bounded by MAX_NESTING
        # where loop-built nodes (paths, calls, filters, + - * / %) start, to locate a tree
        # that is too deep: id -> (node kept alive, token offset)
        self.offsets: dict[int, tuple[a.Node, int]] = {}

    # ---- token helpers ------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> Token:
        index = self.pos + ahead
        return self.tokens[index] if index < len(self.tokens) else self.tokens[-1]

    def advance(self) -> Token:
        token = self.tok
        if token.kind != "eof":
            self.pos += 1
            self.tok = self.tokens[self.pos]
        return token

    def error(self, message: str, token: Token | None = None,
              hint: str | None = None) -> PqlSyntaxError:
        token = token or self.tok
        return PqlSyntaxError.at(self.text, token.start, message, file=self.file,
                                 first_line=self.first_line, first_col=self.first_col, hint=hint)

    def describe(self, token: Token) -> str:
        if token.kind == "eof":
            return "end of input"
        return repr(self.text[token.start:token.end])

    def expect(self, kind: str, what: str | None = None) -> Token:
        token = self.tok
        if token.kind != kind:
            raise self.error(f"expected {what or repr(kind)}, found {self.describe(token)}")
        return self.advance()

    def expect_keyword(self, keyword: str) -> Token:
        if self.tok.keyword != keyword:
            raise self.error(f"expected '{keyword}', found {self.describe(self.tok)}")
        return self.advance()

    def expect_name(self, what: str) -> str:
        """An identifier usable as a variable, parameter or label (not a reserved word)."""
        token = self.tok
        if token.kind != "ident" or token.keyword in RESERVED:
            raise self.error(f"expected {what}, found {self.describe(token)}")
        self.advance()
        return str(token.value)

    def nested(self, parse: Callable[[], a.Expr]) -> a.Expr:
        """Parse inside brackets, where `in` is an operator again even within a let value."""
        saved, self.no_in = self.no_in, False
        try:
            return parse()
        finally:
            self.no_in = saved

    # ---- entry --------------------------------------------------------------------------

    def parse_query(self) -> a.Expr:
        expr = self.parse_expr()
        token = self.tok
        if token.kind != "eof":
            raise self.error(f"unexpected {self.describe(token)} after a complete expression")
        return expr

    def parse_expr(self) -> a.Expr:
        self.enter()
        expr = self.parse_or()
        self.depth -= 1  # not in a `finally`: after an error the parser is discarded
        return expr

    def enter(self) -> None:
        """One more level of recursion; refused past MAX_NESTING (see segctl.pql.limits)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"expression nested more than {MAX_DEPTH} levels deep",
                             hint="split it into smaller segments joined with inSegment()")

    def mark(self, node: a.Expr, token: Token) -> a.Expr:
        self.offsets[id(node)] = (node, token.start)
        return node

    def check_depth(self, root: a.Expr) -> None:
        """Refuse a tree deeper than MAX_DEPTH, at the innermost operator that crosses it."""
        path = crossing(root)
        if not path:
            return
        offset = next((self.offsets[id(node)][1] for node in reversed(path)
                       if id(node) in self.offsets), 0)
        raise PqlSyntaxError.at(
            self.text, offset, f"expression nested more than {MAX_DEPTH} levels deep",
            file=self.file, first_line=self.first_line, first_col=self.first_col,
            hint="split it into smaller segments joined with inSegment()")

    # ---- precedence levels, loosest first -----------------------------------------------

    def parse_or(self) -> a.Expr:
        first = self.parse_and()
        if self.tok.keyword != "or":
            return first
        operands = [first]
        while self.tok.keyword == "or":
            self.advance()
            operands.append(self.parse_and())
        return a.Or(tuple(operands))

    def parse_and(self) -> a.Expr:
        first = self.parse_not()
        if self.tok.keyword != "and":
            return first
        operands = [first]
        while self.tok.keyword == "and":
            self.advance()
            operands.append(self.parse_not())
        return a.And(tuple(operands))

    def parse_not(self) -> a.Expr:
        if self.tok.keyword == "not":
            self.advance()
            self.enter()
            operand = self.parse_not()
            self.depth -= 1
            return a.Not(operand)
        return self.parse_relation()

    def relation_op(self, token: Token) -> str | None:
        # keyword is None for punctuation, and "ident" is not a relation token
        op = RELATION_TOKENS.get(token.keyword or token.kind)
        if op == "in" and self.no_in:
            return None
        return op

    def parse_relation(self) -> a.Expr:
        left = self.parse_additive()
        token = self.tok
        if (token.keyword or token.kind) not in RELATION_TOKENS:
            return left
        op = self.relation_op(token)
        if op is None:
            return left
        self.advance()
        node: a.Expr
        if op == "occurs":
            node = a.Occurs(left, parse_time_spec(self))
        else:
            node = a.BinaryOp(op, left, self.parse_additive())
        following = self.tok
        if self.relation_op(following) is not None:
            raise self.error(f"comparison operators do not chain: {self.describe(following)}",
                             following, hint="add parentheses")
        return node

    def parse_additive(self) -> a.Expr:
        left = self.parse_multiplicative()
        while self.tok.kind in ADDITIVE_TOKENS:
            token = self.advance()
            left = self.mark(a.BinaryOp(token.kind, left, self.parse_multiplicative()), token)
        return left

    def parse_multiplicative(self) -> a.Expr:
        left = self.parse_unary()
        while self.tok.kind in MULTIPLICATIVE_TOKENS:
            token = self.advance()
            left = self.mark(a.BinaryOp(token.kind, left, self.parse_unary()), token)
        return left

    def parse_unary(self) -> a.Expr:
        token = self.tok
        kind = token.kind
        if kind == "ident":
            if token.keyword is None and self.tokens[self.pos + 1].kind != "=>":
                return self.parse_postfix()  # the common case: a plain name or path
        elif kind == "-":
            self.advance()
            start = self.pos
            self.enter()
            operand = self.parse_unary()
            self.depth -= 1
            # `-5` directly before a number is a negative literal; `-(5)` stays a negation
            if self.pos == start + 1:
                if type(operand) is a.IntegerLiteral:
                    return a.IntegerLiteral(-operand.value)
                if type(operand) is a.NumberLiteral:
                    return a.NumberLiteral(-operand.value)
            return a.Negate(operand)
        elif kind == "!":
            self.advance()
            self.enter()
            operand = self.parse_unary()
            self.depth -= 1
            return a.Not(operand)
        elif kind != "(":
            return self.parse_postfix()
        binding = self.binding_form()
        if binding is not None:
            return binding(self)
        return self.parse_postfix()

    def binding_form(self) -> Callable[[Parser], a.Expr] | None:
        """The parser of the binding form starting here, or None."""
        token = self.tok
        keyword = token.keyword
        if keyword in ("let", "select", "exists", "forall"):
            return BINDING_FORMS[keyword]
        if keyword in ("some", "all"):
            if self.peek(1).kind == "ident" and self.peek(2).keyword == "from":
                return BINDING_FORMS[keyword]
        elif keyword in a.AGGREGATE_FUNCTIONS:
            if self.can_start_expr(self.peek(1)):
                return parse_aggregate
        elif (token.kind == "(" or token.kind == "ident") and self.lambda_head_length():
            return parse_lambda
        return None

    def can_start_expr(self, token: Token) -> bool:
        if token.kind == "ident":
            return token.keyword not in _CONTINUATION_KEYWORDS
        return token.kind in _EXPR_START_KINDS

    def lambda_head_length(self) -> int | None:
        """Tokens in a lambda head ``(A, B) =>`` or ``A =>`` starting here, else None."""
        first = self.tok
        if first.kind == "ident":
            return 2 if self.peek(1).kind == "=>" else None
        index = 1
        if self.peek(1).kind != ")":
            while True:
                if self.peek(index).kind != "ident":
                    return None
                index += 1
                if self.peek(index).kind == ",":
                    index += 1
                    continue
                break
        if self.peek(index).kind != ")" or self.peek(index + 1).kind != "=>":
            return None
        return index + 2

    def parse_postfix(self) -> a.Expr:
        node = self.parse_primary()
        while True:
            kind = self.tok.kind
            if kind == ".":
                dot = self.tok
                name_token = self.tokens[self.pos + 1]
                if name_token.kind != "ident":
                    self.advance()
                    self.expect("ident", "a field or method name after '.'")
                self.pos += 2
                self.tok = self.tokens[self.pos]
                name = name_token.value
                if self.tok.kind == "(":
                    node = self.mark(a.MethodCall(node, name, self.parse_args()), dot)
                else:
                    node = self.mark(a.Field(node, name), dot)
            elif kind == "[":
                bracket = self.advance()
                condition = self.nested(self.parse_expr)
                self.expect("]", "']' closing the filter")
                node = self.mark(a.Filter(node, condition), bracket)
            else:
                return node

    def parse_args(self) -> tuple[a.Expr, ...]:
        self.expect("(")
        args: list[a.Expr] = []
        if self.tok.kind != ")":
            args.append(self.nested(self.parse_expr))
            while self.tok.kind == ",":
                self.advance()
                args.append(self.nested(self.parse_expr))
        self.expect(")", "',' or ')' in the argument list")
        return tuple(args)

    def parse_primary(self) -> a.Expr:
        token = self.tok
        kind = token.kind
        if kind == "ident":
            return self.parse_word()
        parse = PRIMARY_BY_KIND.get(kind)
        if parse is None:
            if kind == "eof":
                raise self.error("unexpected end of input: expected an expression")
            raise self.error(f"expected an expression, found {self.describe(token)}")
        return parse(self)

    def parse_word(self) -> a.Expr:
        token = self.tok
        self.pos += 1
        self.tok = self.tokens[self.pos]
        keyword = token.keyword
        name = token.value
        if keyword is not None:
            literal = _LITERAL_WORDS.get(keyword)
            if literal is not None:
                return literal
            if self.tok.kind == "(":
                if keyword == "date":
                    return self.parse_date(token)
                if keyword == "chain":
                    return parse_chain(self)
            if keyword in RESERVED:
                raise self.error(f"expected an expression, found keyword {self.describe(token)}",
                                 token)
        if self.tok.kind == "(":
            return a.Call(name, self.parse_args())
        return a.Name(name)

    def parse_date(self, token: Token) -> a.Expr:
        args = self.parse_args()
        if len(args) != 3:
            raise self.error(f"date() takes 3 arguments (year, month, day), got {len(args)}",
                             token)
        return a.DateLiteral(*args)


# ---- binding forms ----------------------------------------------------------------------


def parse_let(parser: Parser) -> a.Expr:
    parser.advance()
    name = parser.expect_name("a variable name after 'let'")
    parser.expect("=", "'=' after the let variable")
    saved, parser.no_in = parser.no_in, True
    try:
        value = parser.parse_expr()
    finally:
        parser.no_in = saved
    parser.expect_keyword("in")
    return a.Let(name, value, parser.parse_expr())


def parse_select(parser: Parser) -> a.Expr:
    parser.advance()
    return a.Select(parse_decls(parser))


def parse_quantified(parser: Parser) -> a.Expr:
    word = parser.advance().keyword or ""
    return a.Quantified(_QUANTIFIER_WORDS[word], parse_decls(parser))


def parse_aggregate(parser: Parser) -> a.Expr:
    function = parser.advance().keyword or ""
    if parser.tok.kind == "ident" and parser.peek(1).keyword == "from":
        return a.Aggregate(function, None, parse_decls(parser))
    value = parser.parse_expr()
    parser.expect_keyword("over")
    return a.Aggregate(function, value, parse_decls(parser))


def parse_lambda(parser: Parser) -> a.Expr:
    params: list[str] = []
    if parser.tok.kind == "ident":
        params.append(parser.expect_name("a lambda parameter"))
    else:
        parser.advance()
        while parser.tok.kind != ")":
            params.append(parser.expect_name("a lambda parameter"))
            if parser.tok.kind == ",":
                parser.advance()
        parser.advance()
    parser.expect("=>")
    return a.Lambda(tuple(params), parser.parse_expr())


def parse_decls(parser: Parser) -> tuple[a.VarDecl, ...]:
    """``V from A [where|: C] {, V from A [where C]}``; a comma ends a condition only when
    ``ident from`` follows it (PQL.md §4)."""
    decls = [_parse_decl(parser)]
    while (parser.tok.kind == "," and parser.peek(1).kind == "ident"
           and parser.peek(2).keyword == "from"):
        parser.advance()
        decls.append(_parse_decl(parser))
    return tuple(decls)


def _parse_decl(parser: Parser) -> a.VarDecl:
    name = parser.expect_name("a variable name")
    parser.expect_keyword("from")
    source = parser.parse_expr()
    condition = None
    if parser.tok.keyword == "where" or parser.tok.kind == ":":
        parser.advance()
        condition = parser.parse_expr()
    return a.VarDecl(name, source, condition)


BINDING_FORMS: dict[str, Callable[[Parser], a.Expr]] = {
    "let": parse_let, "select": parse_select,
    "exists": parse_quantified, "forall": parse_quantified,
    "some": parse_quantified, "all": parse_quantified,
}


# ---- occurs -------------------------------------------------------------------------------


def parse_time_spec(parser: Parser) -> a.TimeSpec:
    """One of the four ``occurs`` forms (PQL.md §7), after the word ``occurs`` or in WHEN()."""
    token = parser.tok
    if token.kind in _COMPARATORS:
        parser.advance()
        amount = parser.tok
        if amount.kind != "int":
            raise parser.error(
                f"expected a whole number of time units after {token.kind!r}, "
                f"found {parser.describe(amount)}")
        parser.advance()
        unit = _parse_unit(parser)
        direction = _parse_direction(parser)
        return a.OffsetSpec(token.kind, int(amount.value), unit,
                            direction, parse_anchor(parser))
    keyword = token.keyword
    if keyword in a.DIRECTIONS:
        parser.advance()
        return a.DirectionSpec(keyword, parse_anchor(parser))
    if keyword == "between":
        parser.advance()
        start = parse_anchor(parser)
        parser.expect_keyword("and")
        return a.BetweenSpec(start, parse_anchor(parser))
    if keyword == "on":
        parser.advance()
    return a.OnSpec(parse_anchor(parser))


def parse_anchor(parser: Parser) -> a.Expr:
    """A time reference: a time word, ``this|last|next UNIT``, ``date(...)``, or a path."""
    token = parser.tok
    if token.keyword in a.PERIOD_ANCHORS:
        unit_token = parser.peek(1)
        if unit_token.kind == "ident" and str(unit_token.value).lower() in UNIT_WORDS:
            parser.advance()
            parser.advance()
            return a.RelativePeriod(token.keyword, UNIT_WORDS[str(unit_token.value).lower()])
    if token.kind == "eof" or not parser.can_start_expr(token):
        raise parser.error(
            "expected a time reference (now, today, yesterday, tomorrow, this/last/next UNIT, "
            f"date(...) or a timestamp field), found {parser.describe(token)}")
    return parser.parse_postfix()


def _parse_unit(parser: Parser) -> str:
    token = parser.tok
    unit = UNIT_WORDS.get(str(token.value).lower()) if token.kind == "ident" else None
    if unit is None:
        raise parser.error(f"expected a time unit (days, hours, months, ...), "
                           f"found {parser.describe(token)}")
    parser.advance()
    return unit


def _parse_direction(parser: Parser) -> str:
    token = parser.tok
    if token.keyword not in a.DIRECTIONS:
        raise parser.error(f"expected 'before', 'after' or 'from', found {parser.describe(token)}")
    parser.advance()
    return str(token.keyword)


# ---- chain --------------------------------------------------------------------------------


def parse_chain(parser: Parser) -> a.Expr:
    """``chain(events, orderField, [LABEL: WHAT(...) WHERE(...) WHEN(...) COUNT(n), ...])``."""
    parser.expect("(")
    events = parser.nested(parser.parse_expr)
    parser.expect(",", "',' after the chain's event array")
    order_by = parser.expect_name("the chain's ordering field (e.g. timestamp)")
    parser.expect(",", "',' after the chain's ordering field")
    parser.expect("[", "'[' opening the chain steps")
    steps = [_parse_step(parser)]
    while parser.tok.kind == ",":
        parser.advance()
        steps.append(_parse_step(parser))
    parser.expect("]", "',' or ']' after a chain step")
    parser.expect(")", "')' closing chain(")
    return a.Chain(events, order_by, tuple(steps))


def _parse_step(parser: Parser) -> a.ChainStep:
    label_token = parser.tok
    label = parser.expect_name("a chain step label (e.g. A:)")
    parser.expect(":", "':' after the chain step label")
    clauses: dict[str, object] = {}
    while True:
        token = parser.tok
        word = str(token.value).lower() if token.kind == "ident" else ""
        if word not in _CHAIN_CLAUSES or parser.peek(1).kind != "(":
            break
        if word in clauses:
            raise parser.error(f"duplicate {word.upper()}(...) in chain step {label}", token)
        parser.advance()
        parser.advance()
        if word == "when":
            clauses[word] = parse_time_spec(parser)
        elif word == "count":
            count = parser.tok
            if count.kind != "int":
                raise parser.error(f"COUNT() takes a whole number, found {parser.describe(count)}")
            parser.advance()
            clauses[word] = count.value
        else:
            clauses[word] = parser.nested(parser.parse_expr)
        parser.expect(")", f"')' closing {word.upper()}(")
    if "what" not in clauses:
        raise parser.error(f"chain step {label} needs a WHAT(...) clause", label_token)
    return a.ChainStep(label, clauses["what"], clauses.get("where"),  # type: ignore[arg-type]
                       clauses.get("when"), clauses.get("count"))  # type: ignore[arg-type]


# ---- primaries that are not words -----------------------------------------------------------


def parse_parenthesised(parser: Parser) -> a.Expr:
    parser.advance()
    first = parser.nested(parser.parse_expr)
    if parser.tok.kind == ",":  # ("a", "b"): a tolerated list spelling
        items = [first]
        while parser.tok.kind == ",":
            parser.advance()
            items.append(parser.nested(parser.parse_expr))
        parser.expect(")", "')' closing the list")
        return a.ListLiteral(tuple(items))
    parser.expect(")", "')'")
    return first


def parse_list(parser: Parser) -> a.Expr:
    parser.advance()
    items: list[a.Expr] = []
    if parser.tok.kind != "]":
        items.append(parser.nested(parser.parse_expr))
        while parser.tok.kind == ",":
            parser.advance()
            items.append(parser.nested(parser.parse_expr))
    parser.expect("]", "',' or ']' in the list")
    return a.ListLiteral(tuple(items))


def parse_object(parser: Parser) -> a.Expr:
    parser.advance()
    entries: list[tuple[str, a.Expr]] = []
    if parser.tok.kind != "}":
        while True:
            key = parser.expect("string", "a quoted key in the object literal")
            parser.expect(":", "':' after the object key")
            entries.append((str(key.value), parser.nested(parser.parse_expr)))
            if parser.tok.kind != ",":
                break
            parser.advance()
    parser.expect("}", "',' or '}' in the object literal")
    return a.ObjectLiteral(tuple(entries))


def parse_up(parser: Parser) -> a.Expr:
    levels = 0
    while parser.tok.kind == "^":
        parser.advance()
        levels += 1
    if parser.tok.kind == ".":
        parser.advance()
    name = parser.expect("ident", "a field name after '^'")
    return a.Up(levels, str(name.value))


def parse_parameter(parser: Parser) -> a.Expr:
    token = parser.advance()
    position = int(token.value)
    if position < 1:
        raise parser.error("parameters are numbered from $1", token)
    return a.Parameter(position)


def _literal(node_type: type[a.Expr]) -> Callable[[Parser], a.Expr]:
    def parse(parser: Parser) -> a.Expr:
        return node_type(parser.advance().value)  # type: ignore[call-arg]

    return parse


def _context(parser: Parser) -> a.Expr:
    value = parser.advance().value
    assert isinstance(value, tuple)
    return a.ContextRef(str(value[0]), str(value[1]))


PRIMARY_BY_KIND: dict[str, Callable[[Parser], a.Expr]] = {
    "int": _literal(a.IntegerLiteral),
    "float": _literal(a.NumberLiteral),
    "string": _literal(a.StringLiteral),
    "param": parse_parameter,
    "context": _context,
    "(": parse_parenthesised,
    "[": parse_list,
    "{": parse_object,
    "^": parse_up,
}


def parse(text: str, *, file: str | None = None, first_line: int = 1,
          first_col: int = 1) -> a.Expr:
    """Parse a pql/text expression into an AST; raises :class:`PqlSyntaxError`.

    ``file``/``first_line``/``first_col`` locate ``text`` inside a larger file for errors.
    Trees are immutable, so a text parsed again in the same process (the project loader's
    check, then the plan's normalisation, then the sandbox reading the same rule) shares the
    first tree.
    """
    return _parse(text, file, first_line, first_col)


@lru_cache(maxsize=16_384)
def _parse(text: str, file: str | None, first_line: int, first_col: int) -> a.Expr:
    parser = Parser(text, file=file, first_line=first_line, first_col=first_col)
    expr = parser.parse_query()
    # every tree level takes at least one token (3 eof tokens pad the list), so a text of at
    # most MAX_DEPTH tokens cannot make a tree too deep: most rules skip the walk
    if len(parser.tokens) - 3 > MAX_DEPTH:
        parser.check_depth(expr)
    return expr
