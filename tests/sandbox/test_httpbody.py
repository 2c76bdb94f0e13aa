"""Request bodies as the served sandbox reads them off the wire: Content-Length or chunked,
within the size limit, and every malformed framing answered with a status (issue 19)."""

from __future__ import annotations

import io
from email.message import Message
from http.client import parse_headers

import pytest

from segctl.sandbox.httpbody import MAX_LINE, MAX_TRAILERS, BodyError, read_body


def _headers(*lines: str) -> Message:
    return parse_headers(io.BytesIO("".join(f"{line}\r\n" for line in lines).encode() + b"\r\n"))


def _read(raw: bytes, *header_lines: str, limit: int = 1000) -> tuple[bytes, bytes]:
    """The body read and what is left on the stream after it (the next request)."""
    stream = io.BytesIO(raw)
    body = read_body(stream, _headers(*header_lines), limit)
    return body, stream.read()


def test_content_length_reads_exactly_that_many_bytes() -> None:
    assert _read(b"hello worldGET /next", "Content-Length: 11") == (b"hello world", b"GET /next")
    assert _read(b"abc", "Content-Length: 3", "Content-Length: 3") == (b"abc", b"")
    assert _read(b"GET /next") == (b"", b"GET /next")  # neither header: no body


def test_chunked_body_is_decoded_and_the_stream_left_at_the_next_request() -> None:
    raw = (b"5\r\nhello\r\n"
           b"1;ext=1\r\n \r\n"  # a chunk extension is ignored
           b"A\r\n0123456789\r\n"
           b"0\r\nX-Trailer: yes\r\n\r\n"
           b"GET /next")
    assert _read(raw, "Transfer-Encoding: chunked") == (b"hello 0123456789", b"GET /next")


def test_chunked_with_bare_line_feeds_and_no_trailers() -> None:
    assert _read(b"3\nabc\n0\n\nrest", "Transfer-Encoding: Chunked") == (b"abc", b"rest")


def test_an_empty_chunked_body() -> None:
    assert _read(b"0\r\n\r\n", "Transfer-Encoding: chunked") == (b"", b"")


@pytest.mark.parametrize(("raw", "headers", "status"), [
    (b"3\r\nabc\r\n", ("Transfer-Encoding: chunked",), 400),  # no last chunk
    (b"a\r\nabc", ("Transfer-Encoding: chunked",), 400),  # chunk shorter than its size
    (b"3\r\nabcdef\r\n0\r\n\r\n", ("Transfer-Encoding: chunked",), 400),  # longer than it
    (b"zz\r\nabc\r\n0\r\n\r\n", ("Transfer-Encoding: chunked",), 400),  # not hex
    (b"-3\r\nabc\r\n0\r\n\r\n", ("Transfer-Encoding: chunked",), 400),
    (b"0x3\r\nabc\r\n0\r\n\r\n", ("Transfer-Encoding: chunked",), 400),
    (b"\r\nabc\r\n0\r\n\r\n", ("Transfer-Encoding: chunked",), 400),  # empty size
    (b"1" * 17 + b"\r\n", ("Transfer-Encoding: chunked",), 400),  # absurd size
    (b"3" + b";x" * MAX_LINE + b"\r\n", ("Transfer-Encoding: chunked",), 400),  # long line
    (b"0\r\n" + b"T: 1\r\n" * (MAX_TRAILERS + 1) + b"\r\n", ("Transfer-Encoding: chunked",),
     400),
    (b"0\r\nT: 1\r\n", ("Transfer-Encoding: chunked",), 400),  # trailers never end
    (b"3\r\nabc\r\n0\r\n\r\n", ("Transfer-Encoding: chunked", "Content-Length: 3"), 400),
    (b"abc", ("Transfer-Encoding: chunked, gzip",), 400),  # chunked is not final
    (b"abc", ("Transfer-Encoding: gzip, chunked",), 501),
    (b"abc", ("Transfer-Encoding: identity",), 400),
    (b"abc", ("Content-Length: abc",), 400),
    (b"abc", ("Content-Length: -3",), 400),
    (b"abc", ("Content-Length: +3",), 400),
    (b"abc", ("Content-Length: 3", "Content-Length: 4"), 400),
    (b"abc", ("Content-Length: 3, 4",), 400),
    (b"abc", ("Content-Length: 99999999999999999999999",), 400),
    (b"abc", ("Content-Length: 10",), 400),  # the body ends early
])
def test_malformed_framing_is_refused_with_a_status(raw: bytes, headers: tuple[str, ...],
                                                    status: int) -> None:
    with pytest.raises(BodyError) as caught:
        _read(raw, *headers)
    assert caught.value.status == status


def test_the_size_limit_holds_for_both_framings() -> None:
    with pytest.raises(BodyError) as stated:
        _read(b"", "Content-Length: 1001")
    assert stated.value.status == 413
    chunks = b"200\r\n" + b"x" * 512 + b"\r\n"
    with pytest.raises(BodyError) as chunked:
        _read(chunks * 2 + b"0\r\n\r\n", "Transfer-Encoding: chunked")
    assert chunked.value.status == 413
    # just at the limit is fine
    assert _read(b"x" * 1000, "Content-Length: 1000")[0] == b"x" * 1000
    body = b"1f4\r\n" + b"y" * 500 + b"\r\n"
    assert _read(body * 2 + b"0\r\n\r\n", "Transfer-Encoding: chunked")[0] == b"y" * 1000


def test_a_chunk_announced_over_the_limit_is_refused_before_reading_it() -> None:
    class NoBulkRead(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            raise AssertionError("read a chunk that is over the limit")

    with pytest.raises(BodyError) as caught:
        read_body(NoBulkRead(b"ffffffff\r\n"), _headers("Transfer-Encoding: chunked"), 1000)
    assert caught.value.status == 413
