"""segment_refs / rewrite_segment_refs and the generic tree helpers."""

from __future__ import annotations

from segctl.pql import ast as a
from segctl.pql import parse, rewrite_segment_refs, segment_refs, to_text, transform, walk

TEXT = ('inSegment("key:female-customers") and (not inSegment("9e1646bb-57ff") '
        'or xEvent[inSegment("key:female-customers")].count() > 0) and inSegment(x)')


def test_segment_refs_collects_string_arguments_everywhere() -> None:
    assert segment_refs(parse(TEXT)) == frozenset({"key:female-customers", "9e1646bb-57ff"})
    assert segment_refs(parse('person.inSegment("m") and f("key:x")')) == frozenset()


def test_rewrite_maps_every_reference_and_leaves_the_rest() -> None:
    ids = {"key:female-customers": "e3be6d7f-1727"}
    rewritten = rewrite_segment_refs(parse(TEXT), lambda ref: ids.get(ref, ref))
    assert to_text(rewritten) == (
        'inSegment("e3be6d7f-1727") and (not inSegment("9e1646bb-57ff") '
        'or xEvent[inSegment("e3be6d7f-1727")].count() > 0) and inSegment(x)')
    assert segment_refs(rewritten) == frozenset({"e3be6d7f-1727", "9e1646bb-57ff"})


def test_rewrite_without_changes_returns_the_same_tree_object() -> None:
    tree = parse(TEXT)
    assert rewrite_segment_refs(tree, lambda ref: ref) is tree


def test_rewrite_reaches_chain_steps_and_declarations() -> None:
    tree = parse('chain(xEvent, timestamp, [A: WHAT(inSegment("a")) WHEN(today)]) and '
                 'exists X from xEvent where inSegment("b")')
    assert segment_refs(tree) == frozenset({"a", "b"})
    upper = rewrite_segment_refs(tree, str.upper)
    assert segment_refs(upper) == frozenset({"A", "B"})


def test_walk_is_pre_order_and_complete() -> None:
    nodes = list(walk(parse("a.b = 1 + c")))
    assert [type(n).__name__ for n in nodes] == [
        "BinaryOp", "Field", "Name", "BinaryOp", "IntegerLiteral", "Name"]


def test_transform_rebuilds_bottom_up() -> None:
    def bump(node: a.Node) -> a.Node:
        return a.IntegerLiteral(node.value + 1) if isinstance(node, a.IntegerLiteral) else node

    tree = parse('{"k": [1, 2]} and date(2020, 1, 1) occurs before today')
    assert to_text(transform(tree, bump)) == \
        '{"k": [2, 3]} and date(2021, 2, 2) occurs before today'
