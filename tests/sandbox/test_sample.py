"""The sample-data generator: deterministic, XDM-shaped, and useful to the example segments."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from segctl.pql import from_json, parse
from segctl.pql.evaluator import compile, prepare_events
from segctl.project import load_project
from segctl.sandbox.profilestore.sample import (
    EVENT_ONLY_EVERY,
    HISTORY_DAYS,
    iter_sample,
    write_sample,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
EVENT_TYPES = {"web.webpagedetails.pageViews", "commerce.productViews",
               "commerce.productListAdds", "commerce.checkouts", "commerce.purchases"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = list(iter_sample(50, 7, NOW))
    assert first == list(iter_sample(50, 7, NOW))
    assert first != list(iter_sample(50, 8, NOW))
    # a prefix of a larger run is the smaller run
    assert list(iter_sample(20, 7, NOW)) == first[:20]


def test_naive_now_is_utc() -> None:
    assert list(iter_sample(5, 1, NOW.replace(tzinfo=None))) == list(iter_sample(5, 1, NOW))


def test_profile_shape() -> None:
    ids = set()
    anonymous = 0
    for number, (profile, _) in enumerate(iter_sample(200, 3, NOW), 1):
        ids.add(profile["_id"])
        if number % EVENT_ONLY_EVERY == 0:  # an event-only visitor: its id and ECID alone
            assert set(profile) == {"_id", "identityMap"}
            assert list(profile["identityMap"]) == ["ECID"]
            anonymous += 1
            continue
        person = profile["person"]
        assert person["gender"] in {"female", "male", "not_specified"}
        assert person["name"]["firstName"] and person["name"]["lastName"]
        assert person["birthDate"].startswith(str(person["birthYear"]))
        assert profile["homeAddress"]["countryCode"] in {"US", "CA", "GB", "DE"}
        email = profile["personalEmail"]["address"]
        assert re.fullmatch(r"[a-z.]+\d*@[a-z.]+", email), email
        ecid = profile["identityMap"]["ECID"]
        assert len(ecid) == 1 and ecid[0]["primary"] is True and len(ecid[0]["id"]) == 38
        assert profile["identityMap"]["Email"] == [{"id": email, "primary": False}]
        if "loyalty" in profile:
            assert profile["loyalty"]["tier"] in {"bronze", "silver", "gold", "platinum"}
    assert len(ids) == 200 and anonymous == 200 // EVENT_ONLY_EVERY


def test_event_shape_and_links() -> None:
    types: Counter[str] = Counter()
    start = NOW - timedelta(days=HISTORY_DAYS)
    event_ids = set()
    for profile, events in iter_sample(300, 5, NOW):
        ecid = profile["identityMap"]["ECID"][0]["id"]
        stamps = [e["timestamp"] for e in events]
        assert stamps == sorted(stamps)
        for event in events:
            types[event["eventType"]] += 1
            event_ids.add(event["_id"])
            assert ISO.match(event["timestamp"]), event["timestamp"]
            when = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            assert start <= when < NOW
            assert event["identityMap"] == {"ECID": [{"id": ecid, "primary": True}]}
            if event["eventType"] == "commerce.purchases":
                order = event["commerce"]["order"]
                assert order["currencyCode"] in {"USD", "CAD", "GBP", "EUR"}
                items = event["productListItems"]
                assert order["priceTotal"] == round(sum(i["priceTotal"] for i in items), 2)
                assert all(i["SKU"] and i["quantity"] >= 1 for i in items)
            elif event["eventType"] == "web.webpagedetails.pageViews":
                assert event["web"]["webPageDetails"]["pageViews"] == {"value": 1}
            else:
                assert event["productListItems"]
    assert set(types) == EVENT_TYPES
    # a funnel: views > adds > checkouts > purchases
    assert (types["commerce.productViews"] > types["commerce.productListAdds"]
            > types["commerce.checkouts"] > types["commerce.purchases"] > 0)
    assert len(event_ids) == sum(types.values())


def test_write_sample_files(tmp_path: Path) -> None:
    profiles_path, events_path = write_sample(tmp_path / "out", 40, 11, NOW)
    assert (profiles_path.name, events_path.name) == ("profiles.ndjson", "events.ndjson")
    profiles = [json.loads(line) for line in profiles_path.read_text().splitlines()]
    events = [json.loads(line) for line in events_path.read_text().splitlines()]
    expected = list(iter_sample(40, 11, NOW))
    assert profiles == [p for p, _ in expected]
    assert events == [e for _, evs in expected for e in evs]
    again = write_sample(tmp_path / "again", 40, 11, NOW)
    assert again[0].read_bytes() == profiles_path.read_bytes()
    assert again[1].read_bytes() == events_path.read_bytes()


def test_zero_profiles(tmp_path: Path) -> None:
    profiles_path, events_path = write_sample(tmp_path, 0, 1, NOW)
    assert profiles_path.read_text() == "" and events_path.read_text() == ""


def test_example_segments_select_partial_subsets() -> None:
    """Every example segment has members in the sample, and none selects everyone."""
    project = load_project(REPO / "segments")
    predicates = {
        s.key: compile(parse(s.pql) if s.pql is not None else from_json(dict(s.pql_json or {})))
        for s in project.segments
    }
    # referenced segments first (vip-women reads the two it combines)
    order = sorted(predicates, key=lambda k: k == "vip-women")
    population = [(p, prepare_events(e)) for p, e in iter_sample(1500, 42, NOW)]
    counts = Counter[str]()
    for profile, events in population:
        member: dict[str, bool] = {}

        def in_segment(ref: str, member: dict[str, bool] = member) -> bool:
            return member.get(ref.removeprefix("key:"), False)

        for key in order:
            member[key] = bool(predicates[key].evaluate(profile, events, NOW, in_segment))
            counts[key] += member[key]
    for key in predicates:
        assert 0 < counts[key] < len(population), (key, counts[key])
