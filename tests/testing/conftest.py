"""A small project with segments, an inSegment chain and SegmentTest documents."""

from __future__ import annotations

from pathlib import Path

import pytest

SEGMENTS = """\
kind: Segment
key: female
name: Female
pql: person.gender = "female"
---
kind: Segment
key: recent-buyers
name: Recent buyers
pql: >-
  exists X from xEvent where X.eventType = "commerce.purchases"
  and X.timestamp occurs <= 30 days before now
---
kind: Segment
key: female-recent-buyers
name: Female recent buyers
pql: inSegment("key:female") and inSegment("key:recent-buyers")
---
kind: Segment
key: in-legacy
name: In a legacy audience
pql: inSegment("9b1c6c4e-0000-4000-8000-000000000001")
"""

LEGACY_ID = "9b1c6c4e-0000-4000-8000-000000000001"
PROFILES = (
    '{"id": "alice", "person": {"gender": "female"}}\n'
    '{"id": "bob", "person": {"gender": "male"}}\n'
    '{"id": "carol", "person": {"gender": "female"}, '
    f'"segmentMembership": {{"ups": {{"{LEGACY_ID}": {{"status": "realized"}}}}}}}}\n'
)

EVENTS = """\
{"profileId": "alice", "eventType": "commerce.purchases", "timestamp": "2026-01-10T09:00:00Z"}
{"profileId": "bob", "eventType": "commerce.purchases", "timestamp": "2026-01-12T09:00:00Z"}
{"profileId": "carol", "eventType": "commerce.purchases", "timestamp": "2025-10-01T09:00:00Z"}
"""

PASSING = """\
kind: SegmentTest
name: purchases
now: 2026-01-15T12:00:00Z
profiles: fixtures/profiles.ndjson
events: fixtures/events.ndjson
expect:
  female:
    members: [alice, carol]
  recent-buyers:
    members: [alice, bob]
  female-recent-buyers:
    members: [alice]
    nonMembers: [bob, carol]
  in-legacy:
    nonMembers: [alice, bob]
"""


def write_test_project(tmp_path: Path) -> Path:
    """A project with four segments, fixture profiles and events, and a passing test file."""
    root = tmp_path / "segments"
    (root / "tests" / "fixtures").mkdir(parents=True)
    (root / "segments.yaml").write_text(SEGMENTS)
    (root / "tests" / "fixtures" / "profiles.ndjson").write_text(PROFILES)
    (root / "tests" / "fixtures" / "events.ndjson").write_text(EVENTS)
    (root / "tests" / "purchases.yaml").write_text(PASSING)
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_test_project(tmp_path)
