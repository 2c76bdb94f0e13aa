"""Previews' state and behaviour: the worker evaluates the PQL over the sample profiles and
fills in the members and counts that the preview and the estimate answer (AEP-API §10)."""

from __future__ import annotations

import functools
from collections.abc import Callable

from segctl import pql
from segctl.sandbox.core.host import Host
from segctl.sandbox.core.store import Scope
from segctl.sandbox.profilestore import evaluate

KIND = "preview"
MAX_RESULTS = 1000


def _member(lookup: Callable[[str, str], bool], pid: str, ref: str) -> bool:
    return lookup(ref, pid)


def execute(app: Host, scope: Scope, pid: str) -> None:
    doc = app.store.get(KIND, scope, pid)
    if doc is None:
        return
    doc.update(state="RUNNING", previewQueryStatus="RUNNING")
    app.store.put(KIND, scope, pid, doc)
    try:
        predicate = pql.compile(pql.parse(doc["predicateExpression"]))
        data = app.profile_data()
        now = app.now()
        lookup = evaluate.membership_lookup({}, lambda sid: app.store.memberships(scope, sid))
        members: list[str] = []
        namespaces: dict[str, int] = {}
        matched = 0
        for pid_, profile, events in data.rows():
            if predicate.evaluate(profile, events, now, functools.partial(_member, lookup, pid_)):
                matched += 1
                if len(members) < MAX_RESULTS:
                    members.append(pid_)
                for ns in profile.get("identityMap") or {}:
                    namespaces[ns] = namespaces.get(ns, 0) + 1
        doc.update(state="RESULT_READY", previewQueryStatus="RESULT_READY", members=members,
                   read=len(data), matched=matched,
                   namespaces=[{"namespaceId": ns, "profilesMatchedSoFar": n}
                               for ns, n in sorted(namespaces.items())])
    except Exception as err:
        doc.update(state="FAILED", previewQueryStatus="FAILED", error=str(err))
    app.store.put(KIND, scope, pid, doc)
