"""`segctl import --out DIR` writes a whole new project: segments, Exports (from the export
jobs, with their datasets) and the Environment; and says what `segctl plan` really shows."""

from __future__ import annotations

from pathlib import Path

import yaml

from .conftest import Run


def test_import_into_a_new_root_round_trips(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    code, out, err = run("import", "--out", "adopted")
    assert code == 0, err
    assert "wrote adopted/exports.yaml  [2 export(s)]" in out
    assert "wrote adopted/environments.yaml  [environment 'local']" in out
    # the segments are the example project's (their markers say so): the files keep its name
    assert "wrote adopted/project.yaml  [project 'example-segments']" in out
    project = yaml.safe_load((workdir / "adopted" / "project.yaml").read_text())
    assert project == {"kind": "Project", "name": "example-segments"}
    exports = {d["key"]: d for d in yaml.safe_load_all((workdir / "adopted" /
                                                        "exports.yaml").read_text())}
    assert exports["retargeting"]["dataset"] == "${vars.datasetPrefix}Retargeting audiences"
    assert exports["retargeting"]["segments"] == ["browse-to-cart-24h", "cart-abandoners-7d"]
    assert exports["female-customers-daily"]["dataset"] == "Female customers"
    assert exports["female-customers-daily"]["fields"] == [
        "identityMap.ECID.id", "personalEmail.address", "person.gender"]
    env = yaml.safe_load((workdir / "adopted" / "environments.yaml").read_text())
    assert env == {"kind": "Environment", "name": "local", "sandbox": "prod",
                   "vars": {"datasetPrefix": "local-"}}
    # the claim is the plan's own verdict, and it is true
    assert "`segctl plan adopted` shows no changes: the files match the sandbox." in err
    code, out, _ = run("plan", "adopted", "--detailed-exitcode")
    assert code == 0 and out.startswith("No changes.")
    assert len(list((workdir / "adopted").glob("*.yaml"))) == 14  # 11 segments + 3


def test_import_into_the_project_adds_no_environment(workdir: Path, run: Run) -> None:
    assert run("apply", "--auto-approve")[0] == 0
    code, _, err = run("import", "--out", "segments/more")
    assert code == 0 and "nothing to import" in err  # everything is declared already
    assert not (workdir / "segments" / "more").exists()
