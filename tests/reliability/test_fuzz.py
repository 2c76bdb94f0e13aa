"""Hostile YAML and PQL never crash segctl, and every refusal is located (issue 17).

The committed corpus (``corpus/yaml``, ``corpus/pql``) holds every input that crashed segctl
or gave an error without line and column; each is a regression test here and through the
real CLI. The hypothesis profiles mutate real files and expressions: a short run in the
normal suite, ``SEGCTL_FUZZ_EXAMPLES=10000`` (or ``python -m tests.reliability``) for the
full one.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.reliability.oracle import Outcome, run_pql, run_yaml
from tests.reliability.strategies import mutated_pql, mutated_yaml

CORPUS = Path(__file__).resolve().parent / "corpus"
YAML_CORPUS = sorted((CORPUS / "yaml").glob("*.yaml"))
PQL_CORPUS = sorted((CORPUS / "pql").glob("*.pql"))
EXAMPLES = int(os.environ.get("SEGCTL_FUZZ_EXAMPLES", "60"))
#: outcomes of the hypothesis runs, read by ``python -m tests.reliability`` for its figures
RECORD: dict[str, list[tuple[Outcome, object]]] = {"yaml": [], "pql": []}

fuzz_settings = settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.large_base_example],
)


def check(outcome: Outcome, what: object) -> None:
    assert outcome.acceptable, f"{outcome.kind} for {what!r}:\n{outcome.detail}"


@fuzz_settings
@given(mutated_yaml())
def test_mutated_yaml_is_accepted_or_refused_with_a_location(data: bytes) -> None:
    outcome = run_yaml(data)
    RECORD["yaml"].append((outcome, data[:120]))
    check(outcome, data[:300])


@fuzz_settings
@given(mutated_pql())
def test_mutated_pql_is_accepted_or_refused_with_a_location(text: str) -> None:
    outcome = run_pql(text)
    RECORD["pql"].append((outcome, text[:120]))
    check(outcome, text[:300])


@pytest.mark.parametrize("path", YAML_CORPUS, ids=lambda p: p.stem)
def test_yaml_corpus_is_refused_with_a_location(path: Path) -> None:
    outcome = run_yaml(path.read_bytes(), path.name)
    assert outcome.kind == "located", outcome.detail
    assert re.match(rf".*{re.escape(path.name)}:\d+:\d+: error: ", outcome.detail), outcome.detail


@pytest.mark.parametrize("path", PQL_CORPUS, ids=lambda p: p.stem)
def test_pql_corpus_is_refused_with_a_location(path: Path) -> None:
    outcome = run_pql(path.read_text(encoding="utf-8"))
    assert outcome.kind == "located", outcome.detail
    assert re.match(r"rule\.pql:\d+:\d+: error: ", outcome.detail), outcome.detail
