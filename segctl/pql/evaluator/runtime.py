"""Runtime helpers called by compiled PQL predicates: events, time context, lookups, truth.

Values are plain JSON data (dict, list, str, int, float, bool, None) plus
:class:`~segctl.pql.timeutil.TimeValue` for calendar references. ``None`` is PQL null: a
missing field, a null value and a path through a missing object are all ``None``
(PQL.md §10). These functions are pure and never mutate their arguments.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from segctl.pql import timeutil
from segctl.pql.timeutil import TimeValue

# ---- events ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreparedEvents:
    """A profile's events sorted by ``timestamp`` with the parsed instants alongside.

    ``times[i]`` is ``events[i]["timestamp"]`` in epoch microseconds (None when missing or
    unparsable; those events sort last). Build it once per profile with :func:`prepare_events`
    and pass it to ``Predicate.evaluate`` for every segment: parsing ISO timestamps is the
    expensive part of event handling.
    """

    events: list[Any]
    times: list[int | None]


EMPTY_EVENTS = PreparedEvents([], [])
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)


def prepare_events(events: Iterable[Mapping[str, Any]] | PreparedEvents | None) -> PreparedEvents:
    """Sort events by timestamp (PQL.md §11) and parse each timestamp once; anything that is
    not an object is not an event and is dropped."""
    if events is None:
        return EMPTY_EVENTS
    if isinstance(events, PreparedEvents):
        return events
    items = [e for e in events if e.__class__ is dict or isinstance(e, Mapping)]
    if not items:
        return EMPTY_EVENTS
    return _sorted_by_time(items, [e.get("timestamp") for e in items])


def order_events(events: Any, field: str) -> PreparedEvents:
    """Events of an arbitrary array ordered by ``field`` (chain's ordering argument)."""
    items = events if isinstance(events, list) else [] if events is None else [events]
    return _sorted_by_time(items, [get(e, field) for e in items])


_UNTIMED = 2**63  # sorts after every instant


def _sorted_by_time(items: list[Any], stamps: list[Any]) -> PreparedEvents:
    """``items`` stably sorted by their parsed ``stamps``; unparsable ones last."""
    fromiso = datetime.fromisoformat
    to_us = timeutil.to_micros
    keys: list[int] = []
    append = keys.append
    for stamp in stamps:
        if stamp.__class__ is str:  # the hot path: ISO text, inline
            try:
                dt = fromiso(stamp)
            except ValueError:
                append(_UNTIMED)
                continue
            append(timeutil.datetime_micros(dt) if dt.tzinfo is None
                   else (dt - _EPOCH) // _ONE_US)
        else:
            t = to_us(stamp)
            append(_UNTIMED if t is None else t)
    order = sorted(range(len(items)), key=keys.__getitem__)
    return PreparedEvents([items[i] for i in order],
                          [None if keys[i] == _UNTIMED else keys[i] for i in order])


# ---- time context ---------------------------------------------------------------------------


class TimeContext:
    """``now`` in epoch µs plus memoised references and occurs windows for one evaluation time."""

    __slots__ = ("_cache", "now", "now_value")

    def __init__(self, now: datetime | int):
        self.now = now if isinstance(now, int) else timeutil.datetime_micros(now)
        self.now_value = timeutil.point(self.now)
        self._cache: dict[Any, Any] = {}

    def word(self, word: str) -> TimeValue:
        key = ("w", word)
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = timeutil.day_word(self.now, word)
        return value

    def period(self, anchor: str, unit: str) -> TimeValue:
        key = ("p", anchor, unit)
        value = self._cache.get(key)
        if value is None:
            value = self._cache[key] = timeutil.relative_bucket(self.now, anchor, unit)
        return value

    def memo(self, key: int, build: Callable[[TimeContext], Any]) -> Any:
        """A value that depends only on ``now`` (e.g. a compiled occurs window), built once."""
        try:
            return self._cache[key]
        except KeyError:
            value = self._cache[key] = build(self)
            return value

    def month(self) -> int:
        return timeutil.month_of(self.now)

    def year(self) -> int:
        return timeutil.year_of(self.now)

    def day_of_month(self) -> int:
        return timeutil.day_of_month(self.now)


# ---- truth and lookups ----------------------------------------------------------------------


def truth(value: Any) -> bool:
    """A value in Boolean position: null false, arrays non-empty, other defined values true."""
    if value is True:
        return True
    if value is None or value is False:
        return False
    if value.__class__ is list:
        return len(value) > 0
    return True


def get(obj: Any, name: str) -> Any:
    """Field ``name`` of ``obj``; through an array it projects and flattens (PQL.md §4 notes)."""
    cls = obj.__class__
    if cls is dict:
        return obj.get(name)
    if obj is None:
        return None
    if cls is list:
        out: list[Any] = []
        for item in obj:
            value = get(item, name)
            if value is None:
                continue
            if value.__class__ is list:
                out.extend(value)
            else:
                out.append(value)
        return out
    if isinstance(obj, Mapping):
        return obj.get(name)
    return None


def items_of(value: Any) -> Sequence[Any]:
    """What a ``from`` clause or a collection method iterates: arrays as they are, null as
    nothing, a map's values, and any other single value as a one-element list."""
    cls = value.__class__
    if cls is list:
        return value
    if value is None:
        return ()
    if cls is dict:
        return list(value.values())
    if cls is tuple:
        return value
    return (value,)


def membership_from_profile(profile: Mapping[str, Any]) -> Callable[[str], bool]:
    """``inSegment`` answered from the profile's ``segmentMembership.ups`` map (realized or
    existing status) when the caller supplies no membership callback."""
    ups = get(get(profile, "segmentMembership"), "ups")

    def member(segment_id: str) -> bool:
        record = get(ups, segment_id) if ups.__class__ is dict else None
        return get(record, "status") in ("realized", "existing")

    return member


# ---- occurs on arbitrary values (the fast path compares parsed instants inline) ----------------


def as_time(value: Any) -> TimeValue | None:
    """A time reference from a value: calendar values as they are, timestamps as points."""
    if value.__class__ is TimeValue:
        return value
    t = timeutil.to_micros(value)
    return None if t is None else timeutil.point(t)


def in_windows(t: int | None, windows: tuple[tuple[int, int], ...] | None) -> bool:
    if t is None or windows is None:
        return False
    return any(lo <= t < hi for lo, hi in windows)


def occurs(value: Any, windows: tuple[tuple[int, int], ...] | None) -> bool:
    """``value occurs ...`` for a raw value (ISO text, epoch ms, array of them: existential)."""
    if value is None or windows is None:
        return False
    if value.__class__ is list:
        return any(occurs(v, windows) for v in value)
    return in_windows(timeutil.to_micros(value), windows)
