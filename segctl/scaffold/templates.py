"""The files ``segctl init`` writes, as a table: project-relative path -> text.

Every YAML file starts with the ``yaml-language-server`` line that points editors at the JSON
Schema copied into ``schemas/`` beside the project folder, so completion and checks work
offline. The example is small on purpose: the Project's name, one Segment, its SegmentTest,
one Export, a local Environment and a commented production one; ``segctl apply`` works on it
at once. ``{name}`` in a text is the project name.
"""

from __future__ import annotations

SEGMENT = """\
# yaml-language-server: $schema=../schemas/segment.schema.json
#
# A segment: an audience of profiles chosen by a PQL rule. `key` is its identity in this
# project (renaming `name` later is an update, not a new segment).
kind: Segment
key: female-customers
name: Female customers
description: Profiles whose gender is female.
pql: person.gender = "female"
ttlInDays: 30
evaluation: batch              # batch | streaming | edge
"""

EXPORT = """\
# yaml-language-server: $schema=../schemas/export.schema.json
#
# An export writes the members of some segments into a dataset (created and tagged as owned
# by segctl when missing). See the rows with `segctl dataset preview --export female-customers`.
kind: Export
key: female-customers
segments: [female-customers]
dataset: ${vars.datasetPrefix}Female customers
fields: [identityMap, personalEmail.address, person.gender]
run: on-change                 # on-change | always | never
"""

ENVIRONMENTS = """\
# yaml-language-server: $schema=../schemas/environment.schema.json
#
# The sandboxes this project is applied to; pick one with `--env NAME` (default: local).
# With no platformUrl, `local` is the embedded local sandbox (state in .segctl/): no account
# needed. Credentials never go in files: AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_ORG_ID.
kind: Environment
name: local
sandbox: prod
vars:
  datasetPrefix: "local-"

# A real sandbox: uncomment, fill in your IMS org, and run `segctl plan --env prod`.
# ---
# kind: Environment
# name: prod
# sandbox: prod
# orgId: 0000000000000000000000AA@AdobeOrg
# platformUrl: https://platform.adobe.io
# vars:
#   datasetPrefix: ""
"""

SEGMENT_TEST = """\
# yaml-language-server: $schema=../../schemas/segmenttest.schema.json
#
# Unit tests for segments, run offline by `segctl test` with the local PQL engine.
kind: SegmentTest
name: female customers
now: 2026-01-15T10:00:00Z
profiles:
  - id: ana
    person: {gender: female}
  - id: ben
    person: {gender: male}
  - id: cleo                   # gender unknown: not a member
expect:
  female-customers:
    members: [ana]
"""

GITIGNORE = """\
# segctl: the local sandbox's state (and saved plans, if you keep them here)
.segctl/
*.plan
"""

PROJECT = """\
# yaml-language-server: $schema=../schemas/project.schema.json
#
# The project's name. Every object segctl writes carries it in its ownership marker, so
# another segctl project applied to the same sandbox never adopts, updates or prunes ours.
# Keep it stable and unique among the projects sharing a sandbox.
kind: Project
name: {name}
"""

#: the folder commands read by default
PROJECT_FOLDER = "segments"

FILES: dict[str, str] = {
    f"{PROJECT_FOLDER}/project.yaml": PROJECT,
    f"{PROJECT_FOLDER}/female-customers.yaml": SEGMENT,
    f"{PROJECT_FOLDER}/exports.yaml": EXPORT,
    f"{PROJECT_FOLDER}/environments.yaml": ENVIRONMENTS,
    f"{PROJECT_FOLDER}/tests/female-customers.yaml": SEGMENT_TEST,
}

#: the JSON Schemas copied next to the project (from the package), for the editor lines above
SCHEMAS = ("project.schema.json", "segment.schema.json", "export.schema.json",
           "environment.schema.json", "segmenttest.schema.json")
