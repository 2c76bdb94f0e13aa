"""The package's public names load on first use: importing ``segctl.pql`` (as the YAML reader
and the engine do) builds no syntax-tree classes until something parses or evaluates."""

from __future__ import annotations

import subprocess
import sys

import pytest

import segctl.pql as pql


def _modules_after(code: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\n"
                          "print('\\n'.join(m for m in sys.modules if m.startswith('segctl.')))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_importing_the_package_or_its_limits_loads_no_tree() -> None:
    loaded = _modules_after("import segctl.pql\nfrom segctl.pql.limits import MAX_DEPTH")
    assert "segctl.pql.ast" not in loaded and "segctl.pql.parser" not in loaded
    assert "segctl.pql.ast" in _modules_after("import segctl.pql\nsegctl.pql.parse('a = 1')")
    # the package's own function, first thing in a fresh process
    assert "segctl.pql.printer" in _modules_after(
        "import segctl.pql\nassert segctl.pql.canonical('A  =  1') == 'A = 1'")


def test_every_public_name_resolves_to_its_module() -> None:
    from segctl.pql.parser import parse
    from segctl.pql.printer import to_text

    for name in pql.__all__:
        assert getattr(pql, name) is not None
    assert pql.parse is parse and pql.to_text is to_text
    assert pql.canonical("A  =  1") == "A = 1"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pql.nope  # noqa: B018
