"""``segctl sandbox create`` / ``list`` against a served sandbox, and a plan for a sandbox that
does not exist yet (issue 17)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from segctl.cli import main
from segctl.sandbox import SandboxServer


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = int(main(list(args)) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.fixture
def served_env(server: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project whose Environment `qa` targets sandbox qa of the served sandbox."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    for name in ("AEP_SANDBOX", "SEGCTL_FAULTS", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET",
                 "AEP_ORG_ID", "AEP_IMS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AEP_PLATFORM_URL", server.url)
    project = tmp_path / "segments"
    project.mkdir()
    (project / "env.yaml").write_text("kind: Environment\nname: qa\nsandbox: qa\n")
    (project / "seg.yaml").write_text(
        'kind: Segment\nkey: women\nname: Women\npql: person.gender = "female"\n')
    return project


def test_a_sandbox_is_created_then_planned_against(
        served_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, output = run(capsys, "plan", str(served_env), "--env", "qa")
    assert code == 1 and "403" in output  # AEP refuses a sandbox that does not exist
    assert "internal error" not in output

    code, output = run(capsys, "sandbox", "create", "qa", "--title", "QA",
                       "--project", str(served_env), "--env", "qa")
    assert code == 0, output
    assert "Created development sandbox 'qa'" in output

    code, output = run(capsys, "sandbox", "list", "--project", str(served_env), "--env", "qa")
    assert code == 0 and output.splitlines() == ["prod  production  active  (default)",
                                                 "qa  development  active"]
    code, output = run(capsys, "plan", str(served_env), "--env", "qa")
    assert code == 0, output
    assert "1 to create" in output

    code, output = run(capsys, "sandbox", "create", "qa", "--project", str(served_env))
    assert code == 1 and "already exists" in output
