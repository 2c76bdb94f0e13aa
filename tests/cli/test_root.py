import subprocess
import sys

from click.testing import CliRunner

from segctl import __version__
from segctl.cli import cli


def test_version_flag() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_python_dash_m() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "segctl", "--help"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert "Manage Adobe Experience Platform segments as code" in proc.stdout


def test_python_dash_m_keeps_exit_code() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "segctl", "no-such-command"], capture_output=True, text=True
    )
    assert proc.returncode == 1  # usage errors exit 1; 2 only means "changes present"


def test_cli_runner_sees_usage_errors_as_1() -> None:
    assert CliRunner().invoke(cli, ["plan", "--format", "markdwon"]).exit_code == 1
    assert CliRunner().invoke(cli, ["frobnicate"]).exit_code == 1
