from __future__ import annotations

import httpx
import pytest

from segctl.aep import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from segctl.aep._errors import describe_error_body, error_from_response, error_from_transport
from segctl.errors import SegctlError


def _response(
    status: int, body: object = None, headers: dict[str, str] | None = None, text: str | None = None
) -> httpx.Response:
    request = httpx.Request("GET", "https://platform.test/data/core/ups/segment/definitions/x")
    if text is not None:
        return httpx.Response(status, text=text, headers=headers, request=request)
    return httpx.Response(status, json=body, headers=headers, request=request)


def test_gateway_shape() -> None:
    error = error_from_response(
        _response(401, {"error_code": "401013", "message": "Oauth token is not valid"})
    )
    assert isinstance(error, AuthError) and isinstance(error, ApiError)
    assert isinstance(error, SegctlError)
    assert (error.status, error.code, error.message) == (401, "401013", "Oauth token is not valid")
    assert error.hint and "AEP_CLIENT_ID" in error.hint


def test_problem_details_with_errors_map() -> None:
    body = {
        "type": "https://ns.adobe.com/aep/errors/UPAPI-113430-404",
        "title": "The audience entity 4afe is not found.",
        "status": 404,
        "requestId": "body-request-id",
        "errors": {"404": [{"code": 404, "message": "Entity 4afe is not found. Use a valid one."}]},
    }
    error = error_from_response(_response(404, body))
    assert isinstance(error, NotFoundError)
    assert error.code == "UPAPI-113430-404"
    assert error.message == "Entity 4afe is not found. Use a valid one."
    assert error.request_id == "body-request-id"
    assert "404" in str(error) and "body-request-id" in str(error)
    assert "GET /data/core/ups/segment/definitions/x" in str(error)


def test_catalog_placeholder_shape() -> None:
    body = {
        "type": "/placeholder/type/uri",
        "status": 404,
        "title": "NotFoundError",
        "detail": "DataSet not found.",
    }
    error = error_from_response(_response(404, body, headers={"x-request-id": "hdr-1"}))
    assert isinstance(error, NotFoundError)
    assert (error.code, error.message, error.request_id) == (
        "NotFoundError",
        "DataSet not found.",
        "hdr-1",
    )


def test_header_request_id_wins_over_body() -> None:
    body = {"errors": {"400": [{"code": "UPAPI-1-400", "message": "bad pql"}]}, "requestId": "b"}
    error = error_from_response(_response(400, body, headers={"x-request-id": "from-header"}))
    assert isinstance(error, BadRequestError)
    assert error.request_id == "from-header"
    assert error.code == "UPAPI-1-400" and error.message == "bad pql"


@pytest.mark.parametrize(
    ("status", "message", "cls"),
    [
        (403, "Api Key is invalid", ForbiddenError),
        (409, "entity exists", ConflictError),
        (422, "Segment definition already exists, use PATCH", ConflictError),
        (422, "expression is invalid", BadRequestError),
        (429, "Too many requests", RateLimitedError),
        (503, "unavailable", ServerError),
        (418, "teapot", ApiError),
    ],
)
def test_status_classes(status: int, message: str, cls: type[ApiError]) -> None:
    error = error_from_response(_response(status, {"message": message}))
    assert type(error) is cls


def test_ims_oauth_shape_and_plain_text() -> None:
    ims = error_from_response(
        _response(400, {"error": "invalid_client", "error_description": "invalid client_id"})
    )
    assert (ims.code, ims.message) == ("invalid_client", "invalid client_id")
    text = error_from_response(_response(502, text="<html>Bad gateway</html>"))
    assert isinstance(text, ServerError) and "Bad gateway" in text.message and text.code is None


def test_messages_are_redacted() -> None:
    body = {"message": "token Bearer abc.def.ghi rejected; secret was s3cr3t-value"}
    error = error_from_response(_response(401, body), secrets=["s3cr3t-value"])
    assert "abc.def.ghi" not in str(error) and "s3cr3t-value" not in str(error)
    assert "abc.def.ghi" not in repr(error)


def test_describe_tolerates_unknown_shapes() -> None:
    assert describe_error_body(["x"]) == (None, None, None)
    assert describe_error_body(
        {"errors": [{"code": "0100000003", "msg": "Error in Export Job"}]}
    ) == ("0100000003", "Error in Export Job", None)


def test_transport_translation() -> None:
    request = httpx.Request("POST", "https://platform.test/x", headers={"x-request-id": "r-1"})
    refused = error_from_transport(httpx.ConnectError("refused"), request)
    assert isinstance(refused, TransportError)
    assert refused.retryable and not refused.ambiguous and refused.status is None
    timeout = error_from_transport(httpx.ReadTimeout("timed out"), request)
    assert timeout.retryable and timeout.ambiguous and timeout.request_id == "r-1"
    broken = error_from_transport(httpx.UnsupportedProtocol("ftp"), request)
    assert not broken.retryable


def test_format_prints_one_line_plus_hint() -> None:
    error = error_from_response(
        _response(403, {"error_code": "403027", "message": "User region is missing"})
    )
    lines = error.format().splitlines()
    assert lines[0].startswith("error: AEP API error 403 (403027)")
    assert lines[1].startswith("hint: ")
