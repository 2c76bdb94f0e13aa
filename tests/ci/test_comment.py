"""The comment: within the byte budget with its marker, blocks dropped whole, user text
escaped, word-level PQL diffs, blast radius, replace warnings and the quota line."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from segctl.ci.blast import indirect
from segctl.ci.comment import COMMENT_BUDGET, Header, nbytes, plan_comment
from segctl.ci.marker import read_marker
from segctl.ci.worddiff import word_diff
from segctl.engine import (
    Action,
    DesiredSegment,
    FieldChange,
    Plan,
    PlanWarning,
    SegmentChange,
    SegmentJob,
)
from segctl.render.escape import md as user_text

MARKER = {"key": "plan:prod:segments", "sha": "abc", "digest": "sha256:00"}


def desired(key: str, pql: str = "true", refs: tuple[str, ...] = (), name: str = "",
            description: str = "") -> DesiredSegment:
    return DesiredSegment(key=key, name=name or key, description=description, pql=pql,
                          schema="_xdm.context.profile", ttl_in_days=None,
                          merge_policy="default", merge_policy_id="mp1", evaluation="batch",
                          labels=(), protect=False, refs=refs, source="a.yaml:1")


def create(key: str, **kw: object) -> SegmentChange:
    want = desired(key, **kw)  # type: ignore[arg-type]
    return SegmentChange(Action.CREATE, key, want.name, desired=want)


def update_pql(key: str, before: str, after: str, refs: tuple[str, ...] = ()) -> SegmentChange:
    return SegmentChange(Action.UPDATE, key, key, id=f"id-{key}",
                         fields=(FieldChange("pql", before, after),),
                         desired=desired(key, after, refs))


def noop(key: str, refs: tuple[str, ...]) -> SegmentChange:
    return SegmentChange(Action.NOOP, key, key, id=f"id-{key}", desired=desired(key, refs=refs))


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=3000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names=st.lists(TEXT, min_size=0, max_size=40), pql=TEXT,
       warnings=st.lists(TEXT, max_size=5), budget=st.integers(3_000, COMMENT_BUDGET))
def test_every_comment_fits_the_budget_and_keeps_its_marker(
        names: list[str], pql: str, warnings: list[str], budget: int) -> None:
    changes = tuple(create(f"k{i}", name=n, pql=pql * 3, description=n)
                    for i, n in enumerate(names))
    plan = Plan(changes, warnings=tuple(PlanWarning("w", w) for w in warnings))
    body = plan_comment(plan, Header(env="prod", run_url="https://x/r/1", run_number="1"),
                        MARKER, budget=budget)
    assert nbytes(body) <= budget
    fields = read_marker(body)
    assert fields is not None and fields["key"] == MARKER["key"]


def test_segment_blocks_are_dropped_whole_with_a_note() -> None:
    plan = Plan(tuple(create(f"seg-{i:03}", pql="x = " + "1" * 2_000) for i in range(80)))
    body = plan_comment(plan, Header(artifact="segctl-plan-prod-abc"), MARKER)
    assert nbytes(body) <= COMMENT_BUDGET
    opened, closed = body.count("<details>"), body.count("</details>")
    assert opened == closed and 0 < opened < 80
    assert f"{80 - opened} of 80 segment blocks are left out" in body
    assert "artifact `segctl-plan-prod-abc`" in body


def test_user_text_cannot_inject_markup_or_mentions() -> None:
    hostile = '<img src=x onerror=alert(1)> @acme/admins [link](http://e) **b** #12 `x`'
    plan = Plan((create("k", name=hostile, description=hostile, pql='a = "</pre><b>"'),))
    body = plan_comment(plan, Header(), MARKER)
    assert "<img" not in body and "@acme" not in body and "</pre><b>" not in body
    # GitHub adds no link in raw HTML (where [..](..) stays text); its bare-URL autolink and
    # #123 references are broken with a word joiner
    assert "[link](http://" not in body and "#12" not in body
    assert user_text("a*b_c") == "a\\*b\\_c"
    assert re.search(r"&lt;img", body)


def test_word_diff_marks_only_the_changed_words() -> None:
    html = word_diff('person.gender = "female"', 'person.gender = "male" and age > 3')
    assert html == ('<pre>person.gender = &quot;<del>female</del><ins>male</ins>&quot;'
                    '<ins> and age &gt; 3</ins></pre>')


def test_blast_radius_follows_in_segment_transitively() -> None:
    plan = Plan((update_pql("base", "a = 1", "a = 2"), noop("mid", ("base",)),
                 noop("top", ("mid",)), noop("other", ())))
    assert indirect(plan) == {"mid": ("base",), "top": ("base",)}
    body = plan_comment(plan, Header(), MARKER)
    assert "Membership changes indirectly" in body and "**top** through `base`" in body
    graph = body.split("```mermaid", 1)[1].split("```", 1)[0]
    assert "other" not in graph and "top" in graph


def test_replace_warns_about_mappings_and_membership_and_quota_is_counted() -> None:
    replaced = SegmentChange(Action.REPLACE, "vip", "VIP", id="old",
                             fields=(FieldChange("schema", "a", "b"),), desired=desired("vip"))
    plan = Plan((replaced,), segment_jobs=(SegmentJob(("vip",)), SegmentJob(("a", "b"))))
    body = plan_comment(plan, Header(), MARKER)
    assert "[!CAUTION]" in body and "breaks destination mappings" in body
    assert "resets its membership" in body
    assert "Apply will spend **2 on-demand segment jobs** (3 segments" in body


def test_estimated_sizes_beside_the_last_evaluated_ones() -> None:
    from segctl.engine import SizeEstimate

    plan = Plan((update_pql("base", "a = 1", "a = 2"),), estimates=(
        SizeEstimate("base", True, profiles=908, exact=True, profiles_read=2000,
                     total_profiles=2000),
        SizeEstimate("new|one", False, reason="the estimate timed out")))
    body = plan_comment(plan, Header(), MARKER)
    assert "#### Audience sizes" in body
    assert "| **base** | 908 profiles (exact: all 2,000 profiles read) |" in body
    assert "| **new\\|one** | ⚠️ unavailable (the estimate timed out) |" in body


def test_quota_reads_the_plans_ration_when_it_has_one() -> None:
    from dataclasses import dataclass

    from segctl.ci.quota import quota_figure, quota_line

    @dataclass(frozen=True)
    class Ration:  # the shape of engine.Ration (spends, per_day, left_today)
        spends: int
        per_day: int | None
        left_today: int | None

    @dataclass(frozen=True)
    class WithRation:
        segment_jobs: tuple[SegmentJob, ...]
        ration: Ration

    plan = WithRation((SegmentJob(("a", "b")),), Ration(1, 2, 0))
    figure = quota_figure(plan)  # type: ignore[arg-type]
    assert quota_line(figure) == ("Apply will spend **1 on-demand segment job** (2 segments; "
                                  "AEP allows 2 a day per sandbox; 0 left today after it).")
