"""A pull-request comment cannot be hijacked: user text in a plan is only ever text (issue 17).

Plans are filled with generated hostile names, descriptions, keys, dataset names, labels,
PQL, reasons and warnings, rendered as markdown, and parsed with a real CommonMark parser
(markdown-it-py). The same plan with every user string replaced by a plain word must give the
same document structure, token for token: no heading, link, image, HTML, list, quote, code
block or table may come from user text. GitHub's own additions (@mentions, #123 references,
bare-URL autolinks) are checked in the text itself. ``SEGCTL_MARKDOWN_EXAMPLES=10000`` (or
``python -m tests.reliability``) runs the full profile.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from segctl.ci.comment import Header, plan_comment
from segctl.ci.marker import PREFIX
from segctl.engine import (
    Action,
    DatasetChange,
    ExportRun,
    FieldChange,
    Plan,
    PlanWarning,
    SegmentChange,
    SegmentJob,
    Target,
)
from segctl.pql.printer import quote
from segctl.render import render_plan
from tests.render.sample_plans import desired

EXAMPLES = int(os.environ.get("SEGCTL_MARKDOWN_EXAMPLES", "100"))
#: user strings rendered by the hypothesis runs, read by ``python -m tests.reliability``
RECORD: list[int] = []

HOSTILE = st.sampled_from([
    "\n\n# heading\n\n", "![img](https://evil.example/x.png)", "[link](https://evil.example)",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</summary>", "</details>",
    "<details>", "<!--", "-->", "@octocat", "@org/team", "#123", "GH-1", "https://evil.example",
    "http://x.y", "www.evil.example", "mailto:a@b.c", "a@b.example", "```", "~~~", "````diff",
    "`", "``", "|", "| a | b |\n|---|---|", "---", "***", "===", "* ", "- ", "+ ", "1. ", "2) ",
    "> ", "    indented", "\t", "\r", "\r\n", "\n", "\u2028", "\x85", "\x00", "\x1b[31m",
    "\u202e", "\\", "\\\n", "&amp;", "&#64;", "&lt;b&gt;", "[x]: https://evil.example",
    "<https://evil.example>", "**bold**", "_em_", "~~del~~", "[^1]", "$x$", "#quot;", "\"]",
    "graph LR", "A-->B", "%%", "{{x}}", "<br>", "  ", "é", "😀",
])
USER_TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=6)), max_size=5).map("".join)

md = MarkdownIt("commonmark").enable("table").enable("strikethrough")


def make_plan(text: Any) -> Plan:
    """A plan with one user string from ``text(i)`` in every place a plan shows user text."""
    # a plan's PQL is canonical (the engine parsed it): user text sits in its string literals
    seg = desired(text(0), text(1), f"person.name = {quote(text(2))}", description=text(3),
                  labels=(text(4),))
    dep = desired(text(5), text(6), f'inSegment({quote("key:" + text(0))})', refs=(text(0),))
    return Plan(
        changes=(
            SegmentChange(Action.CREATE, seg.key, seg.name, desired=seg),
            SegmentChange(Action.CREATE, dep.key, dep.name, desired=dep, depends_on=(seg.key,)),
            SegmentChange(Action.UPDATE, text(7), text(8), id="id-1", desired=replace(
                seg, key=text(7), name=text(8)),
                fields=(FieldChange("name", text(9), text(8)),
                        FieldChange("description", text(10), text(3))), reason=text(11)),
            SegmentChange(Action.REPLACE, text(12), text(13), id="id-2", desired=replace(
                seg, key=text(12), name=text(13)),
                fields=(FieldChange("pql", text(14), text(2)),), reason=text(15)),
            SegmentChange(Action.DELETE, text(16), text(17), id="id-3"),
        ),
        datasets=(DatasetChange(Action.CREATE, text(18), text(19)),
                  DatasetChange(Action.DELETE, text(20), text(21), id="ds-1")),
        segment_jobs=(SegmentJob((seg.key, dep.key)),),
        export_runs=(ExportRun(text(19), text(18), (seg.key,), None, ("realized",), text(22)),),
        warnings=(PlanWarning("w", text(23), seg.key),),
        unmanaged=(text(24), text(25)),
        target=Target(text(26), text(27), text(28)),
        project_root="segments", files_hash="h", fingerprint="f",
    )


_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!--|-->|<[?!]")


def tags(html: str) -> str:
    """The markup in raw HTML: what a browser would build elements, comments or CDATA from."""
    return " ".join(_TAG.findall(html))


def structure(tokens: list[Token]) -> list[tuple[str, ...]]:
    """The document's shape: block tokens and inline tokens, with user text taken out.

    Text and code contents differ between two renderings; their token types must not. Of raw
    HTML the tags are compared (escaped user text inside it has none).
    """
    shape: list[tuple[str, ...]] = []
    for token in tokens:
        if token.type == "inline":
            kids: list[tuple[str, ...]] = []
            for child in token.children or []:
                item = (child.type, child.tag, tags(child.content) if "html" in child.type else "")
                if not (kids and item[0] == "text" and kids[-1][0] == "text"):
                    kids.append(item)
            shape += [("inline", *(":".join(k) for k in kids))]
        elif token.type in ("fence", "code_block"):
            shape.append((token.type, token.info, str(token.content.count("\n") > 0)))
        else:
            shape.append((token.type, token.tag, tags(token.content) if "html" in token.type
                          else ""))
    return shape


_GITHUB_LINKS = re.compile(r"@[A-Za-z0-9]|#\d|://|(?i:www\.)")


def texts(tokens: list[Token]) -> list[str]:
    """Every text the reader sees outside code (where GitHub links mentions and URLs)."""
    found = []
    for token in tokens:
        if token.type == "html_block":
            found.append(token.content)
        for child in token.children or []:
            if child.type in ("text", "html_inline"):
                found.append(child.content)
    return found


md_settings = settings(max_examples=EXAMPLES, deadline=None, database=None,
                       derandomize=EXAMPLES <= 200,
                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@md_settings
@given(st.lists(USER_TEXT, min_size=29, max_size=29))
def test_user_text_in_a_markdown_plan_is_only_text(strings: list[str]) -> None:
    plain: dict[str, str] = {}

    def benign(i: int) -> str:  # the same word for the same string, so conditions agree
        return plain.setdefault(strings[i], f"word{len(plain)}" if strings[i] else "")

    hostile = md.parse(render_plan(make_plan(lambda i: strings[i]), "markdown"))
    baseline = md.parse(render_plan(make_plan(benign), "markdown"))
    RECORD.append(len(strings))
    assert structure(hostile) == structure(baseline)
    for text in texts(hostile):
        assert not _GITHUB_LINKS.search(text), text


@md_settings
@given(st.lists(USER_TEXT, min_size=29, max_size=29))
def test_user_text_in_a_ci_plan_comment_is_only_text(strings: list[str]) -> None:
    """The sticky pull-request comment (segctl ci) renders the plan its own way: same rule."""
    plain: dict[str, str] = {}

    def benign(i: int) -> str:
        return plain.setdefault(strings[i], f"word{len(plain)}" if strings[i] else "")

    def comment(text: Any) -> str:
        header = Header(command="plan", env=text(26), path=text(27), head_sha="a" * 40,
                        run_url="https://github.test/run/1", run_number="1")
        return plan_comment(make_plan(text), header, {"env": text(26)})

    def shape(tokens: list[Token]) -> list[tuple[str, ...]]:
        # a word diff marks what changed: how many <del>/<ins> depends on the text itself
        return [tuple(_WORD_DIFF.sub("", part) for part in item) for item in structure(tokens)]

    hostile = md.parse(comment(lambda i: strings[i]))
    baseline = md.parse(comment(benign))
    RECORD.append(len(strings))
    assert shape(hostile) == shape(baseline)
    assert hostile[0].type == "html_block" and hostile[0].content.startswith(PREFIX)
    for text in texts(hostile[1:]):  # the hidden marker is a comment GitHub does not link
        assert not _GITHUB_LINKS.search(text), text


_WORD_DIFF = re.compile(r" ?</?(?:ins|del)>")


@md_settings
@given(st.lists(USER_TEXT, min_size=29, max_size=29))
def test_user_text_in_a_text_plan_cannot_drive_the_terminal(strings: list[str]) -> None:
    rendered = render_plan(make_plan(lambda i: strings[i]), "text")
    unsafe = re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", rendered)
    assert unsafe is None, repr(rendered[max(0, unsafe.start() - 40): unsafe.end() + 40])


def test_the_issue_example_stays_inside_its_summary() -> None:
    name = "x\n\n# heading\n\n![img](https://evil.example/i.png) [a](https://e.example) @octocat"
    plan = make_plan(lambda i: name if i == 1 else f"s{i}")
    tokens = md.parse(render_plan(plan, "markdown"))
    kinds = {t.type for t in tokens} | {c.type for t in tokens for c in t.children or []}
    assert not kinds & {"image", "link_open"}
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any("heading" in h for h in headings)
    summary = next(t.content for t in tokens if t.type == "html_block" and "x  #" in t.content)
    assert "@\u2060octocat" in summary and "https:\u2060//evil.example" in summary
