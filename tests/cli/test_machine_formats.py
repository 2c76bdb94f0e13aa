"""Machine-readable output: apply/validate/test --format json and test --format junit, through
the real entry point (documented in segctl/render/REPORT_FORMATS.md)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from .conftest import Run


def test_apply_json_report(workdir: Path, run: Run) -> None:
    code, out, err = run("apply", "--auto-approve", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)  # stdout is the report alone; the plan went to stderr
    assert "Plan: 13 to create" in err
    assert doc["format_version"] == 1 and doc["ok"] is True
    assert doc["target"]["environment"] == "local" and doc["target"]["platform_url"] is None
    assert doc["summary"]["succeeded"] == len(doc["actions"]) == 16
    assert doc["seconds"] >= max(a["seconds"] for a in doc["actions"]) > 0
    by_kind = {(a["kind"], a["key"]): a for a in doc["actions"]}
    segment = next(a for a in doc["actions"] if a["kind"] == "segment")
    assert segment["outcome"] == "ok" and segment["id"] and segment["job_ids"] == []
    job = by_kind[("segment-job", "job 1/1")]
    assert job["id"] is None and len(job["job_ids"]) == 1 and job["size"] > 0
    assert f"{job['size']} qualifications" in job["detail"]
    export = by_kind[("export", "female-customers-daily")]
    assert export["job_ids"] and isinstance(export["size"], int) and export["size"] > 0
    assert str(export["size"]) in export["detail"]
    # converged: nothing to do, still one document
    code, out, _ = run("apply", "--auto-approve", "--format", "json")
    assert code == 0 and json.loads(out)["actions"] == [] and json.loads(out)["ok"] is True


def test_apply_json_with_nothing_to_do(workdir: Path, run: Run) -> None:
    (workdir / "segments" / "exports.yaml").unlink()
    assert run("apply", "--auto-approve")[0] == 0
    code, out, err = run("apply", "--auto-approve", "--format", "json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["actions"] == [] and doc["ok"] is True and "No changes." in err


def test_apply_text_prints_each_action_once_with_durations(workdir: Path, run: Run) -> None:
    code, out, err = run("apply", "--auto-approve")
    assert code == 0, err
    assert err.count("ok: export run female-customers-daily") == 1
    assert "female-customers-daily" not in out.split("Plan:")[1]  # not repeated in the end
    lines = [line for line in err.splitlines() if line.startswith("ok: ")]
    assert len(lines) == 16 and all(line.endswith("s]") for line in lines)
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("Apply complete: 16 succeeded, 0 failed, 0 skipped. Total time: ")


def test_validate_json(workdir: Path, run: Run) -> None:
    code, out, _ = run("validate", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["format_version"] == 1
    assert doc["counts"]["Segment"] == 11 and doc["environment"] == "local"
    (workdir / "segments" / "bad.yaml").write_text("kind: Segment\nkey: x\nname: X\npql: a = \n")
    code, out, err = run("validate", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and "1 problem(s) found" in err
    assert doc["diagnostics"] == [{"severity": "error", "file": "segments/bad.yaml", "line": 4,
                                   "col": 9, "message": doc["diagnostics"][0]["message"]}]
    assert "invalid PQL" in doc["diagnostics"][0]["message"]


def _break_a_test(workdir: Path) -> None:
    path = workdir / "segments" / "tests" / "profile-attributes.yaml"
    text = path.read_text()
    path.write_text(text.replace("female-customers:\n    members: [ana, chloe]",
                                 "female-customers:\n    members: [ana, ben]", 1))
    assert path.read_text() != text


def test_test_json(workdir: Path, run: Run) -> None:
    code, out, _ = run("test", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["ok"] and doc["summary"] == {"passed": 11, "failed": 0, "total": 11}
    _break_a_test(workdir)
    code, out, _ = run("test", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["failed"] == 1
    failed = next(c for c in doc["cases"] if not c["passed"])
    assert failed["segment"] == "female-customers"
    assert failed["missing"] == ["ben"] and failed["unexpected"] == ["chloe"]


def test_test_junit(workdir: Path, run: Run) -> None:
    _break_a_test(workdir)
    code, out, _ = run("test", "--format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("tests") == "11" and root.get("failures") == "1"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"profile attributes", "shopper behaviour"}
    cases = suites["profile attributes"].findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    assert [c.get("name") for c in failed] == ["female-customers"]
    failure = failed[0].find("failure")
    assert failure is not None
    assert failure.get("message") == "missing: ben; unexpected: chloe"
    assert "expected members" in (failure.text or "")
    assert failed[0].get("classname") == "profile attributes"
    assert failed[0].get("file", "").endswith("profile-attributes.yaml")


def test_apply_json_report_of_a_failed_job(workdir: Path, run: Run,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEGCTL_FAULTS", "job_fail=1,seed=3")
    code, out, err = run("apply", "--auto-approve", "--format", "json")
    assert code == 1 and "apply did not complete" in err
    doc = json.loads(out)  # the report is still printed, and says what failed
    assert doc["ok"] is False and doc["summary"]["failed"] >= 1
    job = next(a for a in doc["actions"] if a["kind"] == "segment-job")
    assert job["outcome"] == "failed" and job["size"] is None and "FAILED" in job["detail"]
    skipped = [a for a in doc["actions"] if a["outcome"] == "skipped"]
    assert skipped and all(a["kind"] == "export" for a in skipped)
