"""Differential test: the compact store (``profilestore.store``) and the object path
(``profiles.load``: a dict per profile and per event) give the PQL evaluator the same rows, so
every expression evaluates to the same value, of the same type, on every profile, and a whole
segment run (memberships, counts, namespaces) is the same.

Data: the generated sample (seed 42, several blocks), plus hand-written profiles and events
for what the sample lacks: nulls, arrays (nested, mixed, empty), maps with odd keys, ints next
to floats and booleans, ``-0.0``, NaN, big integers, unicode, events without or with bad
timestamps, events sharing sub-objects with different key orders, events appended out of
owner order. Expressions: every example segment, the grammar corpus
(``tests/fixtures/pql/identity.pql``, those that compile), and a list aimed at the sample's
fields (events, time functions, nulls, arrays, maps)."""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from segctl import pql
from segctl.pql.evaluator import PqlEvalError
from segctl.project import load_project
from segctl.sandbox.profilestore import build, evaluate, profile_cache
from segctl.sandbox.profilestore import profiles as sample_profiles
from segctl.sandbox.profilestore.data import ProfileData
from segctl.sandbox.profilestore.store import ProfileStore
from tests.pql.corpus import identity_lines

from .conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = 700
BLOCK = 64  # several blocks, one of them short

AIMED = [
    'person.gender = "female"',
    "person.birthYear > 1990 and loyalty.points >= 1000",
    "loyalty.tier = null", "loyalty.tier.isNull()", "loyalty.isNotNull()",
    'loyalty.tier in ["gold", "platinum"]', 'loyalty.tier notIn ["gold"]',
    'homeAddress.city.startsWith("San") or homeAddress.city.contains("o", false)',
    'personalEmail.address.matches("^[a-z]+\\\\.[a-z]+[0-9]+@")',
    'personalEmail.address like "%smith%"',
    "person.birthDate.getMonth() = currentMonth()",
    "person.birthDate.getYear() < currentYear() - 40",
    "person.birthDate occurs before date(1970, 1, 1)",
    "identityMap.ECID.id", "identityMap.keys()", "identityMap.values()",
    "identityMap.Email.count() = 0", "identityMap.ECID[primary = true].id.count()",
    "xEvent.count()", "xEvent.eventType.distinct()", "xEvent.timestamp",
    'xEvent[eventType = "commerce.purchases"].count() >= 2',
    'xEvent[eventType = "commerce.purchases"].commerce.order.priceTotal.sum() > 200',
    "xEvent.productListItems.SKU.distinct().count()",
    "xEvent.productListItems[quantity > 1].priceTotal",
    "xEvent.topN(timestamp, 3).eventType", "xEvent.bottomN(timestamp, 2).timestamp",
    "xEvent.head().eventType", "xEvent.max(timestamp)", "xEvent.min(timestamp)",
    "xEvent.groupBy(eventType).map((K, G) => mapEntry(K, G.count()))",
    'select X from xEvent where X.eventType = "commerce.purchases" and '
    "X.timestamp occurs < 30 days before now",
    "(select X from xEvent where X.timestamp occurs last month).count()",
    "exists X from xEvent where X.timestamp occurs this month",
    'forall X from xEvent where X.eventType = "web.webpagedetails.pageViews"',
    "sum X.commerce.order.priceTotal over X from xEvent where X.commerce.order",
    "average X.commerce.order.priceTotal over X from xEvent",
    'max X.productListItems.priceTotal over X from xEvent where X.eventType = "commerce.checkouts"',
    'chain(xEvent, timestamp, [A: WHAT(eventType = "commerce.productListAdds"), '
    'B: WHAT(eventType = "commerce.purchases") WHEN(<= 1 days after A)])',
    'chain(xEvent, timestamp, [A: WHAT(eventType = "commerce.productViews") '
    "WHEN(< 14 days before now) COUNT(2)])",
    "xEvent[timestamp occurs between date(2026, 5, 1) and date(2026, 5, 31)].count()",
    "xEvent[timestamp occurs today or timestamp occurs yesterday].count() > 0",
    'let S = (sum X.commerce.order.priceTotal over X from xEvent) in S > 100 and S < 1000',
    "if(loyalty.points > 5000, \"high\", loyalty.tier)",
    # the hand-written profiles' fields
    "tags", "tags.count()", 'tags.includes("a")', "tags.distinct()", "tags[this > 1]",
    "scores", "scores.keys()", "scores.values().sum()", 'scores.get("x y")', "scores.zero",
    "nested.list.inner", "nested.list.inner.count()", "flag = true", "flag", "nothing",
    "nothing = null", "big > 9007199254740992", "neg = 0", "text.equals(\"ÉTÉ\", false)",
    "xEvent.value", "xEvent.value.sum()", "xEvent[value = 1].count()", "xEvent.extra",
    "xEvent[extra.k = 1].count()", "xEvent.timestamp.count()",
]


def _edge_profiles() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    shared = {"b": [1, 2], "a": {"z": None, "y": 1.0}}
    reordered = {"a": {"y": 1.0, "z": None}, "b": [1, 2]}
    profiles: list[dict[str, Any]] = [
        {"_id": "edge-1", "identityMap": {"ECID": [{"id": "E1", "primary": True}],
                                          "Phone": [{"id": 5}, "junk", {"id": "+1 555"}]},
         "tags": ["a", 2, 2.0, True, None, [1, "a"], {"k": "v"}], "scores": {
             "x y": 1, "zero": -0.0, "Ω": 2.5, "": None}, "nested": {"list": [
                 {"inner": [1, 2]}, {"inner": None}, {"inner": [3]}, {}]},
         "flag": True, "nothing": None, "big": 2**70, "neg": -0.0, "text": "été"},
        {"_id": "edge-2", "tags": [], "scores": {}, "nested": {"list": []}, "flag": 1,
         "person": None, "loyalty": {"tier": None, "points": 1000.0}},
        {"identityMap": {"Email": [{"id": "only@identity.example"}]}, "flag": 0,
         "tags": [None], "scores": {"nan": float("nan"), "inf": float("inf")}},
        {"_id": "edge-4", "identityMap": {"ECID": [{"id": "E4"}]}, "big": -(2**63)},
    ]
    events = [
        {"profileId": "edge-1", "timestamp": "2026-05-30T10:00:00Z", "value": 1, "extra": shared},
        {"profileId": "edge-1", "timestamp": "2026-05-30T10:00:00.000+02:00", "value": 1.0,
         "extra": reordered},
        {"profileId": "edge-1", "value": True, "extra": shared},  # no timestamp: sorts last
        {"profileId": "edge-1", "timestamp": "not a time", "value": None},
        {"profileId": "edge-1", "timestamp": 1780000000000, "value": [1, 2]},
        {"profileId": "edge-1", "timestamp": None, "extra": {"k": 1}},
        {"identityMap": {"ECID": [{"id": "E4"}]}, "timestamp": "2026-05-31T23:59:59.999Z",
         "value": float("nan"), "extra": {"k": float("nan")}},
        {"identityMap": {"ECID": [{"id": "E4"}]}, "timestamp": "2026-05-31T23:59:59.999Z",
         "value": -0.0, "extra": {"k": float("nan")}},
        {"identityMap": {"Email": [{"id": "only@identity.example"}]},
         "timestamp": "2026-06-01T11:00:00Z", "eventType": "commerce.purchases",
         "commerce": {"order": {"priceTotal": 250}}},
        {"profileId": "nobody", "timestamp": "2026-05-01T00:00:00Z"},  # no such profile
    ]
    return profiles, events


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[ProfileData, ProfileStore]:
    base = tmp_path_factory.mktemp("differential")
    sample_profiles.seed(base, SAMPLE, 42, NOW)
    profiles_path, events_path = sample_profiles.paths(base)
    edge_profiles, edge_events = _edge_profiles()
    with profiles_path.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in edge_profiles)
    with events_path.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(e, ensure_ascii=False) + "\n" for e in edge_events)
        # events of early sample profiles, after everything else (out of owner order)
        first = sample_profiles.load(base)
        for n, (_pid, profile, _events) in enumerate(list(first.rows())[:40]):
            ecid = profile["identityMap"]["ECID"][0]["id"]
            fh.write(json.dumps({"identityMap": {"ECID": [{"id": ecid}]}, "eventType":
                                 "commerce.purchases", "timestamp":
                                 f"2026-05-{1 + n % 28:02d}T08:00:00Z", "commerce": {
                                     "order": {"priceTotal": n * 10.5}}}) + "\n")
    objects = sample_profiles.load(base)
    keep, build.KEEP_BYTES = build.KEEP_BYTES, 0  # read events back by span, as large files
    try:
        store = build.build(base, block_size=BLOCK)
    finally:
        build.KEEP_BYTES = keep
    profile_cache.write(base, profile_cache.signature(base), store)
    from_disk = profile_cache.read(base, profile_cache.signature(base))
    assert from_disk is not None and from_disk.block_size == BLOCK
    return objects, from_disk


def _expressions() -> list[tuple[str, pql.Predicate]]:
    texts: list[tuple[str, pql.Expr]] = []
    for segment in load_project(ROOT / "segments").segments:
        expr = pql.parse(segment.pql) if segment.pql is not None \
            else pql.from_json(dict(segment.pql_json or {}))
        texts.append((f"example {segment.key}", expr))
    for text in [*AIMED, *identity_lines()]:
        texts.append((text, pql.parse(text)))
    compiled = []
    for name, expr in texts:
        try:
            compiled.append((name, pql.compile(expr)))
        except PqlEvalError:
            continue  # corpus lines that are not segment PQL (e.g. decisioning-only)
    return compiled


EXPRESSIONS = _expressions()


def _membership(pid: str) -> Callable[[str], bool]:
    return lambda ref: zlib.crc32(f"{ref}|{pid}".encode()) % 3 == 0


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types all the way down (NaN equals NaN, -0.0 is not 0.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) ==
                                                       math.copysign(1, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if hasattr(a, "__dataclass_fields__"):
        return all(_same(getattr(a, f), getattr(b, f)) for f in a.__dataclass_fields__)
    return bool(a == b)


def _outcome(predicate: pql.Predicate, pid: str, profile: Any, events: Any) -> Any:
    try:
        return predicate.evaluate(profile, events, NOW, _membership(pid))
    except Exception as err:  # an error must be the same error on both paths
        return ("raised", type(err).__name__, str(err))


def test_rows_are_identical(paths: tuple[ProfileData, ProfileStore]) -> None:
    objects, store = paths
    assert len(store) == len(objects) == SAMPLE + 4
    assert store.event_count == objects.event_count
    assert len(store.table) == math.ceil(len(store) / BLOCK)
    for old, new in zip(objects.rows(), store.rows(), strict=True):
        assert old[0] == new[0]
        assert _same(old[1], new[1]), old[0]
        assert _same(old[2].events, new[2].events) and old[2].times == new[2].times, old[0]


def test_the_edge_data_is_in_the_store(paths: tuple[ProfileData, ProfileStore]) -> None:
    _, store = paths
    found = store.find("edge-1", None)
    assert found is not None
    pid, profile = found
    assert pid == "edge-1" and profile["big"] == 2**70 and math.copysign(1, profile["neg"]) < 0
    assert profile["tags"][1:4] == [2, 2.0, True] and type(profile["tags"][2]) is float
    (row,) = [r for r in store.rows() if r[0] == "edge-1"]
    assert [e.get("value") for e in row[2].events][:3] == [[1, 2], 1.0, 1]  # by time
    assert row[2].times[-3:] == [None, None, None]


@pytest.mark.parametrize("name", [name for name, _ in EXPRESSIONS])
def test_every_expression_agrees_on_every_profile(
        name: str, paths: tuple[ProfileData, ProfileStore]) -> None:
    objects, store = paths
    predicate = dict(EXPRESSIONS)[name]
    differ = []
    for old, new in zip(objects.rows(), store.rows(), strict=True):
        a, b = _outcome(predicate, *old), _outcome(predicate, *new)
        if not _same(a, b):
            differ.append((old[0], a, b))
    assert not differ, differ[:3]


def test_the_corpus_is_broad() -> None:
    names = [name for name, _ in EXPRESSIONS]
    assert sum(name.startswith("example ") for name in names) >= 10
    assert len(names) > 150
    uses = [p for _, p in EXPRESSIONS]
    assert sum(p.uses_events for p in uses) > 40 and sum(p.uses_time for p in uses) > 20
    assert sum(p.uses_segments for p in uses) >= 2


def test_a_segment_run_agrees(paths: tuple[ProfileData, ProfileStore]) -> None:
    objects, store = paths
    predicates = [(f"s{i}", p) for i, (name, p) in enumerate(EXPRESSIONS)
                  if not name.startswith("example vip")]
    previous = {"s0": {"edge-1": ["realized", 1], "edge-2": ["exited", 2]}}
    results = []
    for data in (objects, store):
        results.append(evaluate.evaluate_segments(
            data, predicates, lambda sid: previous.get(sid, {}), NOW, 99,
            lambda sid: {}))
    old, new = results
    assert old.keys() == new.keys()
    for sid in old:
        assert old[sid] == new[sid], sid
    assert any(r.members for r in old.values()) and any(r.namespaces for r in old.values())
    # and both are what a plain per-profile loop gives (members, and their namespaces)
    profiles = {pid: (profile, events) for pid, profile, events in objects.rows()}
    for sid, predicate in predicates:
        members = {pid for pid, entry in old[sid].memberships.items()
                   if entry[0] in evaluate.MEMBER_STATUSES}
        if not predicate.uses_segments:
            assert members == {pid for pid, (profile, events) in profiles.items()
                               if predicate.evaluate(profile, events, NOW)}, sid
        expected: dict[str, int] = {}
        for pid in members:
            for ns in profiles[pid][0].get("identityMap") or {}:
                expected[ns] = expected.get(ns, 0) + 1
        assert old[sid].namespaces == expected, sid


def test_profile_look_ups_agree(paths: tuple[ProfileData, ProfileStore]) -> None:
    objects, store = paths
    probes: list[tuple[str, str | None]] = [("edge-1", None), ("E1", "ecid"), ("E1", "ECID"),
                                            ("+1 555", "Phone"), ("5", "Phone"),
                                            ("only@identity.example", "email"),
                                            ("missing", None), ("E4", "Email")]
    for pid, profile, _ in list(objects.rows())[::97]:
        probes.append((pid, None))
        for ns, entries in profile.get("identityMap", {}).items():
            probes.append((entries[0]["id"], ns.upper()))
    for entity_id, namespace in probes:
        assert _same(objects.find(entity_id, namespace), store.find(entity_id, namespace)), \
            (entity_id, namespace)
    assert store.find("E1", "ecid") is not None and store.find("5", "Phone") is None
