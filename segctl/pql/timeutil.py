"""UTC time arithmetic for the PQL evaluator (PQL.md §6.9, §7).

Instants are integers: microseconds since the Unix epoch, UTC. Calendar references (``today``,
``last month``, ``date(2020, 3, 14)``) are :class:`TimeValue` intervals ``[start, end)``; an
instant used as a reference (``now``, another event's timestamp) is a *point* interval.

Choices where PQL.md is silent (all marked [I] there): weeks start on ISO Monday; month and
longer units are calendar arithmetic that clamps the day of month; shorter units are fixed
durations; naive ISO strings are UTC; numbers are epoch milliseconds.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)

US_PER_MS = 1_000
_NEVER = -(2**62)  # before any instant
_EVER = 2**62  # after any instant
US_PER_DAY = 86_400_000_000

# canonical unit -> fixed length in microseconds (None: calendar unit, see _MONTHS)
_FIXED: dict[str, int] = {
    "millisecond": 1_000,
    "second": 1_000_000,
    "minute": 60_000_000,
    "hour": 3_600_000_000,
    "day": US_PER_DAY,
    "week": 7 * US_PER_DAY,
}
_MONTHS: dict[str, int] = {"month": 1, "year": 12, "decade": 120, "century": 1200,
                           "millennium": 12000}

_UNIT_ALIASES: dict[str, str] = {
    **{u: u for u in (*_FIXED, *_MONTHS)},
    **{u + "s": u for u in (*_FIXED, "month", "year", "decade")},
    "centuries": "century",
    "millennia": "millennium",
    "millenium": "millennium",
    "millenia": "millennium",
}


def canonical_unit(word: str) -> str:
    """``days`` -> ``day``; raises ValueError for an unknown unit."""
    try:
        return _UNIT_ALIASES[word.lower()]
    except KeyError:
        raise ValueError(f"unknown time unit {word!r}") from None


@dataclass(frozen=True)
class TimeValue:
    """A UTC interval ``[start, end)`` in epoch microseconds, or a point when ``start == end``."""

    start: int
    end: int

    def contains(self, t: int) -> bool:
        return t == self.start if self.start == self.end else self.start <= t < self.end

    def to_json(self) -> str:
        """ISO text: a date for whole UTC days, else an instant (start)."""
        if self.end - self.start == US_PER_DAY and self.start % US_PER_DAY == 0:
            return from_micros(self.start).date().isoformat()
        return iso(self.start)


def point(t: int) -> TimeValue:
    return TimeValue(t, t)


def datetime_micros(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return (dt - _EPOCH) // _ONE_US


_MIN_US = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _ONE_US
_MAX_US = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _ONE_US


def in_range(t: int) -> bool:
    """Whether ``t`` is a calendar instant (years 1-9999); others only compare."""
    return _MIN_US <= t <= _MAX_US


def from_micros(t: int) -> datetime:
    return _EPOCH + timedelta(microseconds=t)


def iso(t: int) -> str:
    text = from_micros(t).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_iso(text: str) -> int | None:
    """ISO-8601 date or date-time (``Z`` or offset; naive = UTC) -> epoch µs, or None."""
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        return (dt.replace(tzinfo=UTC) - _EPOCH) // _ONE_US
    return (dt - _EPOCH) // _ONE_US


def to_micros(value: object) -> int | None:
    """A timestamp-ish value -> epoch µs: ISO text, epoch milliseconds, datetime, TimeValue."""
    cls = value.__class__
    if cls is str:
        return parse_iso(value)  # type: ignore[arg-type]
    if cls is int or (cls is float and math.isfinite(value)):  # type: ignore[arg-type]
        micros = value * US_PER_MS  # type: ignore[operator]
        # 1.8e305 ms is finite, its µs are not: no instant, like any other non-time value
        return int(micros) if cls is int or math.isfinite(micros) else None
    if isinstance(value, TimeValue):
        return value.start
    if isinstance(value, datetime):
        return datetime_micros(value)
    if isinstance(value, date):
        return datetime_micros(datetime(value.year, value.month, value.day, tzinfo=UTC))
    return None


def _ymd(t: int) -> tuple[int, int, int]:
    d = from_micros(t)
    return d.year, d.month, d.day


def year_of(t: int) -> int:
    return from_micros(t).year


def month_of(t: int) -> int:
    return from_micros(t).month


def day_of_month(t: int) -> int:
    return from_micros(t).day


def day_interval(year: int, month: int, day: int) -> TimeValue:
    """``date(y, m, d)``: the whole UTC day; raises ValueError for an impossible date."""
    start = datetime_micros(datetime(year, month, day, tzinfo=UTC))
    return TimeValue(start, start + US_PER_DAY)


def shift(t: int, unit: str, n: int) -> int:
    """``t`` moved by ``n`` units (negative: backwards); calendar units clamp the day."""
    fixed = _FIXED.get(unit)
    if fixed is not None:
        return t + n * fixed
    if not in_range(t):
        return t
    months = _MONTHS[unit] * n
    d = from_micros(t)
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:  # past the calendar: saturate
        return _NEVER if n < 0 else _EVER
    day = min(d.day, calendar.monthrange(year, month0 + 1)[1])
    return datetime_micros(d.replace(year=year, month=month0 + 1, day=day))


def bucket(t: int, unit: str) -> TimeValue:
    """The calendar unit (UTC) containing ``t``: its day, ISO week, month, year, decade..."""
    if not in_range(t) or not in_range(t - 7 * US_PER_DAY):
        return TimeValue(t, t)  # outside the calendar there is no bucket, only the instant
    fixed = _FIXED.get(unit)
    if fixed is not None and unit != "week":
        start = t - t % fixed
        return TimeValue(start, start + fixed)
    if unit == "week":
        day_start = t - t % US_PER_DAY
        weekday = from_micros(day_start).weekday()  # Monday = 0
        start = day_start - weekday * US_PER_DAY
        return TimeValue(start, start + 7 * US_PER_DAY)
    year, month, _ = _ymd(t)
    span = _MONTHS[unit]
    if span == 1:
        first_year, first_month = year, month
    else:
        years = span // 12
        first_year, first_month = year - year % years, 1
    start = datetime_micros(datetime(first_year, first_month, 1, tzinfo=UTC))
    return TimeValue(start, shift(start, unit, 1))


def relative_bucket(now: int, which: str, unit: str) -> TimeValue:
    """``this|last|next UNIT`` relative to ``now``: the whole calendar unit."""
    offset = {"this": 0, "last": -1, "next": 1}[which]
    return bucket(shift(now, unit, offset) if offset else now, unit)


def day_word(now: int, word: str) -> TimeValue:
    """``today``, ``yesterday``, ``tomorrow`` as UTC days; ``now`` as a point."""
    if word == "now":
        return point(now)
    start = now - now % US_PER_DAY + {"today": 0, "yesterday": -1, "tomorrow": 1}[word] * US_PER_DAY
    return TimeValue(start, start + US_PER_DAY)


# ---- occurs (PQL.md §7): each form becomes half-open windows [lo, hi) of instants ------------

Windows = tuple[tuple[int, int], ...]


def _limit_before(ref: TimeValue) -> int:
    """Exclusive upper bound of "before REF": a point includes itself, a bucket its start."""
    return ref.start + 1 if ref.start == ref.end else ref.start


def _limit_after(ref: TimeValue) -> int:
    """Inclusive lower bound of "after REF": a point itself, a bucket its end."""
    return ref.end


def window_on(ref: TimeValue) -> Windows:
    """Form 3: ``T occurs [on] REF``; a point reference means its UTC day [I]."""
    if ref.start == ref.end:
        ref = bucket(ref.start, "day")
    return ((ref.start, ref.end),)


def window_direction(direction: str, ref: TimeValue) -> Windows:
    """Form 2: ``T occurs before|after|from REF`` (``from`` reads like ``after`` [I])."""
    if direction == "before":
        return ((_NEVER, _limit_before(ref)),)
    return ((_limit_after(ref), _EVER),)


def window_between(low: TimeValue, high: TimeValue) -> Windows:
    """Form 4: inclusive at both ends (the whole of a calendar reference)."""
    hi = high.end + 1 if high.start == high.end else high.end
    return ((low.start, hi),) if low.start < hi else ()


def _minus(lo: int, hi: int, cut: TimeValue) -> Windows:
    parts = ((lo, min(hi, cut.start)), (max(lo, cut.end), hi))
    return tuple((a, b) for a, b in parts if a < b)


def window_offset(op: str, n: int, unit: str, direction: str, ref: TimeValue) -> Windows:
    """Form 1: ``T occurs OP N UNIT before|after REF`` compares the distance from REF.

    ``before``: T is not after REF (a point includes itself, a bucket its start) and the
    distance REF.start - T is compared with N units (calendar arithmetic), so
    ``<= 1 month before today`` on 2018-08-28 is 2018-07-28 .. 2018-08-27 (PQL.md §7).
    ``after``/``from`` mirror it from REF's end. ``=`` compares at the granularity of the unit
    (``= 3 hours before now`` is the hour containing now - 3 h); ``!=`` is its complement on
    the same side of REF.
    """
    if direction == "before":
        limit = _limit_before(ref)
        if op in ("=", "!="):
            cell = bucket(shift(ref.start, unit, -n), unit)
            if op == "=":
                lo, hi = cell.start, min(cell.end, limit)
                return ((lo, hi),) if lo < hi else ()
            return _minus(_NEVER, limit, cell)
        edge = shift(ref.start, unit, -n)  # distance <= N  <=>  T >= edge
        bounds = {"<=": (edge, limit), "<": (edge + 1, limit),
                  ">=": (_NEVER, min(edge + 1, limit)), ">": (_NEVER, min(edge, limit))}[op]
    else:
        low = _limit_after(ref)
        if op in ("=", "!="):
            cell = bucket(shift(ref.start, unit, n), unit)
            if op == "=":
                lo, hi = max(cell.start, low), cell.end
                return ((lo, hi),) if lo < hi else ()
            return _minus(low, _EVER, cell)
        edge = shift(low, unit, n)  # distance <= N  <=>  T <= edge
        bounds = {"<=": (low, edge + 1), "<": (low, edge),
                  ">=": (max(edge, low), _EVER), ">": (max(edge + 1, low), _EVER)}[op]
    return (bounds,) if bounds[0] < bounds[1] else ()
