"""The fast path of ``fmt`` (segctl/fmt/fastpath.py) only ever says "already canonical" about a
document that ruamel's round trip gives back unchanged.

Each document of the repository's YAML files, and many variants of them (reordered keys,
comments, blank lines, nested blocks, special words, odd spacing, long and short PQL), is put
to both: whenever the fast path accepts a document, the round trip must return it as it is.
"""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from segctl.fmt import format_source
from segctl.fmt import formatter as fmt
from segctl.fmt.fastpath import already_canonical
from segctl.fmt.keyorder import ordered_keys

REPO = Path(__file__).resolve().parents[2]


def _fast(body: str) -> bool:
    return already_canonical(body, ordered_keys, fmt.PQL_KEYS_BY_KIND, fmt._pql_text)


def _slow(body: str) -> str:
    return fmt._settled(body, "t.yaml", 0)


def _repo_bodies() -> list[str]:
    bodies = []
    for path in sorted([*REPO.joinpath("segments").rglob("*.yaml"),
                        *REPO.joinpath("tests").rglob("*.yaml")]):
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        bodies.extend(body for _, _, body in fmt._split_documents(text) if body.strip())
    return bodies


LONG = ('person.birthYear = 1950 and homeAddress.countryCode = "US" and '
        'loyalty.tier in ["gold", "platinum"] and loyalty.points > 100')
PARTS = {
    "head": ["", "# a comment\n", "# yaml-language-server: $schema=x.json\n#\n"],
    "kind": ["kind: Segment\n", "kind: Export\n", "kind: Environment\n"],
    "key": ["key: a-b\n", "key: 'a'\n", "key: a  # why\n", "key: a # why\n", "key:  a\n"],
    "name": ["name: Segment 00001\n", "name: No\n", "name: on\n", "name: 0777\n",
             "name: '0777'\n", "name: 1:30\n", "name: ~\n", "name: x: y\n", "name: a  b\n",
             "name: Größe\n", "name: yes please\n", "name: 12\n", "name: 012\n",
             "name: 1.5\n", "name: 2024-01-01\n", "name: null\n"],
    "pql": [f"pql: {LONG}\n", 'pql: person.gender = "female"\n',
            'pql: person.gender="female"\n', 'pql: |\n  person.gender = "female"\n',
            "pql: |\n" + "".join(f"  {line}\n" for line in fmt.pql_lines(LONG)),
            "pql: |-\n  true\n", "pql: true\n", "pql: 'true'\n", "pql: x.y = 1  # rule\n"],
    "labels": ["", "labels: [C1]\n", "labels: [C1, C2]\n", "labels: [C1,C2]\n",
               "labels: []\n", "labels:\n  - C1\n", "labels:\n- C1\n", "labels:\n    - C1\n",
               "labels: [yes]\n", "labels: [C1]   # contract\n"],
    "tail": ["", "ttlInDays: 30\n", "evaluation: batch\nttlInDays: 30\n",
             "\nttlInDays: 30\n", "vars:\n  a: b\n  c: 1\n", "vars:\n  a: b\n    c: 1\n",
             "description: |\n  two\n  lines\n", "description: >\n  folded\n",
             "ttlInDays: 30\n# trailing comment\n", "vars:\n  a: b\n# after\n",
             "ttlInDays:\n", "ttlInDays: 30\n\n"],
}


def _variants() -> list[str]:
    """A fixed sample of the combinations of PARTS (every part appears many times), half of it
    drawn from the parts a plain document is made of, so that many variants are accepted."""
    rng = random.Random(16)
    everything = list(itertools.product(*PARTS.values()))
    plainer = list(itertools.product(*(options[:4] for options in PARTS.values())))
    out = []
    for combo in [*rng.sample(everything, 1500), *rng.sample(plainer, 1500)]:
        head, kind, key, *rest = combo
        out.append("".join((head, kind, key, *rest)))
        out.append("".join((head, key, kind, *rest)))  # keys out of order
    return out


REPO_BODIES = _repo_bodies()
VARIANTS = _variants()


def test_the_corpus_exercises_both_answers() -> None:
    verdicts = [_fast(b) for b in REPO_BODIES + VARIANTS]
    assert sum(verdicts) > 50 and len(verdicts) - sum(verdicts) > 50


@pytest.mark.parametrize("body", REPO_BODIES, ids=range(len(REPO_BODIES)))
def test_accepted_repository_documents_are_unchanged_by_the_round_trip(body: str) -> None:
    if _fast(body):
        assert _slow(body) == body


def test_accepted_variants_are_unchanged_by_the_round_trip() -> None:
    wrong = [body for body in VARIANTS if _fast(body) and _slow(body) != body]
    assert not wrong, wrong[:3]


def test_a_canonical_file_never_reaches_the_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("kind: Segment\nkey: a\nname: A\npql: person.gender = \"female\"\nttlInDays: 30\n"
            "---\n# b\nkind: Segment\nkey: b\nname: B\npql: |\n"
            + "".join(f"  {line}\n" for line in fmt.pql_lines(LONG)) + "labels: [C1]\n")

    def refuse(*_: object) -> str:
        raise AssertionError("the round trip ran")

    monkeypatch.setattr(fmt, "_settled", refuse)
    assert format_source(text, "t.yaml") == text


def test_what_the_fast_path_declines_is_still_formatted() -> None:
    messy = 'key: a\nkind: Segment\nname: A\npql: person.gender="female"\n'
    assert not _fast(messy)
    assert format_source(messy, "t.yaml") == \
        'kind: Segment\nkey: a\nname: A\npql: person.gender = "female"\n'
