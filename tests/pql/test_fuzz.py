"""Fuzzing: random and mutated inputs only ever raise the located PQL errors."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segctl.pql import PqlJsonError, PqlSyntaxError, canonical, from_json, parse, to_json, to_text

from .corpus import identity_lines

LINES = identity_lines()
_PQL_ALPHABET = st.sampled_from([
    *"abcXYZ_019 .,:()[]{}^$@=<>!+-*/%\"'\\\n\t",
    " and ", " or ", " not ", " in ", " occurs ", " select ", " from ", " where ", " exists ",
    " forall ", " sum ", " over ", " let ", " chain(", " WHAT(", " WHEN(", " COUNT(", " before ",
    " last ", " days ", " today ", " date(", "=>", " between ", " xEvent", " this ", "\"s\"",
])
_FUZZ = settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_text(text: str) -> None:
    try:
        tree = parse(text)
    except PqlSyntaxError as err:
        assert err.location is not None and err.location.line is not None
        assert err.location.col is not None and err.location.col >= 1
        err.format()
        return
    # whatever parses is printable, and canonical text is a fixed point
    printed = to_text(tree)
    assert parse(printed) == tree
    assert canonical(printed) == printed


@_FUZZ
@given(st.lists(_PQL_ALPHABET, max_size=40).map("".join))
def test_random_token_soup(text: str) -> None:
    _check_text(text)


@_FUZZ
@given(st.text(max_size=60))
def test_random_unicode_text(text: str) -> None:
    _check_text(text)


@_FUZZ
@given(st.sampled_from(LINES), st.data())
def test_mutated_corpus_lines(line: str, data: st.DataObject) -> None:
    text = line
    for _ in range(data.draw(st.integers(1, 3))):
        pos = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "swap"]))
        if action == "delete":
            text = text[:pos] + text[pos + data.draw(st.integers(1, 5)):]
        elif action == "insert":
            text = text[:pos] + data.draw(_PQL_ALPHABET) + text[pos:]
        elif pos < len(text) - 1:
            text = text[:pos] + text[pos + 1] + text[pos] + text[pos + 2:]
    _check_text(text)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6)
    | st.sampled_from(["fnApply", "fieldLookup", "literal", "varRef", "select", "and", "=",
                       "String", "Integer", "List", "XDMObject", "profile", "occurs", "chain"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["nodeType", "fnName", "params", "fieldName", "object", "literalType",
                         "value", "varName", "variables", "from", "where", "quantifier",
                         "segctl", "timeSpec", "body", "position", "steps", "orderBy"]),
        children, max_size=5),
    max_leaves=20,
)


def _check_json(doc: Any) -> None:
    try:
        tree = from_json(doc)
    except PqlSyntaxError as err:
        assert isinstance(err, PqlJsonError) or "pql/text" in json.dumps(doc)
        return
    assert from_json(to_json(tree)) is not None
    assert parse(to_text(tree)) == tree


@_FUZZ
@given(_JSON)
def test_random_json_documents(doc: Any) -> None:
    _check_json(doc)


@_FUZZ
@given(st.sampled_from(LINES), st.data())
def test_mutated_json_of_corpus_lines(line: str, data: st.DataObject) -> None:
    text = json.dumps(to_json(parse(line)))
    pos = data.draw(st.integers(0, len(text)))
    text = text[:pos] + data.draw(st.sampled_from(['"', "{", "}", ",", "1", "[", ""])) + \
        text[pos + data.draw(st.integers(0, 8)):]
    with contextlib.suppress(PqlJsonError):
        from_json(text)
