"""plan_import on hand-made live definitions: keys, markers, warnings, defaults."""

from __future__ import annotations

import json
from typing import Any

from segctl.adopt import plan_import, render_segment
from segctl.adopt.keys import slugify, unique_key

POLICIES = [
    {"id": "mp-default", "name": "Default Timebased", "default": True,
     "schema": {"name": "_xdm.context.profile"}},
    {"id": "mp-eu", "name": "EU", "default": False, "schema": {"name": "_xdm.context.profile"}},
]


def definition(sid: str, name: str, value: Any, fmt: str = "pql/text", **extra: Any
               ) -> dict[str, Any]:
    return {"id": sid, "name": name, "expression": {"type": "PQL", "format": fmt, "value": value},
            "schema": {"name": "_xdm.context.profile"}, "mergePolicyId": "mp-default",
            "evaluationInfo": {"batch": {"enabled": True}, "continuous": {"enabled": False},
                               "synchronous": {"enabled": False}},
            "dataGovernancePolicy": {"excludeOptOut": True}, "creationTime": 1, "updateTime": 2,
            **extra}


def test_slugs() -> None:
    assert slugify("VIP (EU) — Gold Ünïcode!") == "vip-eu-gold-unicode"
    assert slugify("***") == "segment"
    assert len(slugify("x" * 300)) == 100
    assert unique_key("gold", {"gold", "gold-2"}) == "gold-3"


def test_colliding_names_get_unique_keys_in_a_stable_order() -> None:
    live = [definition("2", "gold members", "a = 1"), definition("1", "Gold Members", "a = 2")]
    keys = [(s.name, s.key) for s in plan_import(live, POLICIES).segments]
    assert keys == [("Gold Members", "gold-members"), ("gold members", "gold-members-2")]
    again = [(s.name, s.key) for s in plan_import(list(reversed(live)), POLICIES).segments]
    assert again == keys


def test_marker_key_and_protect_are_reused_and_hidden() -> None:
    live = [definition("1", "Whatever Name", "a = 1",
                       description="Kept text.\n\n[segctl:key=kept-key;protect]"),
            definition("2", "Kept Key", "a = 2")]  # its slug would collide with the marker key
    result = plan_import(live, POLICIES)
    by_id = {s.live_id: s for s in result.segments}
    assert (by_id["1"].key, by_id["1"].description, by_id["1"].protect) == (
        "kept-key", "Kept text.", True)
    assert by_id["2"].key == "kept-key-2"
    assert "segctl:key" not in render_segment(by_id["1"])
    assert "protect: true" in render_segment(by_id["1"])


def test_defaults_are_left_out_and_the_rest_kept() -> None:
    live = [definition("1", "Plain", "a = 1"),
            definition("2", "Special", "a = 2", mergePolicyId="mp-eu", ttlInDays=7,
                       schema={"name": "_xdm.context.custom"}, labels=["C2", "C1"],
                       evaluationInfo={"continuous": {"enabled": True}})]
    plain, special = plan_import(live, POLICIES).segments
    assert plain.document() == {"kind": "Segment", "key": "plain", "name": "Plain", "pql": "a = 1"}
    assert special.document() == {
        "kind": "Segment", "key": "special", "name": "Special", "pql": "a = 2",
        "schema": "_xdm.context.custom", "ttlInDays": 7, "mergePolicy": "EU",
        "evaluation": "streaming", "labels": ["C1", "C2"],
    }


def test_unreadable_expressions_and_dangling_references_are_kept_with_warnings() -> None:
    tree = {"nodeType": "mystery", "value": 1}
    live = [definition("1", "Broken text", "person.gender = = 1"),
            definition("2", "Odd json", json.dumps(tree), fmt="pql/json"),
            definition("3", "Dangling", 'inSegment("gone-id") and a = 1')]
    result = plan_import(live, POLICIES)
    by_name = {s.name: s for s in result.segments}
    assert by_name["Broken text"].pql == "person.gender = = 1"
    assert by_name["Odd json"].pql is None and by_name["Odd json"].pql_json == tree
    assert "pqlJson:" in render_segment(by_name["Odd json"])
    assert by_name["Dangling"].pql == 'inSegment("gone-id") and a = 1'
    assert len(result.warnings) == 3
    assert any("'Dangling': inSegment refers to unknown segment id(s) gone-id" in w
               for w in result.warnings)
