"""`segctl pql eval`: results on stdout, located errors and exit 1 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segctl.cli import main

NOW = "2024-03-15T12:00:00Z"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(["pql", "eval", *args])
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    profile = tmp_path / "alice.json"
    profile.write_text(json.dumps({"person": {"gender": "female"},
                                   "segmentMembership": {"ups": {"s1": {"status": "realized"}}}}))
    ndjson = tmp_path / "events.ndjson"
    ndjson.write_text('{"timestamp": "2024-03-15T09:00:00Z", "eventType": "a"}\n\n'
                      '{"timestamp": "2024-03-01T09:00:00Z", "eventType": "b"}\n')
    array = tmp_path / "events.json"
    array.write_text(json.dumps([{"timestamp": "2024-03-15T09:00:00Z", "eventType": "a"}]))
    combined = tmp_path / "combined.json"
    combined.write_text(json.dumps({"profile": {"x": 1}, "events": [{"eventType": "c"}]}))
    return {"profile": str(profile), "ndjson": str(ndjson), "array": str(array),
            "combined": str(combined), "dir": str(tmp_path)}


def test_boolean_and_value_results(capsys: pytest.CaptureFixture[str],
                                   files: dict[str, str]) -> None:
    assert run(capsys, 'person.gender = "female"', "--profile", files["profile"])[:2] == (
        0, "true\n")
    assert run(capsys, 'person.gender = "male"', "--profile", files["profile"])[:2] == (
        0, "false\n")
    code, out, _ = run(capsys, "xEvent.eventType", "--profile", files["profile"],
                       "--events", files["ndjson"], "--now", NOW)
    assert (code, json.loads(out)) == (0, ["b", "a"])
    code, out, _ = run(capsys, "date(2024, 3, 15)", "--profile", files["profile"])
    assert (code, json.loads(out)) == (0, "2024-03-15")


def test_events_files_and_now(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    today = "xEvent.timestamp occurs today"
    for events in (files["ndjson"], files["array"]):
        assert run(capsys, today, "--profile", files["profile"], "--events", events,
                   "--now", NOW)[:2] == (0, "true\n")
    assert run(capsys, today, "--profile", files["profile"], "--events", files["array"],
               "--now", "2024-03-16T00:00:00")[:2] == (0, "false\n")
    code, out, _ = run(capsys, "xEvent.eventType", "--profile", files["combined"])
    assert (code, json.loads(out)) == (0, ["c"])


def test_in_segment_answers(capsys: pytest.CaptureFixture[str], files: dict[str, str]) -> None:
    assert run(capsys, 'inSegment("s1")', "--profile", files["profile"])[:2] == (0, "true\n")
    assert run(capsys, 'inSegment("s1")', "--profile", files["profile"],
               "--in-segment", "s2")[:2] == (0, "false\n")


@pytest.mark.parametrize(("expr", "extra", "needle"), [
    ('person.gender = ', (), "<expr>:1:17"),
    ("frob()", (), "unknown function frob()"),
    ("person", ("--now", "yesterday"), "--now:1:1"),
])
def test_bad_input_exits_1_with_a_located_error(
        capsys: pytest.CaptureFixture[str], files: dict[str, str], expr: str,
        extra: tuple[str, ...], needle: str) -> None:
    code, out, err = run(capsys, expr, "--profile", files["profile"], *extra)
    assert (code, out) == (1, "")
    assert needle in err
    assert "Traceback" not in err


def test_bad_files_exit_1_with_file_line_col(capsys: pytest.CaptureFixture[str],
                                             files: dict[str, str]) -> None:
    folder = Path(files["dir"])
    bad_json = folder / "bad.json"
    bad_json.write_text('{"a": 1,\n  "b": }')
    code, _, err = run(capsys, "a", "--profile", str(bad_json))
    assert code == 1 and f"{bad_json}:2:8: error: invalid JSON" in err
    missing = folder / "missing.json"
    code, _, err = run(capsys, "a", "--profile", str(missing))
    assert code == 1 and f"{missing}: error: cannot read" in err
    code, _, err = run(capsys, "a", "--profile", files["ndjson"])
    assert code == 1 and "must hold one JSON object" in err
    bad_lines = folder / "bad.ndjson"
    bad_lines.write_text('{"timestamp": 1}\n{bad\n')
    code, _, err = run(capsys, "a", "--profile", files["profile"], "--events", str(bad_lines))
    assert code == 1 and f"{bad_lines}:2:2: error: invalid JSON" in err
    not_events = folder / "scalar.json"
    not_events.write_text("[1]")
    code, _, err = run(capsys, "a", "--profile", files["profile"], "--events", str(not_events))
    assert code == 1 and "event 1 is not a JSON object" in err
