"""``segctl import`` through the CLI, against the embedded local sandbox in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.cli import main
from segctl.sandbox import LocalSandbox
from tests.adopt.conftest import create, raw_client


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
    female = create(raw, "All Female Customers", 'person.gender = "female"')
    create(raw, "Female Gmail", f'inSegment("{female}") and '
                                'personalEmail.address.endsWith("@gmail.com", false)')
    create(raw, "Canada", 'homeAddress.countryCode = "CA"')
    raw.close()
    app.close()
    return tmp_path


def test_import_writes_valid_files_and_never_overwrites(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["import", "--match", "Female*"], capsys)
    assert code == 0, err
    assert out.splitlines() == [
        # not matched, but Female Gmail refers to it, so it comes along
        "wrote segments/all-female-customers.yaml  [All Female Customers] (needed by female-gmail)",
        "wrote segments/female-gmail.yaml  [Female Gmail]",
        # a new project: its name (nobody owned the segments) and the Environment it was
        # read from come along
        "wrote segments/project.yaml  [project 'segments']",
        "wrote segments/environments.yaml  [environment 'local']",
    ]
    assert "imported 2 segment(s) and 0 export(s) into segments" in err
    assert "`segctl plan segments` adopts 2 segment(s) by name" in err
    text = (workdir / "segments" / "female-gmail.yaml").read_text()
    assert text.endswith('pql: |\n  inSegment("key:all-female-customers")\n'
                         '  and personalEmail.address.endsWith("@gmail.com", false)\n')

    code, out, err = run(["validate"], capsys)
    assert code == 0, err

    # a second import refuses to overwrite, and names the files
    code, _, err = run(["import", "--out", "segments", "--project", "elsewhere"], capsys)
    assert code == 1
    assert "import would overwrite 4 existing file(s)" in err
    assert "segments/all-female-customers.yaml" in err
    assert not (workdir / "segments" / "canada.yaml").exists()

    # with the project in place, only what it lacks is imported
    code, out, err = run(["import"], capsys)
    assert code == 0, err
    assert out.splitlines() == ["wrote segments/canada.yaml  [Canada]"]
    assert "skipped 2 segment(s) the project declares already" in err


def test_dry_run_prints_yaml_and_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["import", "--dry-run", "--match", "Canada"], capsys)
    assert code == 0
    assert "# --- segments/canada.yaml" in out
    assert 'pql: homeAddress.countryCode = "CA"' in out
    assert not (workdir / "segments").exists()


def test_unknown_env_is_an_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["import", "--env", "nope"], capsys)
    assert code == 1
    assert "--env nope" in err
