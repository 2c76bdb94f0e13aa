"""What apply did, one result per action, for the final report."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class ActionResult:
    """One action of the plan after apply.

    ``kind`` is ``segment``, ``dataset``, ``schedule``, ``segment-job`` or ``export``;
    ``action`` is the plan action (``create``, ``update``... or ``run`` for jobs). ``id`` is
    the live id, or the job id(s) of a job (comma-separated for a segment job split by AEP);
    ``seconds`` is how long the action took; ``size`` is the count a finished job reported
    (qualifications of a segment job, profiles written by an export), None when there is none.
    """

    kind: str
    action: str
    key: str
    outcome: Outcome
    name: str = ""
    id: str | None = None
    detail: str = ""
    seconds: float = 0.0
    size: int | None = None


@dataclass(frozen=True)
class ApplyReport:
    """``skipped`` results were not started because an earlier action failed; ``notes`` say
    what was left out on purpose (``--no-jobs``)."""

    results: tuple[ActionResult, ...]
    notes: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def ok(self) -> bool:
        return self.count(Outcome.FAILED) == 0 and self.count(Outcome.SKIPPED) == 0

    def summary(self) -> str:
        verdict = "Apply complete" if self.ok else "Apply failed"
        return (f"{verdict}: {self.count(Outcome.OK)} succeeded, "
                f"{self.count(Outcome.FAILED)} failed, {self.count(Outcome.SKIPPED)} skipped.")
