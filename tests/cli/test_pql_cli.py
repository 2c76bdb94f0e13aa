"""``segctl pql parse`` and ``segctl pql convert`` through click's CliRunner and ``main``."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from segctl.cli import cli, main
from segctl.pql import PqlJsonError, PqlSyntaxError, parse

E1_JSON = {"nodeType": "fnApply", "fnName": "=", "params": [
    {"nodeType": "fieldLookup", "fieldName": "country", "object": {
        "nodeType": "fieldLookup", "fieldName": "workAddress",
        "object": {"nodeType": "parameterReference", "position": 1}}},
    {"nodeType": "literal", "literalType": "String", "value": "US"}]}


def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output, result.exception


def test_parse_prints_canonical_text() -> None:
    code, out, _ = invoke("pql", "parse", "person.gender  IN ['female'] AND homeAddress.x=1")
    assert code == 0
    assert out == 'person.gender in ["female"] and homeAddress.x = 1\n'


def test_parse_reads_standard_input() -> None:
    code, out, _ = invoke("pql", "parse", "-", stdin="chain(xEvent, timestamp,\n [A: WHAT(a)])\n")
    assert (code, out) == (0, "chain(xEvent, timestamp, [A: WHAT(a)])\n")


def test_parse_error_exits_1_with_location() -> None:
    code, _, err = invoke("pql", "parse", "a = = b")
    assert code == 1
    assert isinstance(err, PqlSyntaxError)
    assert (err.location.file, err.line, err.col) == ("<expr>", 1, 5)  # type: ignore[union-attr]


def test_parse_error_from_stdin_names_stdin() -> None:
    code, _, err = invoke("pql", "parse", "-", stdin="a and\n  (b or")
    assert code == 1
    assert isinstance(err, PqlSyntaxError)
    assert (err.location.file, err.line, err.col) == ("<stdin>", 2, 8)  # type: ignore[union-attr]


def test_main_prints_the_located_error_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["pql", "parse", "x occurs < 7 dayz before now"])
    assert exit_.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [
        "<expr>:1:14: error: expected a time unit (days, hours, months, ...), found 'dayz'",
        "    x occurs < 7 dayz before now",
        "                 ^",
    ]


def test_convert_to_json_prints_adobe_shape_indented() -> None:
    code, out, _ = invoke("pql", "convert", "--to", "json", 'workAddress.country = "US"')
    assert code == 0
    assert json.loads(out) == E1_JSON
    assert out.startswith('{\n  "nodeType": "fnApply"')


def test_convert_to_text_reads_json_and_double_encoded_json() -> None:
    code, out, _ = invoke("pql", "convert", "--to", "text", json.dumps(E1_JSON))
    assert (code, out) == (0, 'workAddress.country = "US"\n')
    code, out, _ = invoke("pql", "convert", "--to", "text", "-",
                          stdin=json.dumps(json.dumps(E1_JSON)))
    assert (code, out) == (0, 'workAddress.country = "US"\n')


def test_convert_to_text_of_text_is_canonical_text() -> None:
    code, out, _ = invoke("pql", "convert", "--to", "text", "\"Andres\" = person.firstName")
    assert (code, out) == (0, '"Andres" = person.firstName\n')


def test_convert_round_trip_through_both_commands() -> None:
    text = ('let S = (sum X.v over X from xEvent where X.t occurs < 7 days before now) in S > 10'
            ' and chain(xEvent, timestamp, [A: WHAT(eventType = "x") WHEN(today) COUNT(2)])')
    _, as_json, _ = invoke("pql", "convert", "--to", "json", text)
    code, back, _ = invoke("pql", "convert", "--to", "text", "-", stdin=as_json)
    assert code == 0
    assert parse(back) == parse(text)


def test_convert_bad_json_exits_1_with_location() -> None:
    code, _, err = invoke("pql", "convert", "--to", "text", "-", stdin='{"nodeType": "fnApply",\n')
    assert code == 1
    assert isinstance(err, PqlJsonError)
    assert (err.location.file, err.line) == ("<stdin>", 1)  # type: ignore[union-attr]


def test_convert_json_that_is_not_a_tree_exits_1() -> None:
    code, _, err = invoke("pql", "convert", "--to", "text", '{"nodeType": "literal"}')
    assert code == 1
    assert isinstance(err, PqlJsonError)
    assert "PQL has no null literal" in err.message


@pytest.mark.parametrize(("doc", "what"), [
    ("{}", "an empty object is not a PQL tree"),
    ('{"params": [], "x": 1}', "an object with keys params, x and no nodeType"),
])
def test_convert_object_without_node_type_says_so(
        doc: str, what: str, capsys: pytest.CaptureFixture[str]) -> None:
    """QA: `segctl pql convert --to text '{}'` said 'missing nodeType None'."""
    with pytest.raises(SystemExit) as exited:
        main(["pql", "convert", "--to", "text", doc])
    assert exited.value.code == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert first == (f"<expr>:1:1: error: at /: {what}: a pql/json node needs a nodeType "
                     "(literal, fieldLookup, fnApply, fnCreate, select, quantification, varRef, "
                     "parameterReference)")


def test_convert_requires_a_target_format() -> None:
    code, out, _ = invoke("pql", "convert", "a")
    assert code == 1  # a usage error (2 is only "changes present")
    assert "--to" in out
