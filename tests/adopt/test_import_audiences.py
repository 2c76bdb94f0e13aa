"""``segctl import`` adopts through the Audiences API: labels, TTL and lifecycle come from the
audience, audiences of other origins are never imported, and a plan right after is empty."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from segctl.cli import main
from segctl.sandbox import LocalSandbox

from .conftest import UPS, raw_client


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = int(main(["--no-color", *args]) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_SANDBOX", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    app = LocalSandbox(tmp_path / ".segctl", sample_profiles=20)
    raw = raw_client(app)
    made = raw.post(f"{UPS}/audiences", json={
        "name": "Retired VIPs", "type": "SegmentDefinition", "ttlInDays": 45,
        "expression": {"type": "PQL", "format": "pql/text", "value": 'person.gender = "male"'},
        "schema": {"name": "_xdm.context.profile"}, "labels": ["C2", "C1"],
        "lifecycleState": "inactive"})
    assert made.status_code == 201, made.text
    draft = raw.post(f"{UPS}/audiences", json={
        "name": "Draft idea", "type": "SegmentDefinition", "lifecycleState": "draft",
        "expression": {"type": "PQL", "format": "pql/text", "value": "a = 1"},
        "schema": {"name": "_xdm.context.profile"}})
    assert draft.status_code == 201, draft.text
    raw.close()
    app.close()
    return tmp_path


def test_import_writes_audience_fields_and_plans_empty(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["import", "--match", "Retired*"], capsys)
    assert code == 0, err
    text = (workdir / "segments" / "retired-vips.yaml").read_text()
    assert "ttlInDays: 45\n" in text
    assert "labels:\n  - C1\n  - C2\n" in text
    assert text.endswith("lifecycle: inactive\n")
    assert "Loyalty gold" not in out  # audiences of other origins are never imported
    code, out, err = run(["plan", "segments"], capsys)
    assert code == 0, out + err
    assert out.startswith("No changes.")  # apply would only stamp the ownership marker
    assert "Audiences of other origins, not managed by segctl:" in out
    code, out, err = run(["plan", "segments", "--format", "json"], capsys)
    assert [c["changes"] for c in json.loads(out)["segment_changes"]] == [[]]


def test_a_draft_is_imported_as_published_with_a_warning(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["import", "--match", "Draft*"], capsys)
    assert code == 0, err
    assert "'Draft idea': its audience is draft; declared as published" in err
    assert "lifecycle" not in (workdir / "segments" / "draft-idea.yaml").read_text()
    code, out, _ = run(["plan", "segments", "--format", "json"], capsys)
    change = json.loads(out)["segment_changes"][0]
    assert [c["field"] for c in change["changes"]] == ["lifecycle"]
    assert (change["changes"][0]["before"], change["changes"][0]["after"]) == (
        "draft", "published")
