"""Java regex forms rewritten for Python re (PQL.md §6.6), checked by what they match."""

from __future__ import annotations

import pytest

from segctl.pql.evaluator_ops import java_regex

# (Java pattern, text, found by an unanchored search)
CASES: list[tuple[str, str, bool]] = [
    ("^(?i)john", "JOHNNY", True),
    ("^(?i)john", "xjohn", False),
    ("a(?i)b", "aB", True),
    ("a(?i)b", "AB", False),  # the flag starts where it is written
    ("a(?i)b|c", "C", True),  # ... and spans the later alternatives of its group
    ("a(?i)b|c", "xb", False),
    ("(x(?i)y)z", "xYz", True),
    ("(x(?i)y)z", "xYZ", False),  # ... and ends with its group
    ("(?i)a(?-i)b", "Ab", True),
    ("(?i)a(?-i)b", "AB", False),
    ("a(?s).b", "a\nb", True),
    ("x(?u)y", "xy", True),  # a flag Python has no use for is dropped
    ("[(?i)]a", "?a", True),  # inside a class it is just characters
    ("\\Qa.b\\E", "a.b", True),
    ("\\Qa.b\\E", "axb", False),
    ("\\Qa.b", "a.b", True),  # \Q to the end
    ("\\Q(\\E(?i)X", "(x", True),
]


@pytest.mark.parametrize(("pattern", "text", "found"), CASES, ids=[c[0] + " ~ " + c[1]
                                                                   for c in CASES])
def test_java_pattern(pattern: str, text: str, found: bool) -> None:
    regex = java_regex(pattern)
    assert regex is not None
    assert (regex.search(text) is not None) is found


def test_patterns_python_cannot_read_stay_refused() -> None:
    assert java_regex("\\p{Alpha}") is None
    assert java_regex("(unclosed") is None
