"""Every crasher of the corpus, through the real CLI: exit 1, ``file:line:col``, no request.

``validate``, ``plan``, ``apply``, ``fmt --check`` and ``test`` read a project made of the
crasher file alone; ``pql parse`` and ``pql convert`` read each PQL crasher. The local
sandbox's request handler is watched: a refused input must not reach it.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from segctl.cli import main
from segctl.sandbox import LocalSandbox

CORPUS = Path(__file__).resolve().parent / "corpus"
COMMANDS = (("validate",), ("plan",), ("apply", "--auto-approve"), ("fmt", "--check"),
            ("test",))
ESCAPE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    monkeypatch.setenv("SEGCTL_SANDBOX_DIR", str(tmp_path / ".segctl"))
    for name in ("AEP_PLATFORM_URL", "AEP_IMS_URL", "AEP_SANDBOX", "SEGCTL_FAULTS",
                 "SEGCTL_DEBUG", "AEP_CLIENT_ID", "AEP_CLIENT_SECRET", "AEP_ORG_ID"):
        monkeypatch.delenv(name, raising=False)
    seen: list[str] = []
    handle = LocalSandbox.handle

    def watched(self: LocalSandbox, request):  # type: ignore[no-untyped-def]
        seen.append(f"{request.method} {request.url.path}")
        return handle(self, request)

    monkeypatch.setattr(LocalSandbox, "handle", watched)
    return seen


def segctl(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    try:
        code = int(main(list(args)) or 0)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out + err


@pytest.mark.parametrize("path", sorted((CORPUS / "yaml").glob("*.yaml")), ids=lambda p: p.stem)
def test_every_command_refuses_a_crasher_with_its_location(
        path: Path, requests: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    project = Path("segments")
    project.mkdir()
    shutil.copy(path, project / path.name)
    for command in COMMANDS:
        code, output = segctl(capsys, *command, str(project))
        assert "internal error" not in output and "Traceback" not in output
        if command[0] == "fmt" and "error" not in output:
            continue  # fmt checks YAML and PQL syntax; a rule AEP refuses may still be tidy
        assert code == 1, (command, output)
        assert re.search(rf"{re.escape(path.name)}:\d+:\d+: error: ", output), (command, output)
        assert not ESCAPE.search(output), (command, output)  # nothing raw reaches the terminal
    assert requests == []


@pytest.mark.parametrize("path", sorted((CORPUS / "pql").glob("*.pql")), ids=lambda p: p.stem)
def test_pql_commands_refuse_a_crasher_with_its_location(
        path: Path, requests: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = path.read_text(encoding="utf-8")
    for command in (("pql", "parse"), ("pql", "convert", "--to", "json")):
        code, output = segctl(capsys, *command, "--", text)
        assert "internal error" not in output and "Traceback" not in output
        if code == 0:
            continue  # `pql parse` checks syntax only: `$2` or `@{x}` are refused by validate
        assert code == 1, (command, output)
        assert re.search(r"<expr>:\d+:\d+: error: ", output), (command, output)
        assert not ESCAPE.search(output), (command, output)
    assert requests == []
