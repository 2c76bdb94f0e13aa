"""UTC calendar arithmetic and occurs windows (PQL.md §7)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from segctl.pql import timeutil as tu


def us(*parts: int) -> int:
    return tu.datetime_micros(datetime(*parts, tzinfo=UTC))


def test_documented_offset_example() -> None:
    # "T occurs <= 1 month before today" on 28 Aug 2018 is 28 Jul 2018 - 27 Aug 2018
    today = tu.day_word(us(2018, 8, 28, 15), "today")
    assert tu.window_offset("<=", 1, "month", "before", today) == ((us(2018, 7, 28),
                                                                     us(2018, 8, 28)),)


def test_last_month_is_the_whole_previous_calendar_month() -> None:
    bucket = tu.relative_bucket(us(2018, 8, 28), "last", "month")
    assert (bucket.start, bucket.end) == (us(2018, 7, 1), us(2018, 8, 1))


def test_shift_clamps_the_day_of_month_and_crosses_years() -> None:
    assert tu.shift(us(2024, 3, 31), "month", -1) == us(2024, 2, 29)
    assert tu.shift(us(2024, 1, 31), "month", 1) == us(2024, 2, 29)
    assert tu.shift(us(2024, 2, 29), "year", 1) == us(2025, 2, 28)
    assert tu.shift(us(2024, 1, 15), "month", -1) == us(2023, 12, 15)
    assert tu.shift(us(2024, 1, 1), "hour", -1) == us(2023, 12, 31, 23)


@pytest.mark.parametrize(("unit", "start", "end"), [
    ("week", (2024, 3, 11), (2024, 3, 18)),  # ISO weeks start on Monday
    ("month", (2024, 3, 1), (2024, 4, 1)),
    ("year", (2024, 1, 1), (2025, 1, 1)),
    ("decade", (2020, 1, 1), (2030, 1, 1)),
    ("century", (2000, 1, 1), (2100, 1, 1)),
    ("millennium", (2000, 1, 1), (3000, 1, 1)),
    ("day", (2024, 3, 15), (2024, 3, 16)),
])
def test_buckets(unit: str, start: tuple[int, int, int], end: tuple[int, int, int]) -> None:
    bucket = tu.bucket(us(2024, 3, 15, 12), unit)
    assert (bucket.start, bucket.end) == (us(*start), us(*end))


def test_equal_offset_is_the_unit_containing_the_shifted_instant() -> None:
    now = tu.point(us(2024, 3, 15, 12, 30))
    assert tu.window_offset("=", 3, "hour", "before", now) == ((us(2024, 3, 15, 9),
                                                                 us(2024, 3, 15, 10)),)


def test_between_is_inclusive_and_points_include_themselves() -> None:
    low, high = tu.day_interval(2024, 1, 31), tu.point(us(2024, 2, 29))
    assert tu.window_between(low, high) == ((us(2024, 1, 31), us(2024, 2, 29) + 1),)
    assert tu.window_direction("before", high) == ((-(2**62), us(2024, 2, 29) + 1),)
    assert tu.window_direction("after", low) == ((us(2024, 2, 1), 2**62),)


def test_timestamp_inputs() -> None:
    assert tu.to_micros("2011-12-03T10:15:30+01:00") == us(2011, 12, 3, 9, 15, 30)
    assert tu.to_micros("2011-12-03T09:15:30Z") == us(2011, 12, 3, 9, 15, 30)
    assert tu.to_micros("2011-12-03") == us(2011, 12, 3)
    assert tu.to_micros(1_323_000_000_000) == 1_323_000_000_000_000
    assert tu.to_micros("yesterday") is None
    assert tu.to_micros(True) is None


def test_units_and_dates() -> None:
    assert tu.canonical_unit("Millennia") == "millennium"
    assert tu.canonical_unit("millenium") == "millennium"
    with pytest.raises(ValueError, match="unknown time unit"):
        tu.canonical_unit("fortnight")
    with pytest.raises(ValueError):
        tu.day_interval(2023, 2, 29)
    assert tu.day_interval(2024, 2, 29).to_json() == "2024-02-29"
