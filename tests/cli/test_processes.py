"""The plan/apply contract through real processes (issues 12 and 18): ``python -m segctl`` run
as a subprocess on a scratch project and its own local sandbox, with the exit code, the output
and, through ``--debug``'s request log on stderr, the requests actually sent asserted.

- two projects on one sandbox: B's segment named like A's is refused naming A, and
  ``plan --prune``/``apply --prune`` in B touch nothing of A's;
- a saved plan edited after ``plan --out`` is refused, nothing is written, and the original
  change is still pending;
- usage errors exit 1, never 2; ``plan --detailed-exitcode`` exits 0 on an empty plan and 2
  with changes;
- an ``evaluation:`` change of an applied segment is planned, applied, and then converged.

Each story shares one sandbox between its steps, and the project is a few segments, so the
module stays at a few seconds per story.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "segments"
SMALL = ("environments.yaml", "gmail-subscribers.yaml", "us-residents.yaml")
# --debug's request log (segctl/aep): "segctl.aep: → PATCH http://local.sandbox/... body=..."
_REQUEST = re.compile(r"^segctl\.aep: → ([A-Z]+) https?://[^/\s]+(\S*)(?: .*?body=(.*))?$")
_DEFINITIONS = "/data/core/ups/segment/definitions"
_AUDIENCES = "/data/core/ups/audiences"  # ttlInDays is changed through the Audiences API


@dataclass(frozen=True)
class Done:
    code: int
    out: str
    err: str

    @property
    def requests(self) -> list[tuple[str, str, str]]:
        """(method, path?query, body) of every request sent, from --debug's log."""
        found = (_REQUEST.match(line) for line in self.err.splitlines())
        return [(m.group(1), m.group(2), m.group(3) or "") for m in found if m]

    @property
    def writes(self) -> list[tuple[str, str, str]]:
        """The requests that change the sandbox (everything but reads and the IMS token)."""
        return [r for r in self.requests
                if r[0] != "GET" and not r[1].startswith("/ims/")]


def _env(sandbox: Path, cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SEGCTL_", "AEP_", "GITHUB_", "RUNNER_"))
           and k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update({"SEGCTL_SANDBOX_DIR": str(sandbox), "SEGCTL_CACHE_DIR": str(cache)})
    return env


class Segctl:
    """``python -m segctl`` in ``cwd`` against the sandbox in ``cwd/.segctl``."""

    def __init__(self, cwd: Path) -> None:
        self.cwd = cwd
        self.env = _env(cwd / ".segctl", cwd / ".cache")

    def __call__(self, *args: str, debug: bool = False) -> Done:
        argv = [sys.executable, "-m", "segctl", *(["--debug"] if debug else []), *args]
        done = subprocess.run(argv, cwd=self.cwd, env=self.env, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)
        return Done(done.returncode, done.stdout, done.stderr)

    def status(self, path: str) -> dict[str, dict[str, dict[str, object]]]:
        """``status PATH --format json``: the live segments and owned datasets by name."""
        done = self("status", path, "--format", "json")
        assert done.code == 0, done.err
        doc = json.loads(done.out)
        return {part: {str(r["name"]): r for r in doc[part]} for part in ("segments",
                                                                          "datasets")}

    def live(self, path: str) -> dict[str, dict[str, object]]:
        """The live segments by name."""
        return self.status(path)["segments"]


def _project(folder: Path, name: str | None, files: tuple[str, ...] = SMALL,
             extra: str = "") -> Path:
    folder.mkdir(parents=True)
    for file in files:
        shutil.copy(EXAMPLE / file, folder / file)
    if name:
        (folder / "project.yaml").write_text(f"kind: Project\nname: {name}\n")
    if extra:
        (folder / "extra.yaml").write_text(extra)
    return folder


# -- (1) two projects on one sandbox -----------------------------------------------------------

A_EXPORT = """\
kind: Export
key: a-daily
segments: [gmail-subscribers]
dataset: A gmail dataset
fields: [personalEmail.address]
run: on-change
"""
B_SEGMENT = """\
kind: Segment
key: b-gmail
name: {name}
pql: personalEmail.address.endsWith("@gmail.com")
evaluation: batch
"""


def test_two_projects_on_one_sandbox(tmp_path: Path) -> None:
    segctl = Segctl(tmp_path)
    _project(tmp_path / "a", "team-a", extra=A_EXPORT)
    applied = segctl("apply", "a", "--auto-approve")
    assert applied.code == 0, applied.err
    before = segctl.status("a")
    assert {r["owner_project"] for r in before["segments"].values()} == {"team-a"}
    assert list(before["datasets"]) == ["A gmail dataset"]
    a_ids = {str(r["id"]) for part in before.values() for r in part.values()}
    assert len(a_ids) == 3

    # B declares a segment under A's segment's name: refused, naming A, nothing written
    b = _project(tmp_path / "b", "team-b", files=("environments.yaml",),
                 extra=B_SEGMENT.format(name="Gmail Subscribers"))
    planned = segctl("plan", "b")
    assert (planned.code, planned.out) == (1, "")
    assert "segment 'b-gmail': the name 'Gmail Subscribers' belongs to live segment" \
        in planned.err
    assert "owned by project 'team-a'" in planned.err
    refused = segctl("apply", "b", "--auto-approve", debug=True)
    assert refused.code == 1 and "owned by project 'team-a'" in refused.err
    assert refused.requests and refused.writes == []  # it read the sandbox, wrote nothing

    # under its own name, B's prune deletes nothing of A's: not planned, not sent
    (b / "extra.yaml").write_text(B_SEGMENT.format(name="B gmail users"))
    pruning = segctl("plan", "b", "--prune", "--detailed-exitcode")
    assert pruning.code == 2, pruning.err
    assert "Plan: 1 to create, 0 to update, 0 to replace, 0 to delete" in pruning.out
    # A's two segments and its export's dataset
    assert "Left alone: 0 unmanaged, 3 owned by other projects." in pruning.out
    doc = json.loads(segctl("plan", "b", "--prune", "--format", "json").out)
    assert doc["summary"]["delete"] == 0 and doc["summary"]["other_projects"] == 3
    assert doc["project"]["name"] == "team-b"
    pruned = segctl("apply", "b", "--prune", "--auto-approve", debug=True)
    assert pruned.code == 0, pruned.err
    assert not [w for w in pruned.writes if w[0] == "DELETE"]
    assert not [w for w in pruned.writes if any(i in w[1] for i in a_ids)]
    created = [w for w in pruned.writes if w[:2] == ("POST", _DEFINITIONS)]
    assert len(created) == 1 and '"name": "B gmail users"' in created[0][2]
    assert "project=team-b;key=b-gmail" in created[0][2]

    # A is untouched and still converged; B's segment is B's
    after = segctl.status("a")
    assert {n: after["segments"][n] for n in before["segments"]} == before["segments"]
    assert after["datasets"] == before["datasets"]
    assert after["segments"]["B gmail users"]["owner"] == "another project"
    assert after["segments"]["B gmail users"]["owner_project"] == "team-b"
    converged = segctl("plan", "a", "--prune", "--detailed-exitcode")
    assert converged.code == 0, converged.out + converged.err
    assert "0 to delete" in converged.out  # and A's prune leaves B's segment alone


# -- (2) a saved plan edited after `plan --out` ------------------------------------------------

def test_an_edited_saved_plan_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    segctl = Segctl(tmp_path)
    project = _project(tmp_path / "segments", "saved-plans")
    assert segctl("apply", "--auto-approve").code == 0
    gmail_id = str(segctl.live("segments")["Gmail Subscribers"]["id"])
    target = project / "gmail-subscribers.yaml"
    target.write_text(target.read_text().replace("ttlInDays: 14", "ttlInDays: 30"))
    saved = segctl("plan", "--out", "p.plan")
    assert saved.code == 0, saved.err
    doc = json.loads((tmp_path / "p.plan").read_text())
    [change] = [c for c in doc["segment_changes"] if c["action"] == "update"]
    change["desired"]["pql"] = 'person.gender = "male"'  # not what the review showed
    (tmp_path / "p.plan").write_text(json.dumps(doc, indent=2))

    refused = segctl("apply", "p.plan", debug=True)
    assert (refused.code, refused.out) == (1, "")
    assert "p.plan: error: the saved plan was edited, truncated or corrupted" in refused.err
    assert refused.writes == []

    pending = segctl("plan", "--detailed-exitcode")
    assert pending.code == 2
    assert "~ ttlInDays: 14 -> 30" in pending.out and "1 to update" in pending.out
    assert "male" not in pending.out
    # the plan as saved, unedited, is applied; then nothing is pending
    assert segctl("plan", "--out", "p.plan").code == 0
    applied = segctl("apply", "p.plan", debug=True)
    assert applied.code == 0, applied.err
    assert [w for w in applied.writes if w[1].startswith((_DEFINITIONS, _AUDIENCES))] == [
        ("PATCH", f"{_AUDIENCES}/{gmail_id}", '[{"op": "add", "path": "/ttlInDays", "value": 30}]')]
    assert segctl("plan", "--detailed-exitcode").code == 0


# -- (3) exit codes a CI job can trust ---------------------------------------------------------

@pytest.fixture(scope="module")
def unapplied(tmp_path_factory: pytest.TempPathFactory) -> Segctl:
    """A project whose sandbox was never created (usage errors must not create it)."""
    root = tmp_path_factory.mktemp("usage")
    _project(root / "segments", "usage")
    return Segctl(root)


@pytest.mark.parametrize(("args", "says"), [
    (["plan", "--format", "markdwon"], "Invalid value for '--format': 'markdwon'"),
    (["plan", "--detailed-exitcode", "--bogus"], "No such option '--bogus'"),
    (["apply", "--concurrency", "0"], "Invalid value for '--concurrency': 0"),
    (["plna"], "No such command 'plna'. Did you mean 'plan'?"),
    (["test", "/nonexistent"], "Path '/nonexistent' does not exist"),
])
def test_usage_errors_exit_1_not_2(unapplied: Segctl, args: list[str], says: str) -> None:
    done = unapplied(*args)
    assert (done.code, done.out) == (1, "")
    assert says in done.err and "Traceback" not in done.err
    assert not (unapplied.cwd / ".segctl").exists()  # refused before anything ran


def test_detailed_exitcode_is_2_with_changes_and_0_on_an_empty_plan(tmp_path: Path) -> None:
    segctl = Segctl(tmp_path)
    _project(tmp_path / "segments", "exit-codes")
    changes = segctl("plan", "--detailed-exitcode")
    assert changes.code == 2 and "Plan: 2 to create" in changes.out
    assert segctl("plan").code == 0  # without the flag, changes are not an exit code
    assert segctl("apply", "--auto-approve").code == 0
    empty = segctl("plan", "--detailed-exitcode")
    assert empty.code == 0 and empty.out.startswith("No changes.")


# -- (4) an evaluation: change converges -------------------------------------------------------

def test_an_evaluation_change_is_planned_applied_and_converges(tmp_path: Path) -> None:
    segctl = Segctl(tmp_path)
    project = _project(tmp_path / "segments", "evaluation")
    assert segctl("apply", "--auto-approve").code == 0
    us_id = str(segctl.live("segments")["US Residents"]["id"])
    target = project / "us-residents.yaml"
    target.write_text(target.read_text().replace("evaluation: batch", "evaluation: streaming"))

    planned = segctl("plan", "--detailed-exitcode")
    assert planned.code == 2, planned.err
    assert '~ evaluation: "batch" -> "streaming"' in planned.out
    assert "Plan: 0 to create, 1 to update" in planned.out
    applied = segctl("apply", "--auto-approve", debug=True)
    assert applied.code == 0, applied.err
    [write] = [w for w in applied.writes if w[1].startswith(_DEFINITIONS)]
    assert write[:2] == ("PATCH", f"{_DEFINITIONS}/{us_id}")
    sent = json.loads(write[2])
    assert sent["evaluationInfo"] == {"batch": {"enabled": False},
                                      "continuous": {"enabled": True},
                                      "synchronous": {"enabled": False}}
    converged = segctl("plan", "--detailed-exitcode")
    assert converged.code == 0, converged.out
    assert segctl.live("segments")["US Residents"]["evaluation"] == "streaming"
