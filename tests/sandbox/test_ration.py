"""The local sandbox enforces AEP's on-demand evaluation ration
(help/segmentation/methods/flexible-audience-evaluation.md): 20 ids per job, two on-demand
runs per UTC day, 50 a year for a production sandbox; scheduled runs do not count. On by
default; SEGCTL_ONDEMAND_RATION=off turns it off."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from segctl.aep.ration import AEP_DEFAULT, UNLIMITED, OnDemandRation, parse_ration, usage
from segctl.errors import UsageError
from segctl.sandbox import LocalSandbox
from segctl.sandbox.jobs.models import KIND
from tests.sandbox.conftest import UPS, definition, gateway_headers, issue_token

START = datetime(2026, 6, 1, 23, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> list[datetime]:
    return [START]


def _client(app: LocalSandbox) -> httpx.Client:
    client = httpx.Client(transport=app.transport(), base_url="http://sandbox.test")
    client.headers.update(gateway_headers(issue_token(client)))
    return client


@contextlib.contextmanager
def _open(data_dir: Path, clock: list[datetime],
          ration: OnDemandRation | None = None) -> Iterator[tuple[LocalSandbox, httpx.Client]]:
    app = LocalSandbox(data_dir, now=lambda: clock[0], ration=ration)
    client = _client(app)
    try:
        yield app, client
    finally:
        app.wait_idle(60)
        client.close()
        app.close()


def _segment(client: httpx.Client, name: str = "f") -> str:
    made = client.post(f"{UPS}/segment/definitions",
                       json=definition(name, 'person.gender = "female"'))
    assert made.status_code == 200, made.text
    return str(made.json()["id"])


def _job(client: httpx.Client, ids: list[str]) -> httpx.Response:
    return client.post(f"{UPS}/segment/jobs", json=[{"segmentId": i} for i in ids])


def test_two_runs_a_day_then_429_until_midnight_utc(data_dir: Path, clock: list[datetime],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEGCTL_ONDEMAND_RATION", raising=False)
    with _open(data_dir, clock) as (_, client):  # on by default
        sid = _segment(client)
        answers = [_job(client, [sid]) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        body = answers[2].json()
        assert body["status"] == 429 and body["type"].endswith("UPAPI-113429-429")
        assert "too many segmentation jobs" in body["title"]  # segmentation.yaml's wording
        assert "2 per day" in body["title"]
        assert int(answers[2].headers["Retry-After"]) == 3601  # midnight UTC is an hour away
        clock[0] = START + timedelta(hours=1, seconds=1)  # the sandbox's next day
        assert _job(client, [sid]).status_code == 200


def test_at_most_twenty_ids_per_job(data_dir: Path, clock: list[datetime]) -> None:
    with _open(data_dir, clock) as (_, client):
        ids = [_segment(client, f"s{i}") for i in range(21)]
        refused = _job(client, ids)
        assert refused.status_code == 400
        assert "at most 20" in refused.json()["title"]
        assert _job(client, ids[:20]).status_code == 200


def test_scheduled_runs_do_not_count(data_dir: Path, clock: list[datetime]) -> None:
    with _open(data_dir, clock) as (app, client):
        sid = _segment(client)
        assert _job(client, [sid]).status_code == 200
        app.wait_idle(60)
        # the nightly run the scheduler started (source: scheduler) is not on-demand
        scope, doc = next(iter(app.store.all_scopes(KIND)))
        scheduled = {**doc, "id": "scheduled-run", "source": "scheduler"}
        app.store.put(KIND, scope, "scheduled-run", scheduled, created=doc["creationTime"])
        assert _job(client, [sid]).status_code == 200
        assert _job(client, [sid]).status_code == 429


def test_yearly_ration_of_a_production_sandbox(data_dir: Path, clock: list[datetime]) -> None:
    no_daily_limit = OnDemandRation(per_day=None)
    with _open(data_dir, clock, no_daily_limit) as (app, client):
        sid = _segment(client)
        for _ in range(50):
            assert _job(client, [sid]).status_code == 200
        app.wait_idle(60)
        refused = _job(client, [sid])
        assert refused.status_code == 429
        assert "50 per year for a production sandbox" in refused.json()["title"]
    clock[0] = datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)  # a new year (and a new token)
    with _open(data_dir, clock, no_daily_limit) as (_, client):
        assert _job(client, [sid]).status_code == 200


def test_opt_out_for_tests_that_need_many_jobs(data_dir: Path, clock: list[datetime],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_ONDEMAND_RATION", "off")
    with _open(data_dir, clock) as (_, client):
        sid = _segment(client)
        assert {_job(client, [sid]).status_code for _ in range(5)} == {200}


def test_ration_settings_parse() -> None:
    assert parse_ration("") == AEP_DEFAULT and parse_ration("off") == UNLIMITED
    assert parse_ration("day=5,year=200") == OnDemandRation(5, 200, 200)
    assert parse_ration("development=off") == OnDemandRation(2, 50, None)
    with pytest.raises(UsageError, match="bad SEGCTL_ONDEMAND_RATION setting 'week=1'"):
        parse_ration("week=1")


def test_usage_counts_on_demand_runs_by_utc_day_and_year() -> None:
    now = int(START.timestamp() * 1000)
    hour = 3_600_000
    jobs = [{"source": "api", "creationTime": now - hour},            # today
            {"source": "scheduler", "creationTime": now - hour},      # never counted
            {"source": "api", "creationTime": now - 24 * hour},       # this year
            {"source": "api", "creationTime": now - 200 * 24 * hour},  # last year
            {"creationTime": now - 2 * hour, "sandbox": {"type": "development"}}]  # today
    spent = usage(AEP_DEFAULT, jobs, now)
    assert (spent.used_today, spent.used_this_year) == (2, 3)
    assert (spent.sandbox_type, spent.per_year, spent.available) == ("development", 100, 0)
    assert usage(UNLIMITED, jobs, now).available is None


def test_a_created_production_sandbox_gets_the_production_yearly_ration(
        data_dir: Path, clock: list[datetime]) -> None:
    """The ration reads the type the Sandbox API holds (``sandbox create --type production``)."""
    with _open(data_dir, clock, ration=OnDemandRation(per_day=None, production_per_year=1,
                                                      development_per_year=3)) as (_, client):
        sms = "/data/foundation/sandbox-management/sandboxes"
        for name, kind in (("live2", "production"), ("qa", "development")):
            assert client.post(sms, json={"name": name, "title": name, "type": kind}
                               ).status_code == 202
        for name, allowed in (("live2", 1), ("qa", 3)):
            client.headers["x-sandbox-name"] = name
            sid = _segment(client)
            codes = [_job(client, [sid]).status_code for _ in range(allowed + 1)]
            assert codes == [200] * allowed + [429], (name, codes)
