"""Every broken file in tests/fixtures/invalid gives exactly the expected located diagnostics."""

from __future__ import annotations

import pytest

from segctl.project import analyse_project

from .conftest import FIXTURES

INVALID = FIXTURES / "invalid"

# file -> every error it must produce: (line, col, a fragment of the message)
EXPECTED: dict[str, list[tuple[int, int, str]]] = {
    "yaml-syntax.yaml": [(4, 23, "YAML syntax error: did not find expected key")],
    "wrong-type.yaml": [
        (5, 12, 'expected integer at ttlInDays, got string "thirty"'),
        (6, 11, 'expected boolean at protect, got string "yes"'),
        (7, 9, 'expected array at labels, got string "C1"'),
        (8, 13, '"realtime" is not allowed at evaluation; expected one of: "batch", "streaming"'),
    ],
    "unknown-kind.yaml": [(6, 7, "unknown kind 'Segmnt' (expected one of: Segment, Export")],
    "duplicate-key.yaml": [(5, 1, "duplicate key 'name' (first defined on line 3)")],
    "duplicate-name.yaml": [
        (8, 7, "duplicate segment name 'Same Name' (first declared at "),
        (12, 6, "duplicate segment key 'first' (first declared at "),
    ],
    "unknown-export-segment.yaml": [
        (10, 5, "export 'daily' refers to unknown segment key 'female-customer' "
                "(did you mean 'female-customers'?)"),
    ],
    "unknown-insegment.yaml": [
        (11, 20, "segment 'combined' refers to unknown segment key 'missing-one' in inSegment"),
    ],
    "cycle.yaml": [
        (4, 17, "segment dependency cycle: a -> b -> c -> a"),
        (21, 17, "segment dependency cycle: self -> self"),
    ],
    "bad-pql.yaml": [
        (4, 22, "invalid PQL: expected an expression, found '='"),
        (11, 66, "invalid PQL: expected 'before', 'after' or 'from', found 'befor'"),
        (16, 10, "invalid PQL: at /: unknown or missing nodeType 'nonsense'"),
        (22, 1, "give either 'pql' or 'pqlJson', not both"),
        (24, 1, "one of 'pql' or 'pqlJson' is required"),
    ],
    "unknown-var.yaml": [
        (9, 32, "unknown variable 'missing' in environment 'local' (defined: prefix)"),
        (13, 23, "unsupported placeholder '${env.HOME}'"),
    ],
}


def test_every_fixture_has_expectations() -> None:
    assert sorted(p.name for p in INVALID.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_diagnostics(name: str) -> None:
    result = analyse_project(INVALID / name)
    assert result.project is None
    got = [(d.location.line, d.location.col, d.message) for d in result.errors]
    want = EXPECTED[name]
    assert len(got) == len(want), got
    for (line, col, message), (want_line, want_col, fragment) in zip(got, want, strict=True):
        assert (line, col) == (want_line, want_col), (message, got)
        assert fragment in message
    for diagnostic in result.errors:
        assert diagnostic.location.file is not None
        assert diagnostic.location.file.endswith(name)
        # the excerpt line is the file's own line at that position
        source_lines = (INVALID / name).read_text().split("\n")
        assert diagnostic.location.source_line == source_lines[diagnostic.location.line - 1]


def test_all_fixtures_in_one_run_report_every_problem() -> None:
    """Validating the folder reports the union (one broken file never hides another)."""
    result = analyse_project(INVALID)
    per_file = {name: len(errors) for name, errors in EXPECTED.items()}
    files = [d.location.file or "" for d in result.errors]
    for name, count in per_file.items():
        assert sum(f.endswith("/" + name) for f in files) >= count, name
