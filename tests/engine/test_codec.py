"""The codec derives JSON, its reading and its JSON Schema from frozen dataclasses alone."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import pytest
from jsonschema import Draft202012Validator

from segctl.engine.codec import Codec, Derived, ShapeError, Spelling


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Leaf:
    name: str
    size: int | None = None


@dataclass(frozen=True)
class Tree:
    colour: Colour
    mode: Literal["fast", "slow"]
    leaves: tuple[Leaf, ...]
    best: Leaf | None = None
    extra: Any = None
    tags: tuple[str, ...] = ()


TREE = Tree(Colour.BLUE, "slow", (Leaf("a", 1), Leaf("b")), Leaf("c", 3), {"free": [1, "x"]})


def _round_trip(value: Any, spellings: dict[type, Spelling]) -> Any:
    codec = Codec(spellings)
    doc = codec.encode(value)
    defs: dict[str, Any] = {}
    root = codec.schema(type(value), defs)
    validator = Draft202012Validator({**root, "$defs": defs})
    assert list(validator.iter_errors(doc)) == []
    return doc, codec.decode(doc, type(value))


def test_plain_dataclasses_round_trip_in_field_order() -> None:
    doc, back = _round_trip(TREE, {})
    assert back == TREE
    assert list(doc) == ["colour", "mode", "leaves", "best", "extra", "tags"]
    assert doc["colour"] == "blue" and doc["leaves"][1] == {"name": "b", "size": None}


def test_a_field_added_to_the_model_needs_nothing_else() -> None:
    @dataclass(frozen=True)
    class Grown(Tree):
        age: int = 0

    grown = Grown(Colour.RED, "fast", (), age=7)
    doc, back = _round_trip(grown, {})
    assert doc["age"] == 7 and back == grown
    older = {k: v for k, v in doc.items() if k != "age"}  # written before the field existed
    assert Codec().decode(older, Grown).age == 0


def test_spellings_rename_group_derive_and_leave_out_defaults() -> None:
    spell = {Tree: Spelling(keys={"best": "favourite", "mode": "speed"},
                            groups={"how": ("colour", "mode")},
                            derived={"count": Derived(lambda t: len(t.leaves),
                                                      {"type": "integer"})},
                            order=("count", "how"), sparse=frozenset({"tags"}))}
    doc, back = _round_trip(TREE, spell)
    assert back == TREE
    assert list(doc) == ["count", "how", "leaves", "favourite", "extra"]
    assert doc["how"] == {"colour": "blue", "speed": "slow"} and doc["count"] == 2
    tagged = Codec(spell).encode(Tree(Colour.RED, "fast", (), tags=("t",)))
    assert tagged["tags"] == ["t"]


def test_reading_tolerates_unknown_keys_and_names_the_bad_place() -> None:
    doc = Codec().encode(TREE)
    doc["later"] = True
    doc["leaves"][0]["later"] = {"x": 1}
    assert Codec().decode(doc, Tree) == TREE
    doc["leaves"][1]["size"] = "big"
    with pytest.raises(ShapeError, match=r"^leaves\[1\]\.size: expected integer, got a string"):
        Codec().decode(doc, Tree)
    doc["leaves"][1] = {"size": 2}
    with pytest.raises(ShapeError, match=r"^leaves\[1\]: missing required key 'name'"):
        Codec().decode(doc, Tree)
    with pytest.raises(ShapeError, match=r"^mode: 'medium' is not one of \['fast', 'slow'\]"):
        Codec().decode({**Codec().encode(TREE), "mode": "medium"}, Tree)
    with pytest.raises(ShapeError, match=r"^colour: 'green' is not one of \['red', 'blue'\]"):
        Codec().decode({**Codec().encode(TREE), "colour": "green"}, Tree)
    with pytest.raises(ShapeError, match=r"^leaves\[0\]\.size: expected integer, got a boolean"):
        Codec().decode({**Codec().encode(TREE), "leaves": [{"name": "a", "size": True}]}, Tree)


@dataclass(frozen=True)
class Node:
    label: str
    children: tuple[Node, ...] = ()


def test_a_recursive_dataclass_is_written_read_and_described() -> None:
    tree = Node("root", (Node("a"), Node("b", (Node("c"),))))
    doc, back = _round_trip(tree, {})
    assert back == tree and doc["children"][1]["children"][0] == {"label": "c", "children": []}
    defs: dict[str, Any] = {}
    assert Codec().schema(Node, defs) == {"$ref": "#/$defs/Node"}
    assert defs["Node"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
