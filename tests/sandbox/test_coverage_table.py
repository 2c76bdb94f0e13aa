"""IMPLEMENTATION_COVERAGE.md is generated from the route table against the operations of
Adobe's OpenAPI specs, and is never out of date."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx

from segctl.sandbox import coverage
from segctl.sandbox.core import web
from segctl.sandbox.core.web import Route
from segctl.sandbox.routes import ROUTES


def _ok(ctx: Any) -> httpx.Response:
    return httpx.Response(204)


def test_the_committed_table_is_current() -> None:
    """Fails when a route, a route's query parameters or the extract changed without
    `python -m segctl.sandbox.coverage` being run."""
    assert coverage.TABLE_FILE.read_text(encoding="utf-8") == coverage.current_table()
    assert coverage.main(["--check"]) == 0


def test_the_extract_names_its_source() -> None:
    data = coverage.load_operations()
    assert data["source"]["repository"] == "AdobeDocs/experience-platform-apis"
    assert len(data["source"]["commit"]) == 40
    paths = [s["path"] for s in data["specs"]]
    assert "static/swagger-specs/segmentation.yaml" in paths
    ops = {(o["method"], o["path"]): o for s in data["specs"] for o in s["operations"]}
    listing = ops[("GET", "/data/core/ups/audiences")]
    assert listing["operationId"] == "listAudiences"
    assert listing["query"] == ["start", "limit", "sort", "property", "name", "description",
                                "entityType"]


def test_declared_query_parameters_are_read_by_the_handler() -> None:
    """A route claims only parameters its handler's module (or the shared paging helpers of
    core/web.py it calls) actually reads by name."""
    shared = inspect.getsource(web)
    for route in ROUTES:
        source = inspect.getsource(inspect.getmodule(route.handler)) + shared  # type: ignore[arg-type]
        for name in route.query:
            prefix = name.split(".")[0] + "."
            dotted = "." in name and (f'"{prefix}' in source or f'f"{prefix}' in source)
            assert f'"{name}"' in source or dotted, (route.pattern, name)


def test_extract_resolves_shared_and_referenced_parameters() -> None:
    spec = {
        "components": {"parameters": {"limit": {"name": "limit", "in": "query"},
                                      "sandbox": {"name": "x-sandbox-name", "in": "header"}}},
        "paths": {"/things/{ID}": {
            "parameters": [{"$ref": "#/components/parameters/sandbox"}],
            "get": {"operationId": "getThing", "summary": "Get  a\n thing",
                    "parameters": [{"$ref": "#/components/parameters/limit"},
                                   {"name": "ID", "in": "path"}]},
            "delete": {"operationId": "deleteThing"},
        }},
    }
    assert coverage.extract_spec(spec, "/base") == [
        {"method": "GET", "path": "/base/things/{ID}", "operationId": "getThing",
         "summary": "Get a thing", "query": ["limit"]},
        {"method": "DELETE", "path": "/base/things/{ID}", "operationId": "deleteThing",
         "summary": "", "query": []},
    ]


def test_render_marks_implemented_partial_absent_and_outside() -> None:
    data = {"source": {"repository": "r", "commit": "c" * 40}, "specs": [{
        "path": "s.yaml", "title": "S", "base": "/b", "operations": [
            {"method": "GET", "path": "/b/x", "operationId": "listX", "summary": "List",
             "query": ["start", "limit"]},
            {"method": "GET", "path": "/b/x/{X_ID}", "operationId": "getX", "summary": "Get",
             "query": []},
            {"method": "DELETE", "path": "/b/x/{X_ID}", "operationId": "delX", "summary": "Del",
             "query": []},
            {"method": "POST", "path": "/b/x", "operationId": "createX", "summary": "Create",
             "query": []},
        ]}]}
    routes = [Route("GET", "/b/x", _ok, query=("start",)), Route("GET", "/b/x/{id}", _ok),
              Route("POST", "/b/x", _ok, note="ignores tags"), Route("POST", "/ims/t", _ok)]
    table = coverage.render(routes, data)
    assert "- [~] `GET /b/x` listX: List (ignores `limit`)" in table
    assert "- [X] `GET /b/x/{X_ID}` getX: Get\n" in table
    assert "- [ ] `DELETE /b/x/{X_ID}` delX: Del (absent)" in table
    assert "- [~] `POST /b/x` createX: Create (ignores tags)" in table
    assert "## Routes outside these specs\n\n- `POST /ims/t`" in table
    assert "3 of 4 operations answered: 1 implemented, 2 partial, 1 absent." in table


def test_check_fails_on_a_stale_table(tmp_path: Any, monkeypatch: Any) -> None:
    stale = tmp_path / "IMPLEMENTATION_COVERAGE.md"
    stale.write_text("# stale\n", encoding="utf-8")
    monkeypatch.setattr(coverage, "TABLE_FILE", stale)
    assert coverage.main(["--check"]) == 1
    assert coverage.main([]) == 0
    assert stale.read_text(encoding="utf-8") == coverage.current_table()
    assert json.loads(coverage.OPERATIONS_FILE.read_text(encoding="utf-8"))["specs"]
