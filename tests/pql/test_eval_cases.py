"""The evaluation case table (tests/fixtures/pql/eval_cases.yaml), one parametrised test."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from segctl.pql.evaluator import PqlEvalError, compile, prepare_events
from segctl.pql.evaluator.functions import FUNCTIONS
from segctl.pql.parser import parse
from segctl.pql.timeutil import TimeValue

TABLE = yaml.safe_load(
    (Path(__file__).parents[1] / "fixtures" / "pql" / "eval_cases.yaml").read_text("utf-8"))
CASES: list[dict[str, Any]] = TABLE["cases"]


def _plain(value: Any) -> Any:
    """JSON-comparable form of a result (calendar values print as ISO text)."""
    if isinstance(value, TimeValue):
        return value.to_json()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _case_id(case: dict[str, Any]) -> str:
    suffix = f" [{case['profile']}]" if "profile" in case else ""
    suffix += f" @{case['now']}" if "now" in case else ""
    return case["pql"][:90] + suffix


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    expr = parse(case["pql"])
    if "error" in case:
        with pytest.raises(PqlEvalError, match=re.escape(case["error"])):
            compile(expr)
        return
    predicate = compile(expr)
    who = case.get("profile", "alice")
    profile = TABLE["profiles"][who]
    events = TABLE["events"].get(who, [])
    now = datetime.fromisoformat(case.get("now", TABLE["now"]))
    members = set(case["segments"]) if "segments" in case else None
    in_segment = members.__contains__ if members is not None else None
    expected = case["expect"]
    for given in (events, prepare_events(events)):
        got = _plain(predicate.evaluate(profile, given, now, in_segment))
        assert got == expected, predicate.source
        assert type(got) is type(expected)


def test_every_registry_function_has_a_case() -> None:
    text = "\n".join(c["pql"] for c in CASES)
    missing = [name for name in FUNCTIONS if not re.search(rf"\b{name}\(", text)]
    assert missing == []


def test_table_covers_every_occurs_form_and_relative_word() -> None:
    text = "\n".join(c["pql"] for c in CASES)
    for word in ("today", "yesterday", "tomorrow", "now", "this week", "last month",
                 "next year", "between", "before", "after", " on ", "= 5 days", "!= 5 days"):
        assert word in text, word
