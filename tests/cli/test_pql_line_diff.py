"""A PQL edit is diffed line by line on the rule as `segctl fmt` lays it out (7 -> 14 days)."""

from __future__ import annotations

from pathlib import Path

from .conftest import Run


def test_seven_to_fourteen_days_stands_out(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    path = workdir / "segments" / "cart-abandoners-7d.yaml"
    path.write_text(path.read_text().replace(
        "A.timestamp occurs <= 7 days", "A.timestamp occurs <= 14 days"))
    code, out, err = run("plan", "--no-color")
    assert code == 0, err
    block = out[out.index("~ pql:"):].split("\n\n")[0].splitlines()
    assert block == [
        "~ pql:",
        "            (select A from xEvent",
        '             where A.eventType = "commerce.productListAdds"',
        "          -    and A.timestamp occurs <= 7 days before now)",
        "          +    and A.timestamp occurs <= 14 days before now)",
        "            and not (select P from xEvent",
        '                     where P.eventType = "commerce.purchases"',
        "                       and P.timestamp occurs <= 7 days before now)",
    ]
    code, out, _ = run("plan", "--format", "markdown")
    assert "-      and A.timestamp occurs <= 7 days before now)\n" \
           "+      and A.timestamp occurs <= 14 days before now)\n" in out
