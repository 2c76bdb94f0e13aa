"""terminal_safe: every string of a plan or report escaped, at any depth; clean parts kept as
they are (the same objects), so a clean plan is walked, not rebuilt."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from segctl.render.escape import terminal_safe


class Colour(StrEnum):
    RED = "\x1b[31m"  # an enum's value is code's, not user text: kept


@dataclass(frozen=True)
class Leaf:
    name: str
    count: int = 0


@dataclass(frozen=True)
class Tree:
    title: str
    leaves: tuple[Leaf, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    colour: Colour = Colour.RED


def test_a_clean_value_is_returned_as_it_is() -> None:
    tree = Tree("plan", (Leaf("a", 1), Leaf("b")), {"k": ("x", 2)}, ["t"])
    assert terminal_safe(tree) is tree
    assert terminal_safe(tree.leaves) is tree.leaves
    assert terminal_safe(tree.extra) is tree.extra


def test_control_characters_are_escaped_at_any_depth() -> None:
    tree = Tree("ok", (Leaf("fine"), Leaf("evil\x1b[2J", 3)), {"k\x07": ["\u202eabc"]},
                ["t\x1b]8;;x\x07"])
    safe = terminal_safe(tree)
    assert safe.title == "ok"
    assert safe.leaves[0] is tree.leaves[0]  # untouched parts are shared
    assert safe.leaves[1] == Leaf("evil\\x1b[2J", 3)
    assert safe.extra == {"k\\x07": ["\\u202eabc"]}
    assert safe.tags == ["t\\x1b]8;;x\\x07"]
    assert safe.colour is Colour.RED
    assert tree.leaves[1].name == "evil\x1b[2J"  # the input is not changed


def test_newlines_and_tabs_are_kept() -> None:
    assert terminal_safe(Leaf("two\nlines\tand tab")) == Leaf("two\nlines\tand tab")


def test_the_text_plan_shows_nothing_of_unchanged_segments() -> None:
    """The text renderer escapes only the changes it shows: an unchanged (NOOP) segment, even
    one whose live name would move the cursor, changes nothing in the rendering."""
    from dataclasses import replace

    from segctl.engine import Action, SegmentChange
    from segctl.render import render_plan
    from tests.render.sample_plans import every_action

    plan = every_action()
    hostile = SegmentChange(Action.NOOP, "quiet\x1b[2J", "Quiet\x1b]0;title\x07", id="id-q\x1b[A")
    with_noop = replace(plan, changes=(*plan.changes, hostile))
    for color in (False, True):
        assert render_plan(with_noop, color=color) == render_plan(plan, color=color)
    assert "\x1b[2J" not in render_plan(with_noop) and "\x07" not in render_plan(with_noop)
