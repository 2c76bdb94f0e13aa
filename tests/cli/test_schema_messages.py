"""`segctl validate`: JSON Schema violations in words, not regexes and Python reprs."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run

FILES = {
    "s.yaml": 'kind: Segment\nkey: "-x"\nname: ""\npql: a = 1\nttlInDays: 0\nlabels: [C1, C1]\n'
              "description:\n",
    "env.yaml": 'kind: Environment\nname: p\nsandbox: p\norgId: abc\nplatformUrl: ftp://x\n'
                'vars: {"1bad": x}\n',
    "t.yaml": "kind: SegmentTest\nname: t\nnow: yesterday\nprofiles: [{id: a}]\n"
              "expect:\n  bad key!: {members: [a]}\n",
}


def test_schema_messages_are_plain_words(tmp_path: Path, run: Run) -> None:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    code, out, err = run("validate", str(tmp_path))
    assert code == 1 and out == ""
    lines = [line.replace(str(tmp_path) + "/", "") for line in err.splitlines()
             if ": error: " in line]
    assert lines == [
        'env.yaml:4:8: error: "abc" at orgId must be an IMS organisation id ending in @AdobeOrg',
        'env.yaml:5:14: error: "ftp://x" at platformUrl must be an http:// or https:// URL',
        'env.yaml:6:8: error: name "1bad" at vars must start with a letter or \'_\' and use only '
        "letters, digits, '_' and '-'",
        's.yaml:2:7: error: "-x" at key must start with a letter or digit and use only letters, '
        "digits, '.', '_' and '-'",
        "s.yaml:3:8: error: expected a non-empty string at name",
        "s.yaml:5:12: error: 0 is too small at ttlInDays (the minimum is 1)",
        's.yaml:6:14: error: "C1" is listed twice at labels',
        "s.yaml:7:13: error: expected string at description, got null",
        't.yaml:3:6: error: "yesterday" at now must be an ISO 8601 date or date-time, for '
        "example 2024-03-15T12:00:00Z",
        "t.yaml:6:3: error: name \"bad key!\" at expect must start with a letter or digit and "
        "use only letters, digits, '.', '_' and '-'",
    ]
    assert err.rstrip().endswith("error: 10 problem(s) found")
