"""Streaming/edge eligibility per the current rules (PQL.md §12, AEP-API.md §13.3-13.4)."""

from __future__ import annotations

import pytest

from segctl.pql.eligibility import Eligibility, classify, evaluation_info, resolve_evaluation
from segctl.pql.parser import parse

TODAY_CHECKOUT = ('CHAIN(xEvent, timestamp, [C0: WHAT(eventType.equals("commerce.checkouts", '
                  'false)) WHEN(today)])')

# (pql, streaming, edge, pattern, a fragment of the first reason or None)
CASES: list[tuple[str, bool, bool, str, str | None]] = [
    ('homeAddress.country.equals("Canada", false)', True, True, "profile-only", None),
    ('person.gender = "female" and person.birthYear > 1980', True, True, "profile-only", None),
    ('inSegment("a") and inSegment("b")', True, True, "segment-of-segments", None),
    ('inSegment("a") and person.gender = "female"', True, True, "segment-of-segments", None),
    (TODAY_CHECKOUT, True, True, "single-event", None),
    ('homeAddress.countryISO = "US" and ' + TODAY_CHECKOUT, True, True, "single-event+profile",
     None),
    ('chain(xEvent, timestamp, [A: WHAT(eventType = "a") WHEN(<= 24 hours before now)])',
     True, True, "single-event", None),
    ('exists X from xEvent where X.eventType = "a" and X.timestamp occurs < 24 hours before now',
     True, True, "single-event", None),
    ('xEvent[eventType = "a" and timestamp occurs today]', True, True, "single-event", None),
    ('xEvent.timestamp occurs today', True, True, "single-event", None),
    # multiple events within 24 h: streaming only
    ('chain(xEvent, timestamp, [C0: WHAT(eventType = "a") WHEN(today), '
     'C1: WHAT(eventType = "b") WHEN(today)])', True, False, "multiple-events",
     "multiple events are not edge-eligible"),
    ('chain(xEvent, timestamp, [A: WHAT(eventType = "homePageView") '
     'WHEN(< 24 hours before now) COUNT(5)])', True, False, "single-event", "frequency counts"),
    ('person.gender = "female" and not chain(xEvent, timestamp, [C0: WHAT(eventType = "a") '
     'WHEN(today)])', True, False, "single-event+profile", "negated events"),
    # batch only
    ('chain(xEvent, timestamp, [C0: WHAT(eventType = "a") WHEN(< 8 days before now)])',
     False, False, "single-event", "longer than 24 hours"),
    ('chain(xEvent, timestamp, [C0: WHAT(eventType = "a")])', False, False, "single-event",
     "has no time window"),
    ('chain(xEvent, timestamp, [C0: WHAT(eventType = "a") WHEN(yesterday)])', False, False,
     "single-event", "not within the last 24 hours"),
    ('exists X from xEvent where X.eventType = "a"', False, False, "single-event",
     "has no time window"),
    ('xEvent.eventType = "a"', False, False, "single-event", "has no time window"),
    ('inSegment("a") and ' + TODAY_CHECKOUT, False, False, "single-event", "inSegment"),
    ('not ' + TODAY_CHECKOUT, False, False, "single-event", "entirely a negation"),
    (TODAY_CHECKOUT + ' and ' + TODAY_CHECKOUT.replace("checkouts", "purchases"), False, False,
     "multiple-events", "strict time ordering"),
    ('xEvent[eventType = "a"].count() > 3', False, False, "single-event", "aggregates events"),
    ('(sum X.commerce.order.priceTotal over X from xEvent) > 100', False, False, "single-event",
     "aggregates events"),
    ('forall X from xEvent where X.eventType = "a"', False, False, "single-event", "forall"),
    ('exists o from modelInstances("https://ns.adobe.com/x") where o.a = 1', False, False,
     "profile-only", "multi-entity"),
]


@pytest.mark.parametrize(("pql", "streaming", "edge", "pattern", "reason"), CASES,
                         ids=[c[0][:80] for c in CASES])
def test_classify(pql: str, streaming: bool, edge: bool, pattern: str, reason: str | None) -> None:
    result = classify(parse(pql))
    assert result.batch is True
    assert (result.streaming, result.edge, result.pattern) == (streaming, edge, pattern)
    if streaming:
        assert result.streaming_reasons == ()
    if edge:
        assert result.edge_reasons == ()
    if reason is None:
        assert result.reasons == ()
    else:
        assert reason in result.reasons[0]
        # a reason that stops streaming also stops edge
        assert set(result.streaming_reasons) <= set(result.edge_reasons)


def _info(batch: bool, continuous: bool, synchronous: bool) -> dict[str, dict[str, bool]]:
    return {"batch": {"enabled": batch}, "continuous": {"enabled": continuous},
            "synchronous": {"enabled": synchronous}}


def test_evaluation_info_for_each_desired_type() -> None:
    profile_only = classify(parse('person.gender = "female"'))
    assert evaluation_info(profile_only, "batch") == _info(True, False, False)
    assert evaluation_info(profile_only, "streaming") == _info(False, True, False)
    assert evaluation_info(profile_only, "edge") == _info(False, False, True)


def test_ineligible_requests_fall_back_to_batch_with_reasons() -> None:
    multi = classify(parse('chain(xEvent, timestamp, [C0: WHAT(eventType = "a") WHEN(today), '
                           'C1: WHAT(eventType = "b") WHEN(today)])'))
    assert evaluation_info(multi, "streaming") == _info(False, True, False)
    assert evaluation_info(multi, "edge") == _info(True, False, False)
    effective, reasons = resolve_evaluation(multi, "edge")
    assert effective == "batch" and "multiple events" in reasons[0]
    no_window = classify(parse('exists X from xEvent where X.eventType = "a"'))
    assert evaluation_info(no_window, "streaming") == _info(True, False, False)


def test_streaming_needs_an_active_on_edge_merge_policy() -> None:
    profile_only = classify(parse('person.gender = "female"'))
    effective, reasons = resolve_evaluation(profile_only, "streaming", active_on_edge=False)
    assert effective == "batch" and "active on edge" in reasons[0]
    assert evaluation_info(profile_only, "edge", active_on_edge=False) == _info(True, False, False)


def test_unknown_evaluation_type_is_rejected() -> None:
    with pytest.raises(ValueError, match="batch, streaming, edge"):
        resolve_evaluation(Eligibility(streaming=True, edge=True, pattern="profile-only"),
                           "realtime")
