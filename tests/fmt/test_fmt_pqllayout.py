"""Line breaking of long PQL: whitespace only, width respected where a break point exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.fmt.pqllayout import WIDTH, layout
from segctl.pql import canonical

IDENTITY = Path(__file__).resolve().parents[1] / "fixtures" / "pql" / "identity.pql"
CORPUS = [line for line in IDENTITY.read_text().splitlines() if line and not line.startswith("#")]

CART = (
    '(select A from xEvent where A.eventType = "commerce.productListAdds" and A.timestamp '
    'occurs <= 7 days before now) and not (select P from xEvent where P.eventType = '
    '"commerce.purchases" and P.timestamp occurs <= 7 days before now)'
)


def test_where_clauses_are_aligned() -> None:
    assert layout(CART) == (
        "(select A from xEvent\n"
        ' where A.eventType = "commerce.productListAdds"\n'
        "   and A.timestamp occurs <= 7 days before now)\n"
        "and not (select P from xEvent\n"
        '         where P.eventType = "commerce.purchases"\n'
        "           and P.timestamp occurs <= 7 days before now)"
    )


def test_let_breaks_before_its_body_and_or_aligns_under_where() -> None:
    text = canonical(
        "let spend = (sum P.commerce.order.priceTotal over P from xEvent where "
        'P.eventType = "commerce.purchases" or P.eventType = "commerce.refunds") in spend >= 400'
    )
    assert layout(text) == (
        "let spend = (sum P.commerce.order.priceTotal over P from xEvent\n"
        '             where P.eventType = "commerce.purchases"\n'
        '                or P.eventType = "commerce.refunds")\n'
        "in spend >= 400"
    )


def test_short_text_and_strings_with_keywords_are_left_alone() -> None:
    short = 'person.gender = "female"'
    assert layout(short) == short
    text = 'person.note = "x and y or z where (" and ' + " and ".join(
        f"person.field{i} = {i}" for i in range(8))
    out = layout(text)
    assert out.splitlines()[0] == 'person.note = "x and y or z where ("'
    assert canonical(out) == canonical(text)


def test_lines_fit_when_break_points_exist() -> None:
    text = " or ".join(f'homeAddress.city = "City number {i}"' for i in range(12))
    assert all(len(line) <= WIDTH for line in layout(text).splitlines())


@pytest.mark.parametrize("width", [10, 40, 80])
def test_layout_never_changes_the_meaning(width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line of the PQL identity corpus, laid out at several widths, parses back equal."""
    monkeypatch.setattr("segctl.fmt.pqllayout.WIDTH", width)
    for line in CORPUS:
        text = canonical(line)
        assert canonical(layout(text)) == text, line


@pytest.mark.parametrize("text", [CART])
def test_layout_is_stable(text: str) -> None:
    assert layout(canonical(layout(text))) == layout(text)
