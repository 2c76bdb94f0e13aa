"""One ``segctl ci`` run: its options, the GitHub session (real or dry-run), and the pieces
plan, apply and drift share (keys, headers, the plan file, step outputs)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segctl.aep import KNOWN_SECRETS
from segctl.ci.comment import Header
from segctl.ci.context import CiContext
from segctl.ci.github import DryRun, GitHub
from segctl.ci.outputs import command, write_outputs
from segctl.ci.saved import artifact_name
from segctl.engine import ESTIMATE_TIMEOUT, Action, Plan, save_plan
from segctl.project import Project

Echo = Callable[[str], None]


@dataclass(frozen=True)
class CiOptions:
    path: Path = Path("segments")
    env: str | None = None
    comment: str = "always"  # always | on-change | never
    comment_key: str = ""
    labels: bool = True
    approval: str = "reviewed"  # reviewed | saved | auto
    prune: bool = False
    fail_on: str = "error"  # error | changes
    out_dir: Path = Path(".segctl-ci")
    estimate: bool = False  # plan: ask AEP's estimate for each new or changed segment
    estimate_timeout: float = ESTIMATE_TIMEOUT
    apply_workflow: str = ""  # drift: the apply workflow's file, for "edited outside segctl"


@dataclass
class Session:
    """One ``segctl ci`` run: the context, the GitHub client (real or dry-run), and what it
    reports on stdout (workflow commands) and in the outputs."""

    ctx: CiContext
    gh: GitHub
    echo: Echo
    dry_run: DryRun | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    masked: set[str] = field(default_factory=set)

    def mask_secrets(self) -> None:
        """``::add-mask::`` every AEP secret and bearer token the client holds so far, so the
        runner hides them from the rest of the job's log (segctl itself never prints one).
        The GitHub token is left out: the runner masks its own token already."""
        if not self.ctx.in_actions or self.dry_run is not None:
            return
        self.masked.add(self.ctx.token.reveal())
        for value in sorted(set(KNOWN_SECRETS.values()) - self.masked):
            if len(value) >= 8:
                self.echo(f"::add-mask::{value}")
            self.masked.add(value)

    def warn(self, message: str) -> None:
        self.echo(command("warning", message) if self.ctx.in_actions else f"warning: {message}")

    def notice(self, message: str) -> None:
        self.echo(command("notice", message) if self.ctx.in_actions else message)


def open_session(ctx: CiContext, *, dry_run: bool, echo: Echo,
                 transport: Any = None) -> Session:
    """A real client inside Actions; outside, or with ``dry_run``, one that sends nothing."""
    if dry_run or not ctx.in_actions:
        recorder = DryRun()
        gh = GitHub(ctx.api_url, ctx.repository or "OWNER/REPO", None,
                    transport=recorder.transport())
        return Session(ctx, gh, echo, recorder)
    return Session(ctx, GitHub(ctx.api_url, ctx.repository, ctx.token, transport=transport),
                   echo)


def env_name(opts: CiOptions, project: Project) -> str:
    return project.environment.name if project.environment else (opts.env or "local")


def comment_key(opts: CiOptions, env: str, command_name: str = "plan") -> str:
    base = opts.comment_key or f"{env}:{opts.path.as_posix()}"
    return f"{command_name}:{base}"


def header_for(s: Session, opts: CiOptions, env: str, command_name: str, artifact: str) -> Header:
    return Header(command=command_name, env=env, path=opts.path.as_posix(),
                  head_sha=s.ctx.head_sha, base_sha=s.ctx.base_sha, run_url=s.ctx.run_url,
                  run_number=s.ctx.run_number, artifact=artifact)


def save_plan_file(plan: Plan, opts: CiOptions, env: str, sha: str) -> tuple[Path, str]:
    opts.out_dir.mkdir(parents=True, exist_ok=True)
    path = (opts.out_dir / f"plan-{env}.json").resolve()
    save_plan(plan, path)
    return path, artifact_name(env, sha)


def verdict_outputs(plan: Plan, exit_code: int, digest: str) -> dict[str, str]:
    destroys = any(c.action in (Action.DELETE, Action.REPLACE) for c in plan.actionable) or \
        plan.datasets_to_delete > 0
    # has-changes is the exit code (2: has_work for plan/apply, has_changes for drift)
    return {"exitcode": str(exit_code), "has-changes": str(exit_code == 2).lower(),
            "has-destroy": str(destroys).lower(), "summary": plan.summary(), "digest": digest}


def finish(s: Session, body: str) -> None:
    """Outside Actions (or with --dry-run): print the body and the calls that were not made."""
    if s.dry_run is None:
        return
    s.echo(body.rstrip("\n"))
    s.echo("")
    s.echo("GitHub API calls this run would make:" if s.dry_run.calls
           else "GitHub API calls this run would make: none")
    for call in s.dry_run.calls:
        s.echo(f"  {call}")


def write_step_outputs(s: Session, opts: CiOptions) -> None:
    write_outputs(s.ctx.output, s.outputs)


