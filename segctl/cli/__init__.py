"""Command-line entry point.

``main`` is the single catch point: every :class:`~segctl.errors.SegctlError` prints itself
and exits with its own code; anything else is a bug and prints a one-line message (the full
traceback only with ``--debug``). Commands live in focused modules beside this one and are
registered in ``_COMMANDS``; each module stays thin and calls into the core packages.
"""

from __future__ import annotations

import difflib
import gc
import importlib
import logging
import os
import re
import sys
import threading
from typing import Any, NoReturn

import click

from segctl.cli.options import color_decision
from segctl.errors import EXIT_ERROR, SegctlError
from segctl.render.escape import terminal

# command name -> "module:attribute" (imported lazily so `segctl --version` stays fast)
_COMMANDS: dict[str, str] = {
    "validate": "segctl.cli.validate:validate",
    "sandbox": "segctl.cli.sandbox:sandbox",
    "dataset": "segctl.cli.dataset:dataset",
    "fmt": "segctl.cli.fmt:fmt",
    "test": "segctl.cli.test_cmd:test",
    "import": "segctl.cli.import_cmd:import_",
    "pql": "segctl.cli.pql:pql",
    "plan": "segctl.cli.plan:plan",
    "apply": "segctl.cli.apply:apply",
    "init": "segctl.cli.init:init",
    "completion": "segctl.cli.completion:completion",
    "status": "segctl.cli.status:status",
    "show": "segctl.cli.show:show",
    "ci": "segctl.cli.ci:ci",
}


def _root_obj(ctx: click.Context) -> dict[str, Any]:
    root = ctx.find_root()
    root.ensure_object(dict)
    assert isinstance(root.obj, dict)
    return root.obj


COLOR_MODES = ("auto", "always", "never")


def _set_color_mode(ctx: click.Context, mode: str) -> None:
    """Record the --color decision on the root context, and tell click so that its ``echo``
    keeps (always) or strips (never) ANSI codes whatever the stream is."""
    _root_obj(ctx)["color_mode"] = mode
    on_terminal = color_decision(mode, True, os.environ)
    decided = None if on_terminal and not color_decision(mode, False, os.environ) \
        else on_terminal  # None: click decides per stream (a terminal or not)
    for each in (ctx, ctx.find_root()):
        each.color = decided


def _late_no_color(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        _set_color_mode(ctx, "never")


def _late_color(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        _set_color_mode(ctx, value)


def _late_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not _root_obj(ctx).get("debug"):
        _root_obj(ctx)["debug"] = True
        _start_debug_logging()


def _accept_global_flags(command: click.Command) -> None:
    """Let --color, --no-color and --debug also follow the subcommand (`segctl plan
    --no-color`)."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _accept_global_flags(sub)
        return
    if any(p.name == "late_no_color" for p in command.params):
        return
    command.params += [
        click.Option(["--color", "late_color"], type=click.Choice(COLOR_MODES),
                     expose_value=False, callback=_late_color,
                     help="Same as segctl --color."),
        click.Option(["--no-color", "late_no_color"], is_flag=True, expose_value=False,
                     callback=_late_no_color, help="Same as --color never."),
        click.Option(["--debug", "late_debug"], is_flag=True, expose_value=False,
                     callback=_late_debug, help="Same as segctl --debug."),
    ]


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _COMMANDS:
            module_name, attr = _COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            assert isinstance(command, click.Command)
            _accept_global_flags(command)
            return command
        return super().get_command(ctx, cmd_name)

    # click exits 2 on usage errors; 2 is reserved for "changes present", so they exit 1 even
    # when the group is driven directly (CliRunner, standalone mode)
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as err:
            err.exit_code = EXIT_ERROR  # type: ignore[misc]  # this error only
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as err:
            err.exit_code = EXIT_ERROR  # type: ignore[misc]  # this error only
            raise

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            close = difflib.get_close_matches(name, self.list_commands(ctx), n=1)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean {close[0]!r}?")
        return super().resolve_command(ctx, args)


def _print_version(ctx: click.Context, value: bool) -> None:
    """``--version`` as click's version_option prints it, reading the version only then."""
    if not value or ctx.resilient_parsing:
        return
    from segctl import __version__

    click.echo(f"segctl, version {__version__}", color=ctx.color)
    ctx.exit()


CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=lambda ctx, _param, value: _print_version(ctx, value),
              help="Show the version and exit.")
@click.option("--debug", is_flag=True, envvar="SEGCTL_DEBUG",
              help="Log segctl's requests (method, URL, status, duration; secrets masked) and "
                   "show tracebacks.")
@click.option("--color", "color_mode", type=click.Choice(COLOR_MODES), default="auto",
              show_default=True,
              help="auto: colour on a terminal unless NO_COLOR is set (FORCE_COLOR forces it); "
                   "always: also in CI logs and pipes; never: plain text.")
@click.option("--no-color", is_flag=True, help="Same as --color never.")
@click.pass_context
def cli(ctx: click.Context, debug: bool, color_mode: str, no_color: bool) -> None:
    """Manage Adobe Experience Platform segments as code.

    Segments, exports and environments live as YAML in git (default folder: segments/).
    `segctl plan` diffs them against a sandbox and `segctl apply` converges it. With no
    --env and no AEP_PLATFORM_URL, commands target the embedded local sandbox in .segctl/.

    \b
    Typical flow:
      segctl validate            # offline checks: YAML, schema, PQL, references
      segctl plan                # what would change
      segctl apply --auto-approve
      segctl dataset preview "Female customers"

    \b
    Colour and logs:
      segctl --color always plan     # keep colour in a CI log (FORCE_COLOR=1 does the same)
      NO_COLOR=1 segctl plan         # plain text (no-color.org)
      segctl --debug apply           # segctl's request log on stderr, secrets masked
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    _set_color_mode(ctx, "never" if no_color else color_mode)
    if debug:
        _start_debug_logging()


def _start_debug_logging() -> None:
    """segctl's own loggers at DEBUG on stderr (the client's request log, the sandbox's request
    lines); the HTTP stack underneath (httpx, httpcore) stays at WARNING: its connection-level
    trace is noise next to one line per request."""
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger("segctl").setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def _single_dash_option(args: list[str]) -> str | None:
    """``--auto-approve`` for a ``-auto-approve`` among ``args`` (None when there is none)."""
    for token in args:
        if token == "--":
            break
        found = re.fullmatch(r"-([a-z][a-z-]+)(=.*)?", token)
        if found:
            return f"--{found.group(1)}{found.group(2) or ''}"
    return None


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point. ``argv`` None means the process is segctl's own (not a
    caller's that passes its arguments): it then tunes the collector and leaves without the
    interpreter's teardown (:func:`_leave`)."""
    if argv is not None:
        return _run(argv)
    # A command builds many small, long-lived objects (documents, trees, live state) and few
    # cycles, so CPython's default collection thresholds spend a sixth of a large plan in the
    # collector rescanning them; mypy sets the same thresholds for the same reason.
    gc.set_threshold(200_000, 30, 30)
    try:
        code = _run(None)
    except SystemExit as done:
        code = done.code
    _leave(code)


def _leave(code: object) -> NoReturn:
    """Exit with ``code`` without freeing every object first, as mypy's ``hard_exit`` does:
    the command is over, and the interpreter's teardown would only free memory the system
    takes back anyway (about 50 ms after a plan of 4,000 segments). Taken only when nothing can
    be lost: no other thread is running, and the logs and the output are flushed; otherwise
    (or for a code that is not a number) the exit is the usual one."""
    if (code is not None and not isinstance(code, int)) or threading.active_count() > 1:
        raise SystemExit(code)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`segctl plan | head`): Python reports it
        raise SystemExit(code) from None
    os._exit(int(code or 0))


def _run(argv: list[str] | None) -> Any:
    """The command of ``argv`` (None: the process's arguments); errors become their exit
    codes and messages."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:]) or bool(
        os.environ.get("SEGCTL_DEBUG")
    )
    try:
        return cli.main(args=argv, prog_name="segctl", standalone_mode=False)
    except SegctlError as err:
        if debug:
            import traceback

            traceback.print_exc()
        click.echo(terminal(err.format()), err=True)  # messages quote user text
        sys.exit(err.exit_code)
    except click.exceptions.Abort as err:
        if isinstance(err.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.NoSuchOption as err:
        err.show()
        long_form = _single_dash_option(argv if argv is not None else sys.argv[1:])
        if long_form:  # Terraform habit: -auto-approve, -out=FILE
            click.echo(f"hint: options take two dashes here: {long_form}", err=True)
        sys.exit(EXIT_ERROR)
    except click.ClickException as err:
        # click exits 2 on usage errors (unknown option or command, bad choice, out of range);
        # 2 is reserved for "changes present" under --detailed-exitcode, so every usage error
        # is an error like any other: 1
        err.show()
        sys.exit(EXIT_ERROR)
    except click.exceptions.Exit as err:
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as err:  # a bug: keep the user's terminal free of tracebacks by default
        if debug:
            raise
        click.echo(terminal(f"internal error: {type(err).__name__}: {err}\n")
                   + "Run again with --debug for the traceback.", err=True)
        sys.exit(EXIT_ERROR)
