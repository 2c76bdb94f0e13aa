"""Reliability suites of issue 17: fuzzing (hostile YAML and PQL) and markdown escaping.

The normal test run takes a short profile (a few seconds). The full profile, whose figures
go into RELIABILITY.md, is one command: ``python -m tests.reliability`` (see ``__main__``).
"""
