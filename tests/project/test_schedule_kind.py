"""kind: Schedule: a daily Quartz cron checked at file:line:col, one Schedule per type."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.project import Schedule, analyse_project

from .conftest import RunCli

ONE = """\
kind: Schedule
key: nightly
type: batch_segmentation
schedule: "0 30 2 * * ?"
"""


def _errors(tmp_path: Path, text: str) -> list[tuple[int, int, str]]:
    (tmp_path / "s.yaml").write_text(text, encoding="utf-8")
    result = analyse_project(tmp_path)
    return [(d.location.line, d.location.col, d.message) for d in result.errors]


def test_a_schedule_loads_with_defaults(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(ONE.replace('"0 30 2 * * ?"', '"0  30 2 * * ? "'),
                                     encoding="utf-8")
    result = analyse_project(tmp_path)
    assert result.errors == () and result.project is not None
    (schedule,) = result.project.of_kind("Schedule")
    assert isinstance(schedule, Schedule)
    assert (schedule.key, schedule.type, schedule.schedule, schedule.state, schedule.name) == (
        "nightly", "batch_segmentation", "0 30 2 * * ?", "active", "Batch Segmentation")


@pytest.mark.parametrize(("cron", "col", "words"), [
    ("0 */5 2 * * ?", 12, "its minute must be one number from 0 to 59, not '*/5'"),
    ("0 0 * * * ?", 12, "its hour must be one number from 0 to 23, not '*'"),
    ("0 0 24 * * ?", 12, "its hour must be one number from 0 to 23, not '24'"),
    ("0 0 1 * *", 12, "must be a Quartz cron expression with 6 or 7 fields"),
    ("0 0 1 L * ?", 12, "L, W and # are not supported"),
])
def test_a_bad_cron_is_an_error_at_its_value(tmp_path: Path, cron: str, col: int,
                                             words: str) -> None:
    found = _errors(tmp_path, ONE.replace("0 30 2 * * ?", cron))
    assert len(found) == 1
    line, column, message = found[0]
    assert (line, column) == (4, col)
    assert words in message


def test_only_batch_segmentation_and_known_states(tmp_path: Path) -> None:
    found = _errors(tmp_path, ONE.replace("batch_segmentation", "export"))
    assert [(line, col) for line, col, _ in found] == [(3, 7)]
    found = _errors(tmp_path, ONE + "state: paused\n")
    assert [(line, col) for line, col, _ in found] == [(5, 8)]


def test_one_schedule_per_type(tmp_path: Path) -> None:
    found = _errors(tmp_path, ONE + "---\n" + ONE.replace("nightly", "again"))
    assert found == [(8, 7, f"a second Schedule of type batch_segmentation ('again'; "
                            f"'nightly' is at {tmp_path}/s.yaml:1:1); a sandbox has one, "
                            "declare it once")]


def test_validate_exits_1_with_the_location(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "s.yaml").write_text(ONE.replace("0 30 2", "0 30 */2"), encoding="utf-8")
    code, out, err = run_cli("validate", str(tmp_path))
    assert code == 1
    assert "s.yaml:4:12: error: schedule '0 30 */2 * * ?' may run at most once every 24 " \
           "hours" in out + err
