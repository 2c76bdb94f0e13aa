"""kind: Schedule: a daily Quartz cron checked at file:line:col, one batch Schedule, and export
Schedules naming a declared Export (by key), one per Export."""

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


def test_only_known_types_and_states(tmp_path: Path) -> None:
    found = _errors(tmp_path, ONE.replace("batch_segmentation", "exports"))
    assert [(line, col) for line, col, _ in found] == [(3, 7)]
    assert '"exports" is not allowed at type; expected one of: "batch_segmentation", ' \
           '"export"' in found[0][2]
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


EXPORTS = """\
kind: Segment
key: women
name: Women
pql: person.gender = "female"
---
kind: Export
key: women-daily
segments: [women]
dataset: Women
---
"""
EXPORT_SCHEDULE = """\
kind: Schedule
key: women-nightly
type: export
export: women-daily
schedule: "0 0 3 * * ?"
"""


def test_an_export_schedule_loads_beside_its_export(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(EXPORTS + EXPORT_SCHEDULE + "---\n" + ONE,
                                     encoding="utf-8")
    result = analyse_project(tmp_path)
    assert result.errors == () and result.project is not None
    export, batch = result.project.of_kind("Schedule")
    assert (export.key, export.type, export.export, export.schedule, export.state,
            export.name) == ("women-nightly", "export", "women-daily", "0 0 3 * * ?",
                             "active", "segctl export women-daily")
    assert (batch.type, batch.export, batch.name) == (
        "batch_segmentation", None, "Batch Segmentation")


def test_an_unknown_export_key_is_an_error_at_its_value(tmp_path: Path) -> None:
    found = _errors(tmp_path, EXPORTS + EXPORT_SCHEDULE.replace("export: women-daily",
                                                                "export: women-dayly"))
    assert found == [(14, 9, "schedule 'women-nightly' refers to unknown export key "
                             "'women-dayly' (did you mean 'women-daily'?)")]


def test_an_export_schedule_names_its_export(tmp_path: Path) -> None:
    found = _errors(tmp_path, EXPORTS + EXPORT_SCHEDULE.replace("export: women-daily\n", ""))
    assert found == [(11, 1, "missing required field 'export'")]
    found = _errors(tmp_path, ONE + "export: women-daily\n")
    assert [(line, col) for line, col, _ in found] == [(5, 1)]
    assert "a batch_segmentation schedule runs none" in found[0][2]


def test_one_schedule_per_export_and_unique_keys(tmp_path: Path) -> None:
    second = EXPORT_SCHEDULE.replace("key: women-nightly", "key: women-again")
    found = _errors(tmp_path, EXPORTS + EXPORT_SCHEDULE + "---\n" + second)
    assert found == [(20, 9, f"a second Schedule of export 'women-daily' ('women-again'; "
                             f"'women-nightly' is at {tmp_path}/s.yaml:11:1); an export has "
                             "one schedule, declare it once")]
    found = _errors(tmp_path, EXPORTS + EXPORT_SCHEDULE + "---\n"
                    + ONE.replace("key: nightly", "key: women-nightly"))
    assert [(line, col) for line, col, _ in found] == [(18, 6)]
    assert found[0][2].startswith("duplicate schedule key 'women-nightly'")


def test_validate_reports_an_unknown_export_with_its_location(
        tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "s.yaml").write_text(
        EXPORTS + EXPORT_SCHEDULE.replace("women-daily", "men-daily"), encoding="utf-8")
    code, out, err = run_cli("validate", str(tmp_path))
    assert code == 1
    assert "s.yaml:14:9: error: schedule 'women-nightly' refers to unknown export key " \
           "'men-daily'" in out + err
