"""SegmentTest documents: loading, fixtures, inSegment chains, and the runner's verdicts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from segctl.errors import ValidationError
from segctl.project import load_project
from segctl.testing import run_tests, segment_tests


def test_document_is_built_with_fixtures_from_ndjson(project: Path) -> None:
    (test,) = segment_tests(load_project(project))
    assert test.name == "purchases"
    assert test.now == datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert [p.id for p in test.profiles] == ["alice", "bob", "carol"]
    alice = test.profiles[0]
    assert alice.data["person"] == {"gender": "female"}
    assert [dict(e) for e in alice.events] == [
        {"eventType": "commerce.purchases", "timestamp": "2026-01-10T09:00:00Z"}
    ]
    assert [c.segment for c in test.expectations] == [
        "female", "recent-buyers", "female-recent-buyers", "in-legacy",
    ]
    assert test.expectations[2].members == ("alice",)
    assert test.expectations[2].non_members == ("bob", "carol")
    assert test.expectations[3].members is None


def test_every_case_passes_including_insegment_chains(project: Path) -> None:
    report = run_tests(load_project(project))
    assert [(c.segment, c.actual_members, c.passed) for c in report.cases] == [
        ("female", ("alice", "carol"), True),
        ("recent-buyers", ("alice", "bob"), True),
        ("female-recent-buyers", ("alice",), True),
        ("in-legacy", ("carol",), True),  # from the fixture's own segmentMembership
    ]
    assert (report.passed, report.failed, report.ok) == (4, 0, True)


def test_now_moves_the_relative_time_window(project: Path) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace("2026-01-15T12:00:00Z",
                                                       "2026-03-01T00:00:00Z"))
    report = run_tests(load_project(project))
    recent = next(c for c in report.cases if c.segment == "recent-buyers")
    assert recent.actual_members == ()
    assert recent.missing == ("alice", "bob")
    assert not recent.passed
    chained = next(c for c in report.cases if c.segment == "female-recent-buyers")
    assert chained.missing == ("alice",)


def test_inline_profiles_with_nested_events(project: Path) -> None:
    (project / "tests" / "inline.yaml").write_text("""\
kind: SegmentTest
name: inline
now: "2026-01-15"
profiles:
  - id: dora
    person: {gender: female}
    events:
      - {eventType: commerce.purchases, timestamp: "2026-01-14T00:00:00Z"}
  - id: ed
    person: {gender: male}
expect:
  female-recent-buyers:
    members: [dora]
""")
    report = run_tests(load_project(project), lambda t, c: t.name == "inline")
    assert [(c.actual_members, c.passed) for c in report.cases] == [(("dora",), True)]


def test_unexpected_member_fails(project: Path) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace("members: [alice, carol]",
                                                       "members: [alice]"))
    report = run_tests(load_project(project))
    female = report.cases[0]
    assert (female.passed, female.unexpected, female.missing) == (False, ("carol",), ())
    assert (report.passed, report.failed) == (3, 1)


def test_unknown_segment_and_profile_ids_are_validation_errors(project: Path) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace(
        "  in-legacy:\n    nonMembers: [alice, bob]\n",
        "  no-such-segment:\n    members: [zed]\n"))
    with pytest.raises(ValidationError) as caught:
        load_project(project)
    messages = [(d.location.line, d.message) for d in caught.value.diagnostics]
    assert (14, "expect: unknown segment key 'no-such-segment'") in messages
    assert (15, "expect.no-such-segment: 'zed' is not a fixture profile id") in messages


def test_bad_ndjson_line_is_located(project: Path) -> None:
    fixtures = project / "tests" / "fixtures" / "events.ndjson"
    fixtures.write_text(fixtures.read_text() + '{"profileId": "bob", oops}\n')
    with pytest.raises(ValidationError) as caught:
        load_project(project)
    (diag,) = [d for d in caught.value.diagnostics if d.severity == "error"]
    assert diag.location.file is not None and diag.location.file.endswith("events.ndjson")
    assert (diag.location.line, diag.location.col) == (4, 22)
    assert diag.message.startswith("invalid JSON")


def test_event_for_unknown_profile_and_missing_file(project: Path) -> None:
    fixtures = project / "tests" / "fixtures" / "events.ndjson"
    fixtures.write_text('{"profileId": "zed", "eventType": "x"}\n')
    with pytest.raises(ValidationError) as caught:
        load_project(project)
    assert "event for unknown fixture profile 'zed'" in caught.value.format()
    fixtures.unlink()
    with pytest.raises(ValidationError) as caught:
        load_project(project)
    assert "events: cannot read fixture file 'fixtures/events.ndjson'" in caught.value.format()


def test_schema_rejects_unknown_fields_in_expectations(project: Path) -> None:
    test_file = project / "tests" / "purchases.yaml"
    test_file.write_text(test_file.read_text().replace("members: [alice, carol]",
                                                       "member: [alice, carol]"))
    with pytest.raises(ValidationError) as caught:
        load_project(project)
    assert "unknown field 'member'" in caught.value.format()
