"""``segctl sandbox serve|seed|reset|advance|create|list``: run the local AEP emulator on
loopback, manage its sample data, move its clock, and create and list sandboxes through the
Sandbox API."""

from __future__ import annotations

import re
import shutil
import signal
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from segctl.aep import SANDBOX_TYPES
from segctl.aep.ration import ENV_VAR as RATION_ENV
from segctl.cli.options import env_option, selected_environment
from segctl.errors import UsageError
from segctl.render.escape import terminal_line
from segctl.sandbox import FaultConfig, LocalSandbox, default_data_dir, parse_faults
from segctl.sandbox.core.store import DB_NAME
from segctl.sandbox.faults import ENV_VAR as FAULTS_ENV
from segctl.sandbox.profilestore import profiles as sample_profiles
from segctl.target import open_client

_DATA_HELP = "Data directory (default: $SEGCTL_SANDBOX_DIR or ./.segctl)."
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


#: a wildcard bind address -> the loopback address a client on this machine connects to
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1", "[::]": "::1"}


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def client_url(host: str, port: int) -> str:
    """The URL a client uses for a server bound to ``host``: a wildcard address (0.0.0.0,
    ::) is not a destination, so it becomes this machine's loopback, which segctl accepts
    over plain HTTP."""
    return f"http://{_bracketed(_WILDCARDS.get(host, host))}:{port}"


def _data_dir(data: Path | None) -> Path:
    return data if data is not None else default_data_dir()


@click.group("sandbox")
def sandbox() -> None:
    """The local sandbox: an emulator of the AEP REST API with sample profiles.

    \b
    Examples:
      segctl sandbox serve --port 8080
      segctl sandbox seed --profiles 5000
      segctl sandbox reset --yes
    """


@sandbox.command("serve")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), help=_DATA_HELP)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind (loopback unless you say otherwise).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="TCP port (0 = any free port).")
@click.option("--client-id", default=None,
              help="Only issue tokens for this client id (default: any).")
@click.option("--client-secret", default=None, envvar="SEGCTL_SANDBOX_CLIENT_SECRET",
              help="Secret that goes with --client-id (or $SEGCTL_SANDBOX_CLIENT_SECRET).")
@click.option("--org-id", default=None, metavar="ORG",
              help="Only accept calls for this IMS org, as real credentials belong to one org "
                   "(default: any org).")
@click.option("--faults", "fault_spec", default=None, envvar=FAULTS_ENV,
              help="Fault injection, e.g. rate429=0.2,rate5xx=0.1,drop=0.05,latency_ms=50,"
                   "job_fail=1.0,seed=7 (or $SEGCTL_FAULTS).")
@click.option("--rate429", type=float, default=None, help="Share of requests answered 429.")
@click.option("--rate5xx", type=float, default=None, help="Share of requests answered 503.")
@click.option("--drop", type=float, default=None, help="Share of connections dropped.")
@click.option("--latency-ms", type=int, default=None, help="Delay added to every request.")
@click.option("--job-fail", type=float, default=None, help="Share of jobs that end FAILED.")
@click.option("--fault-seed", type=int, default=None, help="Seed of the fault generator.")
def serve(data: Path | None, host: str, port: int, client_id: str | None,
          client_secret: str | None, org_id: str | None, fault_spec: str | None,
          rate429: float | None, rate5xx: float | None, drop: float | None,
          latency_ms: int | None, job_fail: float | None, fault_seed: int | None) -> None:
    """Serve the local sandbox over HTTP until Ctrl-C (or SIGTERM).

    Prints the URL to use and the two variables that point segctl at it.

    Like AEP, it rations on-demand segment jobs (20 segments each, 2 a day, 50 a year for the
    production sandbox `prod`, 100 for others); SEGCTL_ONDEMAND_RATION=off lifts the ration
    for tests that need many jobs, e.g. day=10,year=500 sets it.

    \b
    Examples:
      segctl sandbox serve --port 8080
      segctl sandbox serve --faults rate429=0.2,latency_ms=50,seed=7   # misbehave on purpose
      segctl sandbox serve --host 0.0.0.0   # reachable from containers; prints 127.0.0.1
      SEGCTL_ONDEMAND_RATION=off segctl sandbox serve --faults rate429=0.2,seed=7
    """
    if (client_id is None) != (client_secret is None):
        raise UsageError("--client-id and --client-secret go together")
    faults = parse_faults(fault_spec) if fault_spec else FaultConfig()
    overrides: dict[str, Any] = {"rate429": rate429, "rate5xx": rate5xx, "drop": drop,
                 "latency_ms": latency_ms, "job_fail": job_fail, "seed": fault_seed}
    faults = replace(faults, **{k: v for k, v in overrides.items() if v is not None})
    credentials = (client_id, client_secret) if client_id and client_secret else None
    directory = _data_dir(data)
    if host not in _LOOPBACK:
        click.echo(f"warning: binding {host}: the sandbox is reachable from other machines",
                   err=True)
    app = LocalSandbox(directory, faults if faults.active else None, credentials=credentials,
                       org_id=org_id)
    try:
        server = app.serve(host, port)
    except OSError as err:
        app.close()
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    url = client_url(host, server.port)
    bound = "" if host in _LOOPBACK else f"bound to {host}; "
    click.echo(f"Local AEP sandbox listening on {url} ({bound}data: {directory})")
    if host not in _LOOPBACK and url == f"http://{_bracketed(host)}:{server.port}":
        click.echo("note: segctl sends credentials over plain HTTP only to a loopback address; "
                   "on this machine use http://127.0.0.1:" f"{server.port}", err=True)
    if faults.active:
        click.echo(f"Fault injection: {faults.to_spec()}")
    if not app.ration.enforced:
        click.echo(f"On-demand evaluation ration: off ({RATION_ENV})")
    if app.clock_offset_ms():
        click.echo(f"Sandbox time: {app.now().strftime('%Y-%m-%dT%H:%M:%SZ')} "
                   f"(+{_offset_text(app.clock_offset_ms())}, moved by `segctl sandbox advance`)")
    click.echo("Point segctl (or any AEP client) at it:")
    click.echo(f"  export AEP_PLATFORM_URL={url}")
    click.echo(f"  export AEP_IMS_URL={url}/ims/token/v3")
    if org_id:
        click.echo(f"  export AEP_ORG_ID={org_id}")
    click.echo("Press Ctrl-C to stop.")
    _stop_on_sigterm()
    try:
        server.wait()
    except KeyboardInterrupt:
        click.echo("Stopping.", err=True)
    finally:
        server.close()
        app.close()


def _stop_on_sigterm() -> None:
    """SIGTERM (service managers, ``kill``) stops the server like Ctrl-C does."""
    if threading.current_thread() is not threading.main_thread():
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


@sandbox.command("seed")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), help=_DATA_HELP)
@click.option("--profiles", "count", default=sample_profiles.DEFAULT_PROFILES, show_default=True,
              type=click.IntRange(1, 10_000_000), help="Number of sample profiles.")
@click.option("--seed", "seed_value", default=sample_profiles.DEFAULT_SEED, show_default=True,
              type=int, help="Random seed (same seed, same data).")
def seed(data: Path | None, count: int, seed_value: int) -> None:
    """(Re)generate the sample profiles and events.

    \b
    Examples:
      segctl sandbox seed                       # the default 2,000 profiles
      segctl sandbox seed --profiles 50000 --seed 7
    """
    directory = _data_dir(data)
    profiles_path, events_path = sample_profiles.seed(directory, count, seed_value,
                                                      datetime.now(UTC))
    events = sum(1 for line in events_path.open(encoding="utf-8") if line.strip())
    click.echo(f"Wrote {count} profiles to {profiles_path}")
    click.echo(f"Wrote {events} events to {events_path}")


_STATE_ENTRIES = (DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", "datasets",
                  sample_profiles.PROFILES_DIR)


@sandbox.command("reset")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), help=_DATA_HELP)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(data: Path | None, yes: bool) -> None:
    """Delete the sandbox state (definitions, jobs, datasets, sample data).

    \b
    Examples:
      segctl sandbox reset           # asks first
      segctl sandbox reset --yes     # scripts and CI
    """
    directory = _data_dir(data)
    present = [directory / name for name in _STATE_ENTRIES if (directory / name).exists()]
    if not present:
        click.echo(f"Nothing to reset in {directory}.")
        return
    if not yes:
        _confirm_reset(directory)
    for path in present:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    sample_profiles.forget(directory)
    click.echo(f"Reset the local sandbox in {directory}.")


# ---- w17a (issue 17): sandboxes are created before they are used ------------------------------
_PROJECT_HELP = "Project whose Environment documents --env names."


@sandbox.command("create")
@click.argument("name")
@click.option("--title", default=None, help="Display name (default: NAME).")
@click.option("--type", "sandbox_type", type=click.Choice(SANDBOX_TYPES), default="development",
              show_default=True, help="Sandbox type.")
@env_option("Environment (from the project at --project) whose AEP to create it in.")
@click.option("--project", "project_path", default="segments", show_default=True,
              type=click.Path(file_okay=True, dir_okay=True), help=_PROJECT_HELP)
def create(name: str, title: str | None, sandbox_type: str, env: str | None,
           project_path: str) -> None:
    """Create sandbox NAME through the Sandbox API, in the AEP the environment targets.

    A served local sandbox (`segctl sandbox serve`) refuses requests for a sandbox it does
    not have, as AEP does; `prod` always exists. Real AEP needs Sandbox Administration
    permission and takes a while to provision the sandbox.

    \b
    Examples:
      segctl sandbox create dev
      segctl sandbox create qa --title "QA" --env served
    """
    environment = selected_environment(project_path, env)
    with open_client(environment) as client:
        if client.get_sandbox(name) is not None:
            raise UsageError(f"sandbox {name!r} already exists")
        made = client.create_sandbox(name, title or name, sandbox_type)
    click.echo(f"Created {sandbox_type} sandbox {name!r} (state: {made.get('state', '?')}).")


@sandbox.command("list")
@env_option("Environment (from the project at --project) whose AEP to list.")
@click.option("--project", "project_path", default="segments", show_default=True,
              type=click.Path(file_okay=True, dir_okay=True), help=_PROJECT_HELP)
def list_command(env: str | None, project_path: str) -> None:
    """List the sandboxes of the org: name, type, state, and which is the default.

    \b
    Example:
      segctl sandbox list --env served
    """
    with open_client(selected_environment(project_path, env)) as client:
        found = client.list_sandboxes()
    for item in found:
        default = "  (default)" if item.get("isDefault") else ""
        click.echo(terminal_line(f"{item.get('name')}  {item.get('type')}  {item.get('state')}"
                                 f"{default}"))


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _confirm_reset(directory: Path) -> None:
    """Ask before deleting; refuse up front when nobody can answer (like ``segctl apply``)."""
    if not _stdin_is_terminal():
        raise UsageError("stdin is not a terminal, so reset cannot ask for confirmation",
                         hint="pass --yes to delete the local sandbox state without asking")
    try:
        answer = click.confirm(f"Delete all local sandbox state in {directory}?", err=True)
    except click.Abort:  # Ctrl-C or end of input at the prompt
        click.echo("", err=True)
        answer = False
    if not answer:
        raise UsageError("reset cancelled: nothing was deleted")


_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """``1d``, ``12h``, ``1d12h``, ``90m``, ``2w``, ``30s``: a positive duration."""
    compact = text.replace(" ", "").lower()
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise UsageError(f"cannot read the duration {text!r}",
                         hint="use a number and a unit: 1d, 12h, 1d12h, 90m, 2w, 30s")
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    if delta <= timedelta(0):
        raise UsageError("the duration must be more than zero")
    return delta


@sandbox.command("advance")
@click.argument("duration")
@click.option("--data", type=click.Path(path_type=Path, file_okay=False), help=_DATA_HELP)
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait until the scheduled jobs it started have finished.")
def advance(duration: str, data: Path | None, wait: bool) -> None:
    """Move the local sandbox's clock forward by DURATION, as if that time had passed.

    Schedules whose time comes meanwhile run, as they would overnight on AEP (every sandbox
    has the "Batch Segmentation" schedule, daily at 01:00 UTC), so audiences relative to
    now ("bought in the last 30 days") refresh, and export schedules write a new batch.
    Every process on the same data directory (a running `segctl sandbox serve` too) sees
    the new time. The clock never goes back;
    `segctl sandbox reset` starts it over.

    \b
    Example:
      segctl sandbox advance 1d
      segctl sandbox advance 1d12h --no-wait
    """
    delta = parse_duration(duration)
    app = LocalSandbox(_data_dir(data))
    try:
        started = app.advance(delta)
        click.echo(f"Sandbox time is now {app.now().strftime('%Y-%m-%dT%H:%M:%SZ')} "
                   f"(+{_offset_text(app.clock_offset_ms())} ahead of the wall clock).")
        for scope, job in started:
            noun = "export job" if "destination" in job else "segment job"
            click.echo(f"Started scheduled {noun} {job['id']} in sandbox {scope.sandbox} "
                       f"(schedule {job['properties']['scheduleId']}).")
        if started and wait:
            app.wait_idle()
            click.echo(f"{len(started)} scheduled job(s) finished.")
    finally:
        app.close()


def _offset_text(ms: int) -> str:
    seconds = ms // 1000
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "".join(f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m"),
                                          (seconds, "s")) if n)
    return text or "0s"
