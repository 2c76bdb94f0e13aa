"""The pure reading of evaluation states from a job history (engine/evaluation.py)."""

from __future__ import annotations

from typing import Any

from segctl.engine.evaluation import assess_all

TEXT = {"type": "PQL", "format": "pql/text", "value": 'person.gender = "female"'}


def definition(expression: dict[str, Any] = TEXT, **kw: Any) -> dict[str, Any]:
    return {"id": "s1", "expression": expression, "mergePolicyId": "mp",
            "creationTime": 1_000, "updateTime": 5_000, **kw}


def job(status: str, created: int, expression: dict[str, Any] | None = TEXT,
        sid: str = "s1", jid: str = "j") -> dict[str, Any]:
    entry: dict[str, Any] = {"segmentId": sid}
    if expression is not None:
        entry["segment"] = {"id": sid, "expression": expression, "mergePolicyId": "mp"}
    return {"id": jid, "status": status, "creationTime": created, "segments": [entry]}


def state(jobs: list[dict[str, Any]], history_from: int = 0, **kw: Any) -> str:
    return assess_all([definition(**kw)], jobs, history_from)["s1"].state


def test_states_from_the_newest_covering_job() -> None:
    assert state([]) == "never"
    assert state([], history_from=2_000) == "unknown"  # created before the history read
    assert state([job("SUCCEEDED", 6_000)]) == "current"
    older = {**TEXT, "value": 'person.gender = "male"'}
    assert state([job("SUCCEEDED", 6_000, older)]) == "stale"
    assert state([job("PROCESSING", 7_000), job("SUCCEEDED", 6_000, older)]) == "running"
    # a running job for an older expression is not this definition's evaluation
    assert state([job("PROCESSING", 7_000, older), job("SUCCEEDED", 6_000)]) == "current"
    assert state([job("FAILED", 7_000), job("CANCELLED", 6_500)]) == "never"
    assert state([job("SUCCEEDED", 6_000, sid="other")]) == "never"


def test_without_a_comparable_snapshot_the_job_must_be_newer_than_the_update() -> None:
    assert state([job("SUCCEEDED", 6_000, None)]) == "current"
    assert state([job("SUCCEEDED", 4_000, None)]) == "stale"
    json_form = {"type": "PQL", "format": "pql/json", "value": "{}"}  # the other format
    assert state([job("SUCCEEDED", 6_000, json_form)]) == "current"
    assert state([job("SUCCEEDED", 4_000, json_form)]) == "stale"
    everything = {"id": "j", "status": "SUCCEEDED", "creationTime": 6_000,
                  "segments": [{"segmentId": "*"}]}
    assert state([everything]) == "current"
