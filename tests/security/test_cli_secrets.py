"""End to end: the real ``segctl`` executable against the local sandbox served over HTTP on
127.0.0.1, with a client id and secret the sandbox checks. Every byte the commands print, every
file they write and the sandbox's own data directory are searched for the secret and for each
access token the sandbox issued."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.security.conftest import (
    CLIENT_ID,
    SECRET,
    Cli,
    assert_clean,
    assert_tree_clean,
    clean_env,
)


def test_no_secret_or_token_anywhere(served, project: Path, data_dir: Path) -> None:
    app, server = served
    assert server.host == "127.0.0.1"
    cli = Cli(project, clean_env(
        AEP_PLATFORM_URL=server.url, AEP_IMS_URL=server.ims_url, AEP_CLIENT_ID=CLIENT_ID,
        AEP_CLIENT_SECRET=SECRET, SEGCTL_SANDBOX_DIR=str(project / "unused")))
    plan_file = project / "reviewed.plan"

    assert cli("--debug", "validate", "segments").returncode == 0
    planned = cli("--debug", "plan", "segments", "--out", str(plan_file), "--format", "json")
    assert planned.returncode == 0, planned.stderr.decode()
    assert json.loads(planned.stdout)["summary"]["create"] == 13  # 11 segments, 2 datasets
    # the IMS form was logged, with the secret masked: the debug log really was exercised
    assert b"client_secret=***" in planned.stderr
    assert b"'authorization': 'Bearer ***'" in planned.stderr

    applied = cli("--debug", "apply", str(plan_file))
    assert applied.returncode == 0, applied.stderr.decode()[-2000:]

    # read-only commands, side by side; refused credentials print the traceback with --debug
    runs = {
        "import": (("--debug", "import", "--project", "fresh", "--out",
                    str(project / "imported")), None),
        "preview": (("--debug", "dataset", "preview", "Female customers", "--limit", "3"),
                    None),
        "wrong-secret": (("--debug", "plan", "segments"), {"AEP_CLIENT_SECRET": SECRET[::-1]}),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(cli, *args, extra_env=env)
                   for name, (args, env) in runs.items()}
        done = {name: future.result() for name, future in futures.items()}
    assert done["import"].returncode == 0, done["import"].stderr.decode()[-2000:]
    written = sorted((project / "imported").rglob("*.yaml"))
    assert len(written) >= 11 and b"kind: Segment" in written[0].read_bytes()
    assert done["preview"].returncode == 0 and b"person.gender" in done["preview"].stdout
    assert done["wrong-secret"].returncode == 1 and b"invalid_client" in done["wrong-secret"].stderr
    assert b"Traceback" in done["wrong-secret"].stderr

    assert len(app.issued) == 4  # plan, apply, import, preview
    for i, blob in enumerate(cli.transcript):
        assert_clean(blob, app.issued, f"output #{i}")
    assert assert_tree_clean(project, app.issued) >= 12  # plan file, imported YAML, sources
    assert assert_tree_clean(data_dir, app.issued) >= 3  # SQLite (tokens only as digests)
    assert not (project / "unused").exists()  # the served sandbox, not the embedded one
