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
    assert proc.returncode == 2
