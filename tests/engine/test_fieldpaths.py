"""Field paths of the differences between two nested documents (deepdiff underneath)."""

from __future__ import annotations

from segctl.engine.fieldpaths import changed_paths

KEYED = frozenset({"segments"})


def test_each_difference_is_named_once_at_its_deepest_field() -> None:
    before = {"filter": {"segmentQualificationTime": {"startTime": "2024-01-01T00:00:00Z",
                                                      "endTime": "2024-02-01T00:00:00Z"},
                         "segments": {"vip": {"status": ["realized"]}}},
              "fields": ["a"], "schema": "profile"}
    after = {"filter": {"segmentQualificationTime": {"startTime": "2024-01-02T00:00:00Z",
                                                     "endTime": "2024-02-01T00:00:00Z"},
                        "segments": {"vip": {"status": ["realized", "existing"]},
                                     "churn": {"status": ["realized"]}}},
             "fields": ["a", "b"], "schema": "profile"}
    assert changed_paths(before, after, keyed=KEYED) == (
        "fields",  # a list is reported whole: its positions mean nothing to a reader
        "filter.segmentQualificationTime.startTime",
        "filter.segments[churn]",  # members of a keyed map are named in brackets
        "filter.segments[vip].status",
    )


def test_equal_documents_and_numeric_types() -> None:
    assert changed_paths({"a": {"b": [1, 2]}}, {"a": {"b": [1, 2]}}) == ()
    assert changed_paths({"a": 1, "b": "x"}, {"a": 1.0, "b": "y"}) == ("b",)  # 1 == 1.0


def test_a_value_of_another_shape_and_removed_members() -> None:
    assert changed_paths({"a": None, "b": {"c": 1}}, {"a": {"x": 1}, "b": {}}) == ("a", "b.c")
