"""segctl.aep is one public surface (httpx style): private modules behind ``__init__``, whose
docstring names exactly what ``__all__`` exports, and no other package reaches past it."""

from __future__ import annotations

import re
from pathlib import Path

import segctl.aep as aep

PACKAGE = Path(aep.__file__).resolve().parent
SEGCTL = PACKAGE.parent
PUBLIC_MODULES = {"__init__", "documents", "ration"}


def test_the_docstring_names_exactly_what_all_exports() -> None:
    doc = aep.__doc__ or ""
    named = set(re.findall(r"``(\w+)``", doc)) | set(re.findall(r":\w+:`~?(\w+)`", doc))
    assert {n for n in named if not n.startswith("_")} == set(aep.__all__)
    for name in aep.__all__:
        assert getattr(aep, name) is not None


def test_every_module_but_the_public_ones_is_private() -> None:
    modules = {p.stem for p in PACKAGE.glob("*.py")}
    assert modules >= PUBLIC_MODULES
    assert [m for m in sorted(modules - PUBLIC_MODULES) if not m.startswith("_")] == []


def test_other_packages_import_only_the_public_surface() -> None:
    reach = re.compile(r"(?:from|import)\s+segctl\.aep\.(\w+)")
    offenders = []
    for path in sorted(SEGCTL.rglob("*.py")):
        if PACKAGE in path.parents:
            continue
        for module in reach.findall(path.read_text(encoding="utf-8")):
            if module not in PUBLIC_MODULES:
                offenders.append(f"{path.relative_to(SEGCTL)}: segctl.aep.{module}")
    assert offenders == []
