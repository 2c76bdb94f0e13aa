"""aep.documents: the pure readers of AEP's JSON that engine, adopt and status share."""

from __future__ import annotations

from typing import Any

import pytest

from segctl.aep.documents import (
    creation_time,
    evaluation_of,
    export_signature,
    is_platform_audience,
    job_expressions,
    job_segment_ids,
    last_modified,
    read_definition,
)


def test_a_definition_reads_as_typed_fields() -> None:
    live = read_definition({
        "id": 7, "name": "Gold", "description": "Gold. [segctl:project=crm;key=gold]",
        "schema": {"name": "_xdm.context.other"}, "ttlInDays": "30", "mergePolicyId": "mp",
        "evaluationInfo": {"continuous": {"enabled": "true"}}, "labels": ["C2", "C1"],
        "expression": {"type": "PQL", "format": "pql/text", "value": "true"},
        "lifecycleState": "active"})
    assert (live.id, live.name, live.schema, live.ttl_in_days, live.merge_policy_id) == (
        "7", "Gold", "_xdm.context.other", 30, "mp")
    assert live.description == "Gold. [segctl:project=crm;key=gold]"  # the marker is engine's
    assert live.evaluation == "streaming" and live.labels == ("C1", "C2")
    assert live.lifecycle == "published"  # the deprecated spelling
    assert live.expression["value"] == "true"


def test_a_sparse_definition_reads_as_the_documented_defaults() -> None:
    live = read_definition({"id": "s", "ttlInDays": -1, "mergePolicyId": "", "description": 3})
    assert (live.name, live.schema, live.ttl_in_days, live.merge_policy_id) == (
        "", "_xdm.context.profile", None, None)
    assert (live.description, live.evaluation, live.labels, live.lifecycle) == (
        "", "batch", (), None)
    assert dict(live.expression) == {}
    with pytest.raises(KeyError):
        read_definition({"name": "no id"})


@pytest.mark.parametrize(("info", "expected"), [
    (None, "batch"), ("odd", "batch"), ({}, "batch"),
    ({"batch": {"enabled": True}}, "batch"),
    ({"continuous": {"enabled": True}}, "streaming"),
    ({"continuous": {"enabled": True}, "synchronous": {"enabled": "true"}}, "edge"),
    ({"synchronous": {"enabled": False}, "continuous": "yes"}, "batch"),
])
def test_evaluation_of(info: Any, expected: str) -> None:
    assert evaluation_of(info) == expected


def test_platform_audiences_are_told_from_other_origins() -> None:
    assert is_platform_audience({"originName": "REAL_TIME_CUSTOMER_PROFILE"})
    assert not is_platform_audience({"originName": "CUSTOM_UPLOAD", "type": "SegmentDefinition"})
    assert is_platform_audience({}) and not is_platform_audience({"type": "ExternalSegment"})


def test_segment_job_readers() -> None:
    job = {"segments": [
        {"segmentId": "a", "segment": {"expression": {"format": "pql/text", "value": "x"}}},
        {"segmentId": "b"}, {"segment": {"expression": {"value": "orphan"}}}, "junk"]}
    assert job_segment_ids(job) == frozenset({"a", "b"})
    assert job_expressions(job) == {"a": {"format": "pql/text", "value": "x"}}
    assert job_segment_ids({"segments": "odd"}) == frozenset() == job_segment_ids({})
    assert job_expressions({"segments": None}) == {}


def test_export_signature_reads_both_spellings_of_the_dataset_id() -> None:
    doc = {"destination": {"datasetId": "ds"},
           "filter": {"segments": [{"segmentId": "s1"}, {"segmentId": "s2"}, {"x": 1}]}}
    spec = {"destination": {"dataSetId": "ds"}, "filter": {"segments": [
        {"segmentId": "s2"}, {"segmentId": "s1"}]}}
    assert export_signature(doc) == export_signature(spec) == ("ds", frozenset({"s1", "s2"}))
    assert export_signature({}) == (None, frozenset())
    assert export_signature({"destination": "odd", "filter": {"segments": {}}}) == (
        None, frozenset())


def test_times() -> None:
    assert creation_time({"creationTime": 12.9}) == 12
    assert creation_time({"creationTime": True}) == 0 == creation_time({"creationTime": "1"})
    assert last_modified({"creationTime": 1, "updateTime": 5}) == 5
    assert last_modified({"creationTime": 1}) == 1 and last_modified({}) == 0
