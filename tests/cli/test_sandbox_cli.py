"""`segctl sandbox serve|seed|reset` and `segctl dataset preview`."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from segctl.aep import AepClient, AepConfig
from segctl.cli import cli, main
from segctl.sandbox import LocalSandbox
from tests.sandbox.conftest import fixed_now, gateway_headers, issue_token, wait_job


def test_seed_and_reset(tmp_path: Path) -> None:
    runner = CliRunner()
    data = tmp_path / "state"
    result = runner.invoke(cli, ["sandbox", "seed", "--data", str(data), "--profiles", "25",
                                 "--seed", "3"])
    assert result.exit_code == 0, result.output
    lines = (data / "profiles" / "profiles.ndjson").read_text().splitlines()
    assert len(lines) == 25
    again = runner.invoke(cli, ["sandbox", "seed", "--data", str(data), "--profiles", "25",
                                "--seed", "3"])
    assert again.exit_code == 0
    assert (data / "profiles" / "profiles.ndjson").read_text().splitlines() == lines

    refused = runner.invoke(cli, ["sandbox", "reset", "--data", str(data)], input="n\n")
    assert refused.exit_code == 1 and (data / "profiles").exists()
    done = runner.invoke(cli, ["sandbox", "reset", "--data", str(data), "--yes"])
    assert done.exit_code == 0 and not (data / "profiles").exists()


def test_reset_without_a_terminal_asks_for_yes(tmp_path: Path) -> None:
    """QA: `segctl sandbox reset </dev/null` printed the prompt, then 'Aborted.' on its line."""
    data = tmp_path / "state"
    data.mkdir()
    (data / "sandbox.db").write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "segctl", "sandbox", "reset", "--data",
                             str(data)], stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: stdin is not a terminal, so reset cannot ask for confirmation",
        "hint: pass --yes to delete the local sandbox state without asking"]
    assert (data / "sandbox.db").exists()


@pytest.mark.parametrize(("answer", "deleted"), [("n\n", False), ("", False), ("y\n", True)])
def test_reset_at_a_terminal_asks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], answer: str,
                                  deleted: bool) -> None:
    monkeypatch.setattr("segctl.cli.sandbox._stdin_is_terminal", lambda: True)
    monkeypatch.setattr("sys.stdin", io.StringIO(answer))
    data = tmp_path / "state"
    data.mkdir()
    (data / "sandbox.db").write_bytes(b"")
    code = 0
    try:
        main(["sandbox", "reset", "--data", str(data)])
    except SystemExit as exited:
        code = int(exited.code or 0)
    out, err = capsys.readouterr()
    assert "Delete all local sandbox state in" in err
    assert (data / "sandbox.db").exists() is not deleted
    if deleted:
        assert code == 0 and "Reset the local sandbox" in out
    else:
        assert code == 1
        assert "error: reset cancelled: nothing was deleted" in err


@pytest.mark.parametrize("sub", ["", "x"])
def test_unusable_sandbox_dir_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str],
                                                sub: str) -> None:
    """QA: SEGCTL_SANDBOX_DIR=/etc/passwd segctl plan -> 'internal error: FileExistsError'."""
    a_file = tmp_path / "passwd"
    a_file.write_text("not a directory\n")
    target = a_file / sub if sub else a_file
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(target))
    for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL", "SEGCTL_FAULTS"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SystemExit) as exited:
        main(["plan", str(Path(__file__).resolve().parents[2] / "segments")])
    _, err = capsys.readouterr()
    assert exited.value.code == 1
    reason = "it is a file, not a directory" if not sub else "Not a directory"
    assert err.splitlines() == [
        f"error: cannot use {target} as the local sandbox data directory: {reason}",
        "hint: set SEGCTL_SANDBOX_DIR to a writable directory (default ./.segctl)"]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_url_and_env_and_answers(tmp_path: Path, stop: signal.Signals) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "segctl", "sandbox", "serve", "--port", "0", "--data",
         str(tmp_path / "served")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "SEGCTL_FAULTS": ""})
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(4)]
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+)", lines[0])
        assert url, lines
        assert f"export AEP_PLATFORM_URL={url.group(1)}" in "".join(lines)
        assert f"export AEP_IMS_URL={url.group(1)}/ims/token/v3" in "".join(lines)
        with httpx.Client(base_url=url.group(1), timeout=10) as client:
            headers = gateway_headers(issue_token(client))
            assert client.get("/data/foundation/catalog/dataSets", headers=headers).json() == {}
    finally:
        proc.send_signal(stop)
        proc.wait(timeout=20)
    assert proc.returncode == 0


def test_serve_rejects_bad_faults() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--faults", "rate429=2"])
    assert result.exit_code != 0


@pytest.fixture
def exported(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a segment job and an export through the real client, in-process."""
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(data_dir))
    for var in ("AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET",
                "AEP_ORG_ID", "AEP_SANDBOX"):
        monkeypatch.delenv(var, raising=False)
    app = LocalSandbox(data_dir, now=fixed_now)
    config = AepConfig.from_env()
    with AepClient(config, transport=app.transport()) as client:
        seg = client.create_segment_definition({
            "name": "Women", "schema": {"name": "_xdm.context.profile"},
            "expression": {"type": "PQL", "format": "pql/text",
                           "value": 'person.gender = "female"'}})
        job = client.create_segment_jobs([seg["id"]])[0]
        raw = httpx.Client(transport=app.transport(), base_url="http://x")
        raw.headers.update(gateway_headers(issue_token(raw, config.client_id),
                                           client_id=config.client_id))
        raw.headers["x-gw-ims-org-id"] = config.org_id
        wait_job(raw, f"/data/core/ups/segment/jobs/{job['id']}")
        did = client.create_dataset({"name": "Women export"})
        export = client.create_export_job({
            "fields": "_id,person.gender", "filter": {"segments": [{"segmentId": seg["id"]}]},
            "destination": {"datasetId": did}, "schema": {"name": "_xdm.context.profile"}})
        done = wait_job(raw, f"/data/core/ups/export/jobs/{export['id']}")
        assert done["status"] == "SUCCEEDED"
        raw.close()
    app.close()
    return "Women export"


def test_dataset_preview_table_and_json(exported: str) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["dataset", "preview", exported, "--limit", "3"])
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["_id", "person.gender"]
    assert len(lines) == 2 + 3 and all(line.endswith("female") for line in lines[2:])
    as_json = runner.invoke(cli, ["dataset", "preview", exported, "--format", "json",
                                  "--limit", "5"])
    rows = json.loads(as_json.stdout)
    assert len(rows) == 5 and all(r["person"] == {"gender": "female"} for r in rows)


@pytest.mark.parametrize(("asked", "hint"), [
    ("no such dataset", "hint: `segctl plan` lists the datasets your exports create"),
    # QA: a wrong case said only "no dataset named"
    ("women export", "hint: did you mean 'Women export'? (dataset names are case-sensitive)"),
    ("Women exprot", "hint: did you mean 'Women export'?"),
])
def test_dataset_preview_unknown_name(exported: str, capsys: pytest.CaptureFixture[str],
                                      asked: str, hint: str) -> None:
    assert exported == "Women export"
    with pytest.raises(SystemExit) as exit_info:
        main(["dataset", "preview", asked])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.splitlines() == [f"error: no dataset named {asked!r}", hint]


def test_dataset_preview_reads_the_selected_environment(exported: str, tmp_path: Path) -> None:
    project = tmp_path / "proj"
    project.mkdir()
    (project / "envs.yaml").write_text(
        "kind: Environment\nname: local\nsandbox: prod\n---\n"
        "kind: Environment\nname: dev\nsandbox: dev\n"
    )
    runner = CliRunner()
    base = ["dataset", "preview", exported, "--project", str(project), "--format", "json"]
    same = runner.invoke(cli, [*base, "--env", "local"])
    assert same.exit_code == 0, same.output
    assert len(json.loads(same.stdout)) == 20
    other = runner.invoke(cli, [*base, "--env", "dev"])  # another sandbox: nothing exported there
    assert other.exit_code == 1
    assert "no dataset named 'Women export'" in str(other.exception)
    unknown = runner.invoke(cli, [*base, "--env", "nope"])
    assert unknown.exit_code == 1
    assert "unknown environment 'nope'" in unknown.exception.format()


def test_dataset_preview_beyond_the_first_100_reads_the_parquet_files(exported: str) -> None:
    """More than Data Access's preview serves: the batch's Parquet files are downloaded and
    decoded (the old reader decoded them as UTF-8 and failed on real Parquet)."""
    runner = CliRunner()
    result = runner.invoke(cli, ["dataset", "preview", exported, "--format", "json",
                                 "--limit", "1000"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) > 100 and all(r["person"] == {"gender": "female"} for r in rows)
    first = json.loads(runner.invoke(cli, ["dataset", "preview", exported, "--format", "json",
                                           "--limit", "100"]).stdout)
    assert first == rows[:100]  # the endpoint's first 100 rows are the files' first 100


def test_sandbox_advance_moves_the_clock_and_runs_the_nightly_schedule(
        data_dir: Path) -> None:
    app = LocalSandbox(data_dir)
    with httpx.Client(base_url="http://x", transport=app.transport()) as raw:
        raw.headers.update(gateway_headers(issue_token(raw)))
        assert raw.get("/data/core/ups/config/schedules").status_code == 200  # first use
    before = app.now()
    app.close()
    runner = CliRunner()
    result = runner.invoke(cli, ["sandbox", "advance", "1d2h", "--data", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "(+1d2h ahead of the wall clock)" in result.output
    assert "Started scheduled segment job" in result.output
    assert "1 scheduled job(s) finished." in result.output
    again = LocalSandbox(data_dir)
    try:
        assert again.now() - before >= timedelta(days=1, hours=2)
        [(_, job)] = again.store.all_scopes("segjob")
        assert job["source"] == "scheduler" and job["status"] == "SUCCEEDED"
    finally:
        again.close()
    for bad in ("0d", "1x", "-1d", "d"):
        refused = runner.invoke(cli, ["sandbox", "advance", bad, "--data", str(data_dir)])
        assert refused.exit_code != 0
