"""pql/json: Adobe's published examples, segctl's encodings, tolerance and located errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from segctl.pql import PqlJsonError, PqlSyntaxError, from_json, parse, to_json

from .corpus import identity_lines, json_examples

EXAMPLES = json_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_json_reads_to_the_same_tree_as_its_text(example: dict[str, Any]) -> None:
    assert from_json(example["json"]) == parse(example["text"])
    assert from_json(json.dumps(example["json"])) == parse(example["text"])


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e["writer_exact"]],
                         ids=[e["name"] for e in EXAMPLES if e["writer_exact"]])
def test_writer_output_matches_the_golden_json(example: dict[str, Any]) -> None:
    assert to_json(parse(example["text"])) == example["json"]


def test_every_published_example_is_in_the_fixture() -> None:
    names = {e["name"] for e in EXAMPLES}
    assert {f"PQL.md 13.6 E{i}" for i in range(1, 10)} <= names


def test_official_conversion_example_is_reproduced_exactly() -> None:
    e1 = next(e for e in EXAMPLES if e["name"] == "PQL.md 13.6 E1")
    assert e1["writer_exact"] is True


@pytest.mark.parametrize("line", identity_lines())
def test_identity_corpus_survives_json(line: str) -> None:
    tree = parse(line)
    doc = to_json(tree)
    again = from_json(json.loads(json.dumps(doc)))
    assert to_json(again) == doc


def test_and_or_are_flattened_n_ary() -> None:
    doc = to_json(parse("(a and b) and c and (d or e or f)"))
    assert doc["fnName"] == "and"
    assert len(doc["params"]) == 4
    assert [p.get("fnName") for p in doc["params"]][-1] == "or"
    assert len(doc["params"][-1]["params"]) == 3


def test_variables_become_var_refs_and_fields_stay_lookups() -> None:
    doc = to_json(parse("exists X from xEvent where X.a = b"))
    condition = doc["variables"][0]["where"]
    assert condition["params"][0]["object"] == {"nodeType": "varRef", "varName": "X"}
    assert condition["params"][1]["object"] == {"nodeType": "parameterReference", "position": 1}
    assert doc["quantifier"] == "some"


def test_root_lookup_shadowed_by_a_variable_stays_a_profile_field() -> None:
    doc = {"nodeType": "select", "variables": [{
        "nodeType": "varDecl", "varName": "X", "from": {"nodeType": "fieldLookup",
                                                         "fieldName": "xEvent"},
        "where": {"nodeType": "fieldLookup", "fieldName": "X",
                  "object": {"nodeType": "parameterReference", "position": 1}}}]}
    tree = from_json(doc)
    assert tree == parse("select X from xEvent where $1.X")
    assert to_json(tree)["variables"][0]["where"]["object"]["nodeType"] == "parameterReference"


def test_private_nodes_are_marked() -> None:
    doc = to_json(parse("X.timestamp occurs today"))
    assert doc["segctl"] == "occurs"
    assert "segctl" not in to_json(parse('workAddress.country = "US"'))


BAD_DOCUMENTS = [
    ('{"nodeType": "fnApply", "fnName": "=", "params": [', "invalid JSON", 51),
    ("[1, 2]", "expected a JSON object node", 1),
    ('{"nodeType": "bogus"}', "unknown or missing nodeType 'bogus'", 1),
    ('{"nodeType": "fnApply", "params": []}', "expected a string 'fnName'", 1),
    ('{"nodeType": "fnApply", "fnName": "=", "params": [{"nodeType": "literal", "value": 1}]}',
     "'=' takes 2 param(s), got 1", 1),
    ('{"nodeType": "fieldLookup", "fieldName": "a-b"}', "'a-b' is not a valid PQL name", 1),
    ('{"nodeType": "literal", "literalType": "Integer", "value": "six"}',
     "cannot read a string as a literal of type 'integer'", 60),
    ('{"nodeType": "literal", "value": null}', "PQL has no null literal", 34),
    ('{"nodeType": "select", "variables": []}', "needs at least one varDecl", 1),
    ('{"nodeType": "quantification", "quantifier": "most", "variables": '
     '[{"nodeType": "varDecl", "varName": "x", "from": {"nodeType": "fieldLookup", '
     '"fieldName": "a"}}]}', "unknown quantifier 'most'", 1),
    ('{"nodeType": "fnApply", "fnName": "occurs", "segctl": "occurs", "params": '
     '[{"nodeType": "fieldLookup", "fieldName": "t"}], "timeSpec": {"form": "soon"}}',
     "unknown time specification form 'soon'", 136),
    ('{"nodeType": "fnApply", "fnName": "x", "segctl": "teleport", "params": []}',
     "unknown segctl node kind 'teleport'", 1),
]


@pytest.mark.parametrize(("text", "message", "col"), BAD_DOCUMENTS)
def test_bad_documents_raise_located_errors(text: str, message: str, col: int) -> None:
    with pytest.raises(PqlJsonError) as info:
        from_json(text, file="seg.json")
    err = info.value
    assert isinstance(err, PqlSyntaxError)
    assert message in err.message
    assert err.location is not None and err.location.file == "seg.json"
    assert (err.location.line, err.location.col) == (1, col)


def test_structural_errors_in_json_text_point_at_the_node() -> None:
    text = ('{"nodeType": "fnApply", "fnName": "and", "params": [\n'
            '  {"nodeType": "fieldLookup", "fieldName": "ok"},\n'
            '  {"nodeType": "fieldLookup", "fieldName": "not ok"}]}')
    with pytest.raises(PqlJsonError) as info:
        from_json(text, file="seg.json")
    assert (info.value.line, info.value.col) == (3, 3)
    assert info.value.pointer == "/params/1"
    assert info.value.format().splitlines()[-1] == "      ^"


def test_errors_name_the_json_path() -> None:
    doc = {"nodeType": "fnApply", "fnName": "and", "params": [
        {"nodeType": "fnApply", "fnName": "=", "params": [
            {"nodeType": "fieldLookup", "fieldName": "a"}, {"nodeType": "literal"}]}]}
    with pytest.raises(PqlJsonError, match="at /params/0/params/1/value: "):
        from_json(doc)


def test_invalid_json_points_at_the_column() -> None:
    with pytest.raises(PqlJsonError) as info:
        from_json('{"nodeType": "literal",\n "value": tru}')
    assert (info.value.line, info.value.col) == (2, 11)
    assert "^" in info.value.format()


# Inside filter conditions and chain steps a bare name is the item's field and `$1.x` the
# profile's: the json keeps them apart (root-less vs rooted lookup), so reading it back must too
# (PQL.md §9.3, §13.5). Was: `$1.x` came back as the bare `x`, i.e. the event's field.
PROFILE_IN_ITEM_SCOPE = [
    'xEvent[$1.person.gender = "female"]',
    'person.orders[$1.loyalty.points > 1 and price > 2]',
    'xEvent[productListItems[SKU = "PS" and $1.person.gender = "f"] and eventType = "x"]',
    'chain(xEvent, timestamp, [A: WHAT($1.person.gender = "female") WHERE(eventType = "x")])',
    'chain(xEvent, timestamp, [A: WHAT(a = 1) WHEN(< 2 days before $1.person.birthDate)])',
    'xEvent[xEvent.count() > 1 and $1.select = 1]',
]


@pytest.mark.parametrize("text", PROFILE_IN_ITEM_SCOPE)
def test_profile_fields_inside_item_scopes_survive_json(text: str) -> None:
    tree = parse(text)
    assert from_json(json.loads(json.dumps(to_json(tree)))) == tree


def test_rooted_lookup_in_a_filter_reads_as_the_profile_field() -> None:
    doc = {"nodeType": "fnApply", "fnName": "filter", "params": [
        {"nodeType": "fieldLookup", "fieldName": "xEvent",
         "object": {"nodeType": "parameterReference", "position": 1}},
        {"nodeType": "fnCreate", "params": [], "body": {
            "nodeType": "fnApply", "fnName": "=", "params": [
                {"nodeType": "fieldLookup", "fieldName": "gender",
                 "object": {"nodeType": "fieldLookup", "fieldName": "person",
                            "object": {"nodeType": "literal", "literalType": "XDMObject",
                                       "value": "profile"}}},
                {"nodeType": "fieldLookup", "fieldName": "eventType"}]}}]}
    assert from_json(doc) == parse("xEvent[$1.person.gender = eventType]")
