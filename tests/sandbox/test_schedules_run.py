"""Schedules run on the sandbox's clock (help/segmentation/api/schedules.md; segmentation.yaml
segment-job example with ``source: scheduler`` and ``properties.scheduleId/runId``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from segctl.sandbox import LocalSandbox
from segctl.sandbox.schedules.models import Cron, CronError
from tests.sandbox.conftest import (
    UPS,
    definition,
    fixed_now,
    gateway_headers,
    issue_token,
    sandbox_client,
)

NOW = fixed_now()  # 2026-06-01 12:00 UTC: the system schedule's next run is tomorrow 01:00


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


@pytest.mark.parametrize(("expr", "day", "fires"), [
    ("0 0 1 * * ?", date(2026, 6, 2), True),
    ("0 30 2 ? * MON-FRI", date(2026, 6, 6), False),  # a Saturday
    ("0 30 2 ? * MON-FRI", date(2026, 6, 8), True),
    ("0 0 3 1,15 * ?", date(2026, 6, 15), True),
    ("0 0 3 1/10 JAN,JUN ?", date(2026, 6, 21), True),
    ("0 0 3 1/10 JAN,JUN ?", date(2026, 7, 21), False),
    ("0 0 3 * * ? 2027", date(2026, 6, 2), False),
])
def test_cron_days(expr: str, day: date, fires: bool) -> None:
    assert Cron(expr).fires_on(day) is fires


def test_cron_latest_fire_in_a_window() -> None:
    cron = Cron("0 0 1 * * ?")
    after, until = _ms(NOW), _ms(NOW + timedelta(days=3))
    assert cron.latest(after, until) == _ms(datetime(2026, 6, 4, 1, tzinfo=UTC))
    assert cron.latest(after, _ms(NOW + timedelta(hours=12))) is None  # 00:00 next day


@pytest.mark.parametrize("expr", ["0 0 * * * ?", "0 */5 1 * * ?", "0 0 1 L * ?", "0 0 1 * *",
                                  "0 0 1 32 * ?", 5])
def test_cron_refusals(expr: object) -> None:
    with pytest.raises(CronError):
        Cron(expr)


@pytest.fixture
def app(sandbox: LocalSandbox) -> LocalSandbox:
    return sandbox  # conftest's: the seeded data directory, the fixed clock


def _renew(http: httpx.Client) -> None:
    """Tokens live 24 hours of sandbox time, as on IMS: after a long advance, a new one."""
    http.headers.update(gateway_headers(issue_token(http)))


def test_advance_runs_the_nightly_batch_segmentation(app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        seg = http.post(f"{UPS}/segment/definitions",
                        json=definition("Women", 'person.gender = "female"')).json()
        [system] = http.get(f"{UPS}/config/schedules").json()["children"]
        assert app.advance(timedelta(hours=12)) == []  # 00:00: not yet
        started = app.advance(timedelta(hours=2))  # 02:00 the next day: the 01:00 run is due
        assert [job["source"] for _, job in started] == ["scheduler"]
        assert app.wait_idle(60)
        jobs = http.get(f"{UPS}/segment/jobs").json()["children"]
        [job] = jobs
        assert job["source"] == "scheduler" and job["status"] == "SUCCEEDED"
        assert job["properties"]["scheduleId"] == system["id"] and job["properties"]["runId"]
        assert job["segments"] == [{"segmentId": "*"}]
        assert job["metrics"]["segmentedProfileCounter"][seg["id"]] > 0
        assert job["creationTime"] == _ms(NOW + timedelta(hours=14))  # sandbox time
        assert app.advance(timedelta(hours=1)) == []  # once a day
        assert len(app.advance(timedelta(days=3))) == 1  # missed nights: one catch-up run


def test_a_request_after_the_time_starts_the_run(app: LocalSandbox) -> None:
    with sandbox_client(app) as http:
        created = http.post(f"{UPS}/config/schedules", json={
            "name": "mine", "type": "batch_segmentation", "properties": {"segments": ["*"]},
            "schedule": "0 0 6 * * ?", "state": "active"}).json()
        http.patch(f"{UPS}/config/schedules/{created['id']}",  # the system one off
                   json=[{"op": "add", "path": "/state", "value": "active"}])
        system = http.get(f"{UPS}/config/schedules").json()["children"][0]
        http.patch(f"{UPS}/config/schedules/{system['id']}",
                   json=[{"op": "add", "path": "/state", "value": "inactive"}])
        app.store.set_value("clockOffsetMs", 19 * 3_600_000)  # moved by another process
        assert http.get(f"{UPS}/segment/jobs").json()["children"]  # any request fires it
        assert app.wait_idle(60)
        [job] = http.get(f"{UPS}/segment/jobs").json()["children"]
        assert job["properties"]["scheduleId"] == created["id"]


def test_time_relative_audiences_refresh_overnight(app: LocalSandbox) -> None:
    """"Visited in the last 7 days" shrinks when a week passes without new events."""
    with sandbox_client(app) as http:
        seg = http.post(f"{UPS}/segment/definitions", json=definition(
            "Recent", 'select E from xEvent where E.timestamp occurs <= 7 days before now')
                        ).json()
        first = http.post(f"{UPS}/segment/jobs", json=[{"segmentId": seg["id"]}]).json()
        assert app.wait_idle(60)
        before = http.get(f"{UPS}/segment/jobs/{first['id']}").json()
        app.advance(timedelta(days=30))
        assert app.wait_idle(60)
        _renew(http)
        night = [j for j in http.get(f"{UPS}/segment/jobs").json()["children"]
                 if j["source"] == "scheduler"]
        [after] = night
        counted = after["metrics"]["segmentedProfileByStatusCounter"][seg["id"]]
        assert before["metrics"]["segmentedProfileCounter"][seg["id"]] > 0
        assert after["metrics"]["segmentedProfileCounter"][seg["id"]] == 0
        assert counted["exited"] == before["metrics"]["segmentedProfileCounter"][seg["id"]]
