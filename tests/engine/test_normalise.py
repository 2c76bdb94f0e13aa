"""live_segment: a live document as typed fields, the ownership marker split off."""

from __future__ import annotations

import dataclasses

from segctl.aep.documents import LiveDefinition, read_definition
from segctl.engine.normalise import live_segment


def test_every_definition_field_is_carried_and_the_marker_split_off() -> None:
    doc = {"id": "id-1", "name": "VIP", "description": "Big spenders\n\n"
           "[segctl:project=crm;key=vip;protect]", "schema": {"name": "_xdm.context.profile"},
           "ttlInDays": 30, "mergePolicyId": "mp-1", "labels": ["C2", "C1"],
           "evaluationInfo": {"continuous": {"enabled": True}}, "lifecycleState": "active",
           "expression": {"type": "PQL", "format": "pql/text", "value": "a = 1"}}
    live, read = live_segment(doc), read_definition(doc)
    for field in dataclasses.fields(LiveDefinition):
        if field.name != "description":
            assert getattr(live, field.name) == getattr(read, field.name), field.name
    assert live.description == "Big spenders"
    assert (live.key, live.protect, live.project) == ("vip", True, "crm")
    assert (live.evaluation, live.lifecycle, live.labels) == ("streaming", "published",
                                                             ("C1", "C2"))
