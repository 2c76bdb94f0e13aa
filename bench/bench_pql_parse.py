"""PQL parse throughput over the golden identity corpus, with baselines from the same run.

Usage: python bench/bench_pql_parse.py [--quick]

Corpus: tests/fixtures/pql/identity.pql (every construct of the grammar; ~160 expressions).
Measured, each as expressions per second, median of several runs in this process:

* ``parse``            segctl.pql.parse: tokenizer + recursive-descent parser -> frozen AST
* ``tokenize only``    the master-regex tokenizer alone (the floor under ``parse``)
* ``json.loads``       the standard library's C JSON decoder on the equivalent pql/json text;
                       it builds dicts, not an AST, so it is an upper bound for any reader
* ``from_json``        segctl.pql.from_json on the same JSON text (json.loads + AST build)
* ``canonical``        parse + print (what ``segctl fmt`` / ``pql parse`` do per expression)

The headline ratio is parse / json.loads: how close text parsing in pure Python gets to the C
decoder reading the same trees as JSON. Target: >= 20,000 typical expressions/s for ``parse``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from segctl.pql import from_json, parse, to_json, to_text
from segctl.pql.tokens import tokenize

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "pql" / "identity.pql"


def rate(fn: Callable[[str], object], items: list[str], repeat: int, runs: int) -> float:
    """Median expressions/s of ``fn`` over ``items`` (each run = ``repeat`` passes)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            for item in items:
                fn(item)
        elapsed = time.perf_counter() - start
        samples.append(len(items) * repeat / elapsed)
    return statistics.median(samples)


def loop_ms() -> float:
    """Milliseconds for one million empty loop iterations: the speed of this interpreter and
    machine right now (shared CI machines can be several times slower than a laptop)."""
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(1_000_000):
            pass
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    texts = [line for line in CORPUS.read_text().splitlines() if line]
    jsons = [json.dumps(to_json(parse(t))) for t in texts]
    tokens = sum(len(tokenize(t)) - 3 for t in texts)  # minus the eof padding
    repeat, runs = (5, 3) if quick else (40, 7)
    print(f"corpus: {len(texts)} expressions, {tokens / len(texts):.1f} tokens and "
          f"{sum(map(len, texts)) / len(texts):.0f} characters on average")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
          f"median of {runs} runs x {repeat} passes; empty 1M-iteration loop: "
          f"{loop_ms():.0f} ms\n")
    results = {
        "parse": rate(parse, texts, repeat, runs),
        "tokenize only": rate(tokenize, texts, repeat, runs),
        "json.loads (pql/json)": rate(json.loads, jsons, repeat, runs),
        "from_json (pql/json)": rate(from_json, jsons, repeat, runs),
        "canonical (parse+print)": rate(lambda t: to_text(parse(t)), texts, repeat, runs),
    }
    width = max(map(len, results))
    for name, value in results.items():
        print(f"{name:<{width}}  {value:>10,.0f} expr/s")
    ratio = results["parse"] / results["json.loads (pql/json)"]
    share = results["parse"] / results["tokenize only"]
    print(f"\nparse / json.loads = {ratio:.2f}x   parse / tokenize = {share:.2f}x   "
          f"target 20,000 expr/s: {'met' if results['parse'] >= 20_000 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
