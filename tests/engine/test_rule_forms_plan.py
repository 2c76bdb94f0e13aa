"""Planning with the rule forms loading learnt (no parse of an unchanged rule) gives exactly
the plan it gives when it parses every rule itself."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from segctl.engine.normalise import MergePolicies, desired_segment
from segctl.project import RuleForm, load_project

REPO = Path(__file__).resolve().parents[2]


def test_desired_segments_agree_with_and_without_the_forms() -> None:
    project = load_project(REPO / "segments")
    assert project.rule_forms
    for seg in project.segments:
        form = project.rule_forms.get(seg.pql or "")
        with_form = desired_segment(seg, MergePolicies(), "p", form)
        parsed = desired_segment(seg, MergePolicies(), "p", None)
        assert with_form == parsed


def test_the_form_is_what_a_batch_segment_is_planned_with() -> None:
    """The form is trusted for a batch segment's text and references (it is the loader's
    result for exactly this text), so a plan reads it instead of parsing."""
    project = load_project(REPO / "segments")
    seg = next(s for s in project.segments if s.pql is not None and s.evaluation == "batch")
    seg = replace(seg, pql="person.name = 'x'")
    want, _ = desired_segment(seg, MergePolicies(), "p",
                              RuleForm('person.name = "x"', ('key:other',)))
    assert want.pql == 'person.name = "x"'
    assert want.refs == ("other",)
