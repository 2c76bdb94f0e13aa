"""The route table of the local sandbox: every service's ``ROUTES``, in one list.

``LocalSandbox`` dispatches through it and ``tools/coverage.py`` compares it with the
operations of Adobe's OpenAPI specs to write ``IMPLEMENTATION_COVERAGE.md``.
"""

from segctl.sandbox.audiences.routes import ROUTES as AUDIENCES
from segctl.sandbox.catalog.routes import ROUTES as CATALOG
from segctl.sandbox.core.web import Route
from segctl.sandbox.dataaccess.routes import ROUTES as DATA_ACCESS
from segctl.sandbox.definitions.routes import ROUTES as DEFINITIONS
from segctl.sandbox.exports.routes import ROUTES as EXPORTS
from segctl.sandbox.ims.routes import ROUTES as IMS
from segctl.sandbox.jobs.routes import ROUTES as JOBS
from segctl.sandbox.mergepolicies.routes import ROUTES as MERGE_POLICIES
from segctl.sandbox.previews.routes import ROUTES as PREVIEWS
from segctl.sandbox.profileaccess.routes import ROUTES as PROFILE_ACCESS
from segctl.sandbox.sandboxes.routes import ROUTES as SANDBOXES
from segctl.sandbox.schedules.routes import ROUTES as SCHEDULES
from segctl.sandbox.schemaregistry.routes import ROUTES as SCHEMA_REGISTRY
from segctl.sandbox.search.routes import ROUTES as SEARCH

ROUTES: list[Route] = [
    *IMS,
    *DEFINITIONS,
    *AUDIENCES,
    *JOBS,
    *EXPORTS,
    *MERGE_POLICIES,
    *SCHEDULES,
    *PREVIEWS,
    *CATALOG,
    *DATA_ACCESS,
    *SCHEMA_REGISTRY,
    *SEARCH,
    *PROFILE_ACCESS,
    *SANDBOXES,
]
