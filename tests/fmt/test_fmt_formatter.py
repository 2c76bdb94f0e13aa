"""segctl.fmt: canonical PQL, stable key order, comments kept, idempotent."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from segctl.fmt import FormatError, format_source
from segctl.fmt.keyorder import ordered_keys
from segctl.pql import canonical

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fmt"


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def _documents(text: str) -> list[object]:
    return list(YAML(typ="safe").load_all(text))


def test_golden_file() -> None:
    messy = (FIXTURES / "messy.yaml").read_text()
    expected = (FIXTURES / "messy.formatted.yaml").read_text()
    assert format_source(messy, "messy.yaml") == expected


def test_formatting_is_idempotent() -> None:
    expected = (FIXTURES / "messy.formatted.yaml").read_text()
    assert format_source(expected, "f.yaml") == expected


def test_every_comment_is_kept_in_order_of_its_key() -> None:
    messy = (FIXTURES / "messy.yaml").read_text()
    out = format_source(messy, "messy.yaml")
    assert sorted(_comments(out)) == sorted(_comments(messy))
    lines = out.splitlines()
    # a comment above a key moves with that key
    at = lines.index("# kept next to the rule it explains")
    assert lines[at + 1].startswith("pql: ")
    assert lines[0].startswith("# yaml-language-server:")


def test_data_is_unchanged_apart_from_pql() -> None:
    messy = (FIXTURES / "messy.yaml").read_text()
    before, after = _documents(messy), _documents(format_source(messy, "m.yaml"))
    assert len(before) == len(after) == 3
    for old, new in zip(before, after, strict=True):
        assert isinstance(old, dict) and isinstance(new, dict)
        assert {k: v for k, v in old.items() if k != "pql"} == {
            k: v for k, v in new.items() if k != "pql"
        }
    first = after[0]
    assert isinstance(first, dict)
    assert first["pql"] == 'person.gender = "female" and homeAddress.countryCode = "US"'
    third = after[2]
    assert isinstance(third, dict)
    assert canonical(third["pql"]) == (
        'person.gender = "female" and homeAddress.countryCode = "US" '
        "and xEvent.any(commerce.order.priceTotal > 100)"
    )


def test_key_order_kind_key_name_description_then_schema_order() -> None:
    keys = ["labels", "pql", "ttlInDays", "description", "name", "kind", "key", "custom"]
    assert ordered_keys("Segment", keys) == [
        "kind", "key", "name", "description", "pql", "ttlInDays", "labels", "custom",
    ]
    assert ordered_keys("Export", ["run", "dataset", "segments", "key", "kind"]) == [
        "kind", "key", "segments", "dataset", "run",
    ]


@pytest.mark.parametrize("order", list(itertools.permutations(["kind", "key", "name", "pql"])))
def test_any_key_order_formats_to_the_same_text(order: tuple[str, ...]) -> None:
    values = {"kind": "Segment", "key": "k", "name": "N", "pql": 'a.b   =  "x"'}
    comments = {"name": "  # display name"}
    text = "".join(f"{k}: {values[k]}{comments.get(k, '')}\n" for k in order)
    assert format_source(text) == 'kind: Segment\nkey: k\nname: N  # display name\npql: a.b = "x"\n'


def test_long_pql_becomes_a_block_scalar_and_short_pql_stays_inline() -> None:
    long_rule = " and ".join(f'person.f{i} = "value number {i}"' for i in range(4))
    out = format_source(f"kind: Segment\nkey: k\nname: n\npql: {long_rule}\n")
    assert out.endswith(
        "pql: |\n"
        '  person.f0 = "value number 0"\n'
        '  and person.f1 = "value number 1"\n'
        '  and person.f2 = "value number 2"\n'
        '  and person.f3 = "value number 3"\n'
    )
    short = format_source("kind: Segment\nkey: k\nname: n\npql: |\n  a = 1\n")
    assert "pql: a = 1\n" in short


def test_multi_document_files_keep_every_document_and_separator() -> None:
    text = "kind: Export\nkey: e\n---\n# only a comment\n---\nname: n\nkind: Segment\n"
    out = format_source(text)
    assert out.count("---\n") == 2
    assert out == "kind: Export\nkey: e\n---\n# only a comment\n---\nkind: Segment\nname: n\n"


def test_pqljson_and_other_kinds_are_not_touched_beyond_order() -> None:
    tree = 'pqlJson: {"nodeType": "literal", "value": true}\n'
    out = format_source(f"kind: Segment\nname: n\nkey: k\n{tree}")
    assert out == f"kind: Segment\nkey: k\nname: n\n{tree}"


def test_indented_hash_lines_inside_a_block_scalar_are_content_not_comments() -> None:
    text = "key: k\ndescription: |\n  line one\n  # not a comment\nkind: Segment\n"
    out = format_source(text)
    assert out == "kind: Segment\nkey: k\ndescription: |\n  line one\n  # not a comment\n"


def test_invalid_pql_is_located_in_the_file() -> None:
    with pytest.raises(FormatError) as caught:
        format_source("kind: Segment\nkey: k\nname: n\npql: person.gender = = 1\n", "s.yaml")
    err = caught.value
    assert err.location is not None
    assert (err.location.file, err.location.line, err.location.col) == ("s.yaml", 4, 22)
    assert "^" in err.format()


def test_yaml_syntax_error_is_located_in_the_right_document() -> None:
    with pytest.raises(FormatError) as caught:
        format_source("kind: Export\nkey: e\n---\nkind: Segment\nkey: [k\nname: x\n", "s.yaml")
    assert caught.value.location is not None
    assert caught.value.location.line == 6


def test_indented_comment_stays_with_the_nested_value_above_it() -> None:
    text = "kind: Segment\nlabels:\n  - a\n  # about the labels\n# about pql\npql: a = 1\n"
    assert format_source(text) == (
        "kind: Segment\n# about pql\npql: a = 1\nlabels:\n  - a\n  # about the labels\n"
    )


def test_keep_chomping_block_scalar_keeps_its_trailing_blank_line() -> None:
    text = "key: k\ndescription: |+\n  keep\n\nkind: Segment\n"
    out = format_source(text)
    assert out == "kind: Segment\nkey: k\ndescription: |+\n  keep\n\n"
    assert format_source(out) == out
    assert YAML(typ="safe").load(out)["description"] == "keep\n\n"
