"""`evaluation:` converges through evaluationInfo against the local sandbox (AEP-API §13):
batch -> streaming, edge -> batch are planned, applied, and then plan is empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from segctl.aep import AepClient, AepConfig
from segctl.sandbox import LocalSandbox

from .conftest import Run


def _evaluation_info(workdir: Path, name: str) -> dict[str, object]:
    sandbox = LocalSandbox(workdir / ".segctl")
    try:
        with AepClient(AepConfig.local(), transport=sandbox.transport()) as aep:
            found = aep.find_segment_definition_by_name(name)
            assert found is not None
            return dict(found["evaluationInfo"])
    finally:
        sandbox.close()


@pytest.mark.parametrize(("file", "name", "old", "new", "flag"), [
    ("canada-residents.yaml", "Canada Residents", "edge", "batch", "batch"),
    ("canada-residents.yaml", "Canada Residents", "edge", "streaming", "continuous"),
    ("us-residents.yaml", "US Residents", "batch", "streaming", "continuous"),
    ("us-residents.yaml", "US Residents", "batch", "edge", "synchronous"),
])
def test_an_evaluation_change_converges(workdir: Path, run: Run, file: str, name: str,
                                        old: str, new: str, flag: str) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    path = workdir / "segments" / file
    text = path.read_text()
    assert f"evaluation: {old}" in text
    path.write_text(text.replace(f"evaluation: {old}", f"evaluation: {new}"))
    code, out, _ = run("plan", "--detailed-exitcode")
    assert code == 2
    assert f'~ evaluation: "{old}" -> "{new}"' in out
    assert "1 to update" in out
    code, _, err = run("apply", "--auto-approve")
    assert code == 0, err
    info = _evaluation_info(workdir, name)
    assert {k for k, v in info.items() if isinstance(v, dict) and v.get("enabled")} == {flag}
    assert run("plan", "--detailed-exitcode")[0] == 0
