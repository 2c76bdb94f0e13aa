"""What a GitHub Actions run tells a step: the ``GITHUB_*`` environment and the event payload.

:func:`read_context` is the only reader of that environment; everything downstream takes the
frozen :class:`CiContext`. Outside Actions (no ``GITHUB_ACTIONS=true``) the context is local and
``segctl ci`` only prints what it would do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segctl.aep import Secret
from segctl.errors import ConfigError

BOT_LOGIN = "github-actions[bot]"


@dataclass(frozen=True)
class CiContext:
    in_actions: bool = False
    repository: str = ""
    api_url: str = "https://api.github.com"
    server_url: str = "https://github.com"
    token: Secret = field(default_factory=lambda: Secret(""))
    bot_login: str = BOT_LOGIN
    event_name: str = ""
    event: Mapping[str, Any] = field(default_factory=dict)
    sha: str = ""
    ref: str = ""
    run_id: str = ""
    run_number: str = ""
    workflow_file: str = ""  # e.g. segctl-apply.yml, from GITHUB_WORKFLOW_REF
    step_summary: Path | None = None
    output: Path | None = None

    @property
    def run_url(self) -> str:
        if not (self.repository and self.run_id):
            return ""
        return f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"

    @property
    def pull_request(self) -> Mapping[str, Any]:
        pr = self.event.get("pull_request")
        return pr if isinstance(pr, Mapping) else {}

    @property
    def pr_number(self) -> int | None:
        number = self.pull_request.get("number")
        return int(number) if isinstance(number, int) else None

    @property
    def head_sha(self) -> str:
        """The commit the plan is for: a PR's head (GITHUB_SHA is its merge commit)."""
        head = self.pull_request.get("head")
        if isinstance(head, Mapping) and head.get("sha"):
            return str(head["sha"])
        return self.sha

    @property
    def base_sha(self) -> str:
        base = self.pull_request.get("base")
        if isinstance(base, Mapping) and base.get("sha"):
            return str(base["sha"])
        before = self.event.get("before")
        return str(before) if isinstance(before, str) else ""

    @property
    def fork(self) -> bool:
        """A pull request from another repository: its token cannot write."""
        head, base = self.pull_request.get("head"), self.pull_request.get("base")
        if not (isinstance(head, Mapping) and isinstance(base, Mapping)):
            return False
        return _repo_name(head) != _repo_name(base)

    @property
    def branch(self) -> str:
        return self.ref.removeprefix("refs/heads/")

    def dispatch_input(self, name: str) -> str:
        inputs = self.event.get("inputs")
        value = inputs.get(name) if isinstance(inputs, Mapping) else None
        return str(value).strip() if value else ""


def _repo_name(side: Mapping[str, Any]) -> str:
    repo = side.get("repo")
    return str(repo.get("full_name", "")) if isinstance(repo, Mapping) else ""


def read_context(environ: Mapping[str, str]) -> CiContext:
    """The context of this step, from ``environ`` (usually ``os.environ``)."""
    in_actions = environ.get("GITHUB_ACTIONS") == "true"
    event: Mapping[str, Any] = {}
    event_path = environ.get("GITHUB_EVENT_PATH")
    if event_path:
        try:
            loaded = json.loads(Path(event_path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise ConfigError(f"cannot read the event payload {event_path}: {err}") from None
        event = loaded if isinstance(loaded, dict) else {}
    token = environ.get("SEGCTL_GITHUB_TOKEN") or environ.get("GITHUB_TOKEN") or ""
    workflow_ref = environ.get("GITHUB_WORKFLOW_REF", "")
    workflow_file = workflow_ref.split("@", 1)[0].rsplit("/", 1)[-1] if workflow_ref else ""
    return CiContext(
        in_actions=in_actions,
        repository=environ.get("GITHUB_REPOSITORY", ""),
        api_url=environ.get("GITHUB_API_URL", "https://api.github.com"),
        server_url=environ.get("GITHUB_SERVER_URL", "https://github.com"),
        token=Secret(token),
        bot_login=environ.get("SEGCTL_BOT_LOGIN") or BOT_LOGIN,
        event_name=environ.get("GITHUB_EVENT_NAME", ""),
        event=event,
        sha=environ.get("GITHUB_SHA", ""),
        ref=environ.get("GITHUB_REF", ""),
        run_id=environ.get("GITHUB_RUN_ID", ""),
        run_number=environ.get("GITHUB_RUN_NUMBER", ""),
        workflow_file=workflow_file,
        step_summary=_path(environ.get("GITHUB_STEP_SUMMARY")),
        output=_path(environ.get("GITHUB_OUTPUT")),
    )


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
