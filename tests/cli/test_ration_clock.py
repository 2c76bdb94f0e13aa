"""The plan counts AEP's on-demand ration by the sandbox's day, not the runner's (issue 15).

The sandbox's day comes from the ``Date`` of its answers: the local sandbox dates them by its
own clock (moved by ``segctl sandbox advance``), AEP by its own. Either way the plan and the
sandbox agree on what is left today: after ``advance 1d`` the plan has two jobs again and the
sandbox accepts them; against a sandbox whose clock is a day behind the runner's, yesterday's
(runner) jobs are the sandbox's today's and the plan leaves the evaluation to the schedule."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from segctl.sandbox import LocalSandbox, SandboxServer

from .conftest import Run

FEMALE = "segments/female-customers.yaml"


def _edit(workdir: Path, year: int) -> None:
    """Change female-customers' rule (so it awaits evaluation again)."""
    path = workdir / FEMALE
    text = path.read_text()
    start = text.index("pql: ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f'pql: person.gender = "female" and '
                    f"person.birthDate.year > {year}" + text[end:])


def _ration(run: Run) -> dict[str, object]:
    code, out, err = run("plan", "--format", "json")
    assert code == 0, err
    return dict(json.loads(out)["evaluation"]["ration"])


def _spend_the_day(workdir: Path, run: Run) -> None:
    """Two applies that each start one on-demand job: today's two are spent."""
    for year in (None, 1900):
        if year is not None:
            _edit(workdir, year)
        code, _, err = run("apply", "--auto-approve")
        assert code == 0, err
    _edit(workdir, 1901)


def test_after_advance_1d_the_plan_counts_the_sandboxs_new_day(workdir: Path, run: Run) -> None:
    _spend_the_day(workdir, run)
    code, out, _ = run("plan")
    assert code == 0
    assert "2 of 2 used today" in out and "Left to the scheduled evaluation" in out

    code, out, err = run("sandbox", "advance", "1d")
    assert code == 0, err
    code, out, _ = run("plan")
    assert code == 0
    # the wall clock's day still has its two jobs; the sandbox's new day has none
    assert "0 of 2 used today" in out and "Left to the scheduled evaluation" not in out
    ration = _ration(run)
    assert (ration["used_today"], ration["spends"], ration["left_today"]) == (0, 1, 1)

    code, out, err = run("apply", "--auto-approve", "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    jobs = [a for a in report["actions"] if a["kind"] == "segment-job"]
    assert [a["outcome"] for a in jobs] == ["ok"]  # the sandbox took it: no 429, not deferred
    assert report["notes"] == []


@pytest.fixture
def behind(data_dir: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch
           ) -> Iterator[SandboxServer]:
    """A served sandbox whose clock runs a day behind this machine's (as a remote AEP whose
    clock differs from the runner's), targeted through AEP_PLATFORM_URL."""
    app = LocalSandbox(data_dir, now=lambda: datetime.now(UTC) - timedelta(days=1))
    server = app.serve("127.0.0.1", 0)
    monkeypatch.setenv("AEP_PLATFORM_URL", server.url)
    monkeypatch.setenv("AEP_IMS_URL", server.ims_url)
    try:
        yield server
    finally:
        server.close()
        app.close()


def test_a_sandbox_behind_the_runner_counts_its_own_today(
        behind: SandboxServer, workdir: Path, run: Run) -> None:
    """The jobs were created on the runner's yesterday but the sandbox's today: the plan must
    see the day's two jobs spent (the sandbox would answer a third with 429)."""
    _spend_the_day(workdir, run)
    code, out, _ = run("plan")
    assert code == 0
    assert "2 of 2 used today" in out and "Left to the scheduled evaluation" in out
    ration = _ration(run)
    assert (ration["used_today"], ration["spends"]) == (2, 0)
