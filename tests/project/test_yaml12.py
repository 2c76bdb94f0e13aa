"""Plain scalars are read per the YAML 1.2 core schema; a value YAML 1.1 reads otherwise is
pointed out; and what ``segctl import`` writes reads back as the same text everywhere."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from segctl.adopt.writer import dump_documents
from segctl.errors import Diagnostic
from segctl.project.source import RawDocument, SourceFile
from segctl.project.yamlread import parse_documents

TEXT = object()  # "the scalar's own text"

# plain scalar -> its value per YAML 1.2 core, and whether YAML 1.1 reads it otherwise
TABLE: list[tuple[str, Any, bool]] = [
    ("No", TEXT, True), ("no", TEXT, True), ("on", TEXT, True), ("OFF", TEXT, True),
    ("yes", TEXT, True), ("Y", TEXT, False), ("n", TEXT, False),
    ("true", True, False), ("True", True, False), ("TRUE", True, False), ("false", False, False),
    ("null", None, False), ("Null", None, False), ("NULL", None, False), ("~", None, False),
    ("0777", 777, True), ("012", 12, True), ("08", 8, True), ("0", 0, False), ("-0", 0, False),
    ("+12", 12, False), ("0o17", 15, True), ("0x1f", 31, False), ("0x1F", 31, False),
    ("1:30", TEXT, True), ("190:20:30", TEXT, True), ("1_000", TEXT, True), ("0b101", TEXT, True),
    ("1e3", 1000.0, True), ("1.5", 1.5, False), (".5", 0.5, False), ("1.", 1.0, False),
    ("6.8e+5", 680000.0, False), (".inf", math.inf, False), ("-.Inf", -math.inf, False),
    ("2024-03-15", TEXT, False), ("2024-03-15T12:00:00Z", TEXT, False), ("=", TEXT, False),
    ("0x", TEXT, False), ("+0o7", TEXT, False), ("plain words", TEXT, False),
]


def _read(text: str) -> tuple[list[RawDocument], list[Diagnostic]]:
    source = SourceFile(Path("t.yaml"), "t.yaml", "t.yaml", text.encode(), text,
                        tuple(text.split("\n")))
    items = list(parse_documents(source))
    return ([d for d in items if isinstance(d, RawDocument)],
            [d for d in items if isinstance(d, Diagnostic)])


@pytest.mark.parametrize(("plain", "expected", "warned"), TABLE, ids=[t[0] for t in TABLE])
def test_plain_scalars_follow_the_core_schema(plain: str, expected: Any, warned: bool) -> None:
    docs, problems = _read(f"a: {plain}\n")
    value = docs[0].data["a"]
    want = plain if expected is TEXT else expected
    assert type(value) is type(want) and value == want
    warnings = [p for p in problems if p.severity == "warning"]
    assert [p.severity for p in problems] == (["warning"] if warned else [])
    if warned:
        assert (warnings[0].location.line, warnings[0].location.col) == (1, 4)
        assert warnings[0].message.startswith(f"{plain} is ")


def test_nan() -> None:
    docs, problems = _read("a: .NaN\n")
    assert math.isnan(docs[0].data["a"]) and not problems


def test_written_tags_quotes_and_keys_are_not_warned_about() -> None:
    docs, problems = _read("a: !!str yes\nb: &x !!str on\nc: 'No'\n\"d\": \"0777\"\non: 1\n"
                           "0777: x\n")
    assert docs[0].data == {"a": "yes", "b": "on", "c": "No", "d": "0777", "on": 1,
                            "0777": "x"}
    assert problems == []


def test_an_anchor_does_not_hide_the_plain_scalar() -> None:
    _, problems = _read("a: &x yes\n")
    assert [(p.severity, p.location.col) for p in problems] == [("warning", 4)]


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!int 1:30\n", "cannot read '1:30' as !!int (not a valid int)"),
    ("a: !!bool yes\n", "cannot read 'yes' as !!bool (not a valid bool)"),
    ("a: !!int 0x\n", "cannot read '0x' as !!int (not a valid int)"),
])
def test_tagged_values_are_held_to_yaml_1_2(text: str, message: str) -> None:
    _, problems = _read(text)
    assert [p.message for p in problems] == [message]


def test_a_tagged_float_may_be_written_as_an_integer() -> None:
    docs, problems = _read("a: !!float 3\n")
    assert docs[0].data["a"] == 3.0 and isinstance(docs[0].data["a"], float) and not problems


AWKWARD = ["No", "on", "0777", "1:30", "~", "yes", "null", "1_000", "0b1", "1e3", "0o17",
           "true", "TRUE", "012", ".inf", "-", "", " padded ", "x: y", "#hash", "plain"]


def test_what_import_writes_reads_back_as_the_same_text_everywhere() -> None:
    doc = {"kind": "Segment", "key": "k", "name": "n", "labels": AWKWARD,
           "vars": {f"v{i}": value for i, value in enumerate(AWKWARD)}}
    text = dump_documents([doc], "# header\n", "t.yaml")
    ours, problems = _read(text)
    assert problems == []  # nothing YAML 1.1 would read otherwise
    assert ours[0].data["labels"] == AWKWARD
    assert yaml.safe_load(text)["labels"] == AWKWARD  # YAML 1.1
    assert list(YAML(typ="safe").load(text)["labels"]) == AWKWARD  # ruamel, YAML 1.2
    assert ours[0].data["vars"] == {f"v{i}": value for i, value in enumerate(AWKWARD)}
    assert "- 'No'" in text and "- plain" in text  # plain where nothing can misread it
