"""Usage errors that help: a misspelt command gets a suggestion, a Terraform-style single-dash
option gets its two-dash form. Usage errors exit 1 (2 is only "changes present")."""

from __future__ import annotations

import pytest

from .conftest import Run


@pytest.mark.parametrize(("args", "message"), [
    (("aply",), "Error: No such command 'aply'. Did you mean 'apply'?"),
    (("valdiate",), "Error: No such command 'valdiate'. Did you mean 'validate'?"),
    (("apply", "-auto-approve"),
     "Error: No such option '-a'.\nhint: options take two dashes here: --auto-approve"),
    (("plan", "-out=prod.plan"),
     "Error: No such option '-o'.\nhint: options take two dashes here: --out=prod.plan"),
])
def test_usage_hint(run: Run, args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args)
    assert (code, out) == (1, "")
    assert message in err


def test_unknown_command_without_a_close_match(run: Run) -> None:
    code, _, err = run("zzz")
    assert code == 1
    assert "Error: No such command 'zzz'.\n" in err and "Did you mean" not in err
