"""The three workflows ``segctl ci init`` writes (plan on PR, apply on merge, nightly drift).

Third-party actions are pinned to full commit SHAs (zizmor's ``unpinned-uses``), checkout
never persists its credentials, and nothing from the event is interpolated into a shell: the
action passes its inputs through ``env:``. For a real sandbox the jobs read the OAuth
credentials from two GitHub Environments, ``<env>-plan`` (a read-only product profile) and
``<env>`` (write, protected to the default branch); the local sandbox needs neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from segctl import __version__

CHECKOUT = "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1  # v7.0.1"
SETUP_PYTHON = "actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97  # v7.0.0"
DEFAULT_USES = f"segctl/segctl@v{__version__}"


@dataclass(frozen=True)
class InitOptions:
    env: str
    path: str = "segments"
    uses: str = DEFAULT_USES
    branch: str = "main"
    local: bool = False  # the local sandbox: no GitHub Environments, no AEP credentials


def file_names(env: str) -> dict[str, str]:
    return {kind: f"segctl-{kind}-{env}.yml" for kind in ("plan", "apply", "drift")}


def _steps(opts: InitOptions, command: str) -> str:
    credentials = "" if opts.local else """
        env:
          AEP_CLIENT_ID: ${{ secrets.AEP_CLIENT_ID }}
          AEP_CLIENT_SECRET: ${{ secrets.AEP_CLIENT_SECRET }}
          AEP_ORG_ID: ${{ vars.AEP_ORG_ID }}"""
    return f"""    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - uses: {SETUP_PYTHON}
        with:
          python-version: "3.11"
      - id: segctl
        uses: {opts.uses}
        with:
          command: {command}
          env: {opts.env}
          path: {opts.path}
          github-token: ${{{{ github.token }}}}{credentials}
"""


def _environment(opts: InitOptions, name: str) -> str:
    return "" if opts.local else f"    environment: {name}\n"


def plan_workflow(opts: InitOptions) -> str:
    return f"""# Written by `segctl ci init --env {opts.env}`: plan every pull request that touches
# {opts.path}/ and keep one sticky comment with the plan on it. A merge queue plans the exact
# merge result, without a comment.
name: segctl plan ({opts.env})
on:
  pull_request:
    paths: ["{opts.path}/**"]
  merge_group: {{}}
concurrency:
  group: segctl-plan-{opts.env}-${{{{ github.event.pull_request.number || github.ref }}}}
  cancel-in-progress: true
permissions:
  contents: read
  pull-requests: write
  issues: write
jobs:
  plan:
    runs-on: ubuntu-latest
{_environment(opts, f"{opts.env}-plan")}{_steps(opts, "plan")}"""


def apply_workflow(opts: InitOptions) -> str:
    return f"""# Written by `segctl ci init --env {opts.env}`: apply on every push to {opts.branch},
# only when every change was reviewed in a pull request's plan comment. To apply a plan that
# was not reviewed, run this workflow by hand with the digest the refusal printed.
name: segctl apply ({opts.env})
on:
  push:
    branches: [{opts.branch}]
    paths: ["{opts.path}/**"]
  workflow_dispatch:
    inputs:
      approve-digest:
        description: "Apply this plan digest (sha256:...) although no pull request reviewed it"
        required: false
        type: string
concurrency:
  group: segctl-apply-{opts.env}
  cancel-in-progress: false
  queue: max
permissions:
  contents: read
  pull-requests: write
  issues: write
  actions: read
jobs:
  apply:
    runs-on: ubuntu-latest
{_environment(opts, opts.env)}{_steps(opts, "apply")}"""


def drift_workflow(opts: InitOptions) -> str:
    return f"""# Written by `segctl ci init --env {opts.env}`: every night, compare the sandbox with
# {opts.branch}'s files and keep one issue (label segctl-drift) open while they differ.
# (GitHub stops schedules in public repositories after 60 days without activity.)
name: segctl drift ({opts.env})
on:
  schedule:
    - cron: "17 4 * * *"
  workflow_dispatch: {{}}
concurrency:
  group: segctl-drift-{opts.env}
  cancel-in-progress: true
permissions:
  contents: read
  issues: write
  actions: read
jobs:
  drift:
    runs-on: ubuntu-latest
{_environment(opts, f"{opts.env}-plan")}{_steps(opts, "drift")}"""


def render_workflows(opts: InitOptions) -> dict[str, str]:
    """File name -> content of the three workflows."""
    names = file_names(opts.env)
    return {names["plan"]: plan_workflow(opts), names["apply"]: apply_workflow(opts),
            names["drift"]: drift_workflow(opts)}


def write_workflows(root: Path, opts: InitOptions, *, force: bool = False) -> list[Path]:
    """Write the workflows under ``root/.github/workflows``; refuses to overwrite a changed
    file unless ``force``. Returns the paths written."""
    from segctl.errors import UsageError

    folder = root / ".github" / "workflows"
    files = render_workflows(opts)
    clashes = [folder / name for name, text in files.items()
               if (folder / name).exists() and (folder / name).read_text() != text]
    if clashes and not force:
        raise UsageError(f"{clashes[0]} exists and differs from what init would write",
                         hint="pass --force to overwrite it")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
        written.append(folder / name)
    return written
