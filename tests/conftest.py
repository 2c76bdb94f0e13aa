"""Settings every test shares."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _load_cache_in_a_temporary_folder(tmp_path_factory: pytest.TempPathFactory
                                      ) -> Iterator[None]:
    """The project load cache (segctl/project/cache.py) goes to a folder of this test session,
    not the user's ~/.cache; set in os.environ so that child processes use it too."""
    before = os.environ.get("SEGCTL_CACHE_DIR")
    os.environ["SEGCTL_CACHE_DIR"] = str(tmp_path_factory.mktemp("load-cache"))
    yield
    if before is None:
        os.environ.pop("SEGCTL_CACHE_DIR", None)
    else:
        os.environ["SEGCTL_CACHE_DIR"] = before
