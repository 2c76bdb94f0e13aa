"""`sandbox serve --host 0.0.0.0` prints a URL the CLI accepts (the loopback address, not the
wildcard it is bound to), and `segctl plan` works against it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from segctl.cli.sandbox import client_url


def test_client_url_for_wildcards() -> None:
    assert client_url("0.0.0.0", 80) == "http://127.0.0.1:80"
    assert client_url("::", 80) == "http://[::1]:80"
    assert client_url("127.0.0.1", 80) == "http://127.0.0.1:80"
    assert client_url("::1", 80) == "http://[::1]:80"


def test_wildcard_bind_prints_a_usable_url(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AEP_", "SEGCTL_"))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "segctl", "sandbox", "serve", "--host", "0.0.0.0", "--port", "0",
         "--data", str(tmp_path / "served")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+) \(bound to 0\.0\.0\.0;", first)
        assert found, first
        url = found.group(1)
        project = Path(__file__).resolve().parents[2] / "segments"
        planned = subprocess.run(
            [sys.executable, "-m", "segctl", "plan", str(project)], capture_output=True,
            text=True, cwd=tmp_path,
            env={**env, "AEP_PLATFORM_URL": url, "AEP_IMS_URL": f"{url}/ims/token/v3"})
        assert planned.returncode == 0, planned.stderr
        assert "Plan: 13 to create" in planned.stdout
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)
