"""Hand-built plans covering every action, for the golden renderings."""

from __future__ import annotations

from dataclasses import replace

from segctl.engine import (
    Action,
    Awaiting,
    DatasetChange,
    DesiredSegment,
    ExportRun,
    FieldChange,
    Foreign,
    LastSize,
    Plan,
    PlanWarning,
    Ration,
    RunningJob,
    SegmentChange,
    SegmentJob,
    SizeEstimate,
    Target,
)


def desired(
    key: str, name: str, pql: str, refs: tuple[str, ...] = (), **kw: object
) -> DesiredSegment:
    values: dict[str, object] = {
        "description": "", "schema": "_xdm.context.profile", "ttl_in_days": None,
        "merge_policy": "default", "merge_policy_id": "mp-default", "evaluation": "batch",
        "labels": (), "protect": False, "source": f"segments/{key}.yaml:1:1",
        "project": "crm",
    }
    values.update(kw)
    return DesiredSegment(key=key, name=name, pql=pql, refs=refs, **values)  # type: ignore[arg-type]


def every_action() -> Plan:
    female = desired("female-customers", "All Female Customers", 'person.gender = "female"',
                     description="Profiles whose gender is female.", ttl_in_days=90)
    gold = desired("gold-members", "Gold members", 'loyalty.tier = "platinum"')
    both = desired("female-gold", "Female gold members",
                   'inSegment("key:female-customers") and inSegment("key:gold-members")',
                   refs=("female-customers", "gold-members"))
    moved = desired("vip", "VIP", "loyalty.points > 10000", schema="_xdm.context.other")
    quiet = desired("everyone", "Everyone", "true")
    return Plan(
        changes=(
            SegmentChange(Action.DELETE, "retired", "Retired segment", id="id-old"),
            SegmentChange(Action.CREATE, "female-customers", female.name, desired=female),
            SegmentChange(Action.UPDATE, "gold-members", gold.name, id="id-gold", desired=gold,
                          fields=(FieldChange("pql", 'loyalty.tier = "gold"',
                                              'loyalty.tier = "platinum"'),
                                  FieldChange("name", "Gold loyalty members", "Gold members"))),
            SegmentChange(Action.REPLACE, "vip", "VIP", id="id-vip", desired=moved,
                          fields=(FieldChange("schema", "_xdm.context.profile",
                                              "_xdm.context.other"),),
                          reason="schema cannot change in place"),
            SegmentChange(Action.CREATE, "female-gold", both.name, desired=both,
                          depends_on=("female-customers",)),
            SegmentChange(Action.UPDATE, "everyone", "Everyone", id="id-all", desired=quiet,
                          adopted=True,
                          reason="adopted by name: apply stamps the ownership marker"),
        ),
        datasets=(DatasetChange(Action.CREATE, "Female customers", "female-customers-daily"),
                  DatasetChange(Action.DELETE, "Old export", "old-export", id="ds-old")),
        segment_jobs=(SegmentJob(("female-customers", "gold-members", "female-gold")),),
        export_runs=(ExportRun("female-customers-daily", "Female customers",
                               ("female-customers",), ("identities.id", "person.gender"),
                               ("realized", "existing"),
                               "fields, filter.segments[female-customers].status changed since "
                               "the last export"),),
        warnings=(PlanWarning("evaluation-not-eligible",
                              "female-gold: declared streaming evaluation, but the expression "
                              "is not streaming-eligible; AEP will evaluate it in batch",
                              "female-gold"),),
        unmanaged=(),
        prune=True,
        project="crm",
        unclaimed=("Hand made",),
        foreign=(Foreign("dataset", "Their dataset", "web-team"),
                 Foreign("segment", "Their segment", "web-team")),
        target=Target("prod", "prod", "https://platform.adobe.io"),
        project_root="segments",
        files_hash="0123abcd",
        fingerprint="sha256:feedface",
    )


def no_changes() -> Plan:
    quiet = desired("everyone", "Everyone", "true")
    return Plan(
        changes=(SegmentChange(Action.NOOP, "everyone", "Everyone", id="id-all", desired=quiet),),
        datasets=(DatasetChange(Action.NOOP, "Everyone", "everyone-daily", id="ds-1"),),
        unmanaged=("Old hand-made segment",),
        project_root="segments",
        files_hash="0123abcd",
        fingerprint="sha256:feedface",
    )


def many_changes(count: int) -> Plan:
    changes = tuple(
        SegmentChange(Action.CREATE, f"segment-{i:04d}", f"Segment {i}",
                      desired=desired(f"segment-{i:04d}", f"Segment {i}",
                                      f"person.birthYear = {1900 + i % 100} and "
                                      f'homeAddress.city = "City number {i}"'))
        for i in range(count)
    )
    jobs = tuple(SegmentJob(tuple(c.key for c in changes[i:i + 20]))
                 for i in range(0, count, 20))
    old = tuple(f"Old {i}" for i in range(count))
    return Plan(changes=changes, segment_jobs=jobs, unmanaged=old,
                project_root="segments", files_hash="x", fingerprint="y")


def evaluation_work() -> Plan:
    """No definition changes; evaluation work read from the job history, with the ration
    spent for part of it."""
    keys = [f"segment-{i:02d}" for i in range(24)]
    changes = tuple(SegmentChange(Action.NOOP, k, k.title(), id=f"id-{k}",
                                  desired=desired(k, k.title(), "true")) for k in keys)
    return Plan(
        changes=changes,
        segment_jobs=(SegmentJob(tuple(keys[2:22])),),
        running_jobs=(RunningJob("job-7f3a", ("segment-00", "segment-01")),),
        awaiting=tuple(Awaiting(k, "never evaluated" if i % 2 else
                                "changed since its last evaluation")
                       for i, k in enumerate(keys[2:])),
        deferred=tuple(keys[22:]),
        ration=Ration(per_day=2, per_year=50, used_today=1, used_this_year=9, spends=1,
                      sandbox_type="production"),
        warnings=(PlanWarning("segment-job-ration", "2 segment(s) need 1 more on-demand "
                              "segment job(s) than AEP's ration allows now"),),
        project_root="segments", files_hash="x", fingerprint="y",
    )


def with_estimates() -> Plan:
    """``plan --estimate`` over every action: a sampled estimate beside the last evaluated size,
    an exact local count, a failed estimate, one that could not be asked, user text to escape."""
    base = every_action()
    last_gold = LastSize(1180, "job-7", "2026-06-01T12:00:00Z")
    estimates = (
        SizeEstimate("female-customers", True, profiles=812, margin=0, confidence="95%",
                     exact=True, profiles_read=2000, total_profiles=2000),
        SizeEstimate("gold-members", True, profiles=1_204_310, margin=3_712, confidence="95%",
                     profiles_read=1_000_000, total_profiles=3_000_000, last=last_gold),
        SizeEstimate("vip", False, reason="estimate FAILED: <Query> timed out | retry *later*",
                     last=LastSize(44)),
        SizeEstimate("female-gold", False,
                     reason="it uses segment 'female-customers', which this plan creates or "
                            "replaces, so there are no members to count yet"),
    )
    return replace(base, estimates=estimates)


def estimated_nothing() -> Plan:
    """``plan --estimate`` when nothing is new or changed."""
    return replace(no_changes(), estimates=())


PLANS = {"every_action": every_action, "no_changes": no_changes,
         "with_estimates": with_estimates, "estimated_nothing": estimated_nothing,
         "evaluation_work": evaluation_work}
