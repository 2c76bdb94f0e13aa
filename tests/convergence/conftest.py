"""The short profiles of the chaos and crash suites (the full ones: ``python -m
tests.convergence chaos|crash``, see CONTRIBUTING.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.convergence.harness import seed_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_template(tmp_path_factory.mktemp("reliability-sample"))
