"""Reading a request body off the wire for the served sandbox (RFC 9112 §6): framed by
``Content-Length`` or by ``Transfer-Encoding: chunked``, within :data:`MAX_BODY` bytes either
way.

Framing that cannot be trusted raises :class:`BodyError` carrying the status to answer: 400 for
malformed framing (a bad length, a bad chunk-size line, a body that ends early, both headers at
once, ``chunked`` not the final coding), 413 for a body over the limit, 501 for a transfer
coding other than ``chunked``. After any of them the connection's framing is lost, so the
server answers and closes it.
"""

from __future__ import annotations

from email.message import Message
from typing import Protocol

MAX_BODY = 16 * 1024 * 1024  # bytes; the largest AEP request segctl sends is a few kilobytes
MAX_LINE = 4096  # a chunk-size line (with any extensions) or one trailer line
MAX_TRAILERS = 64  # trailer lines after the last chunk


class Reader(Protocol):
    """The buffered socket file of a request (``rfile``), or any byte stream."""

    def read(self, size: int, /) -> bytes: ...

    def readline(self, size: int, /) -> bytes: ...


class BodyError(Exception):
    """The body cannot be read: ``status`` is the answer (400, 413 or 501)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def read_body(rfile: Reader, headers: Message, limit: int = MAX_BODY) -> bytes:
    """The body of the request whose ``headers`` were just read from ``rfile``; ``b""`` when
    the request has neither header."""
    codings = [c.strip().lower() for value in headers.get_all("transfer-encoding") or ()
               for c in value.split(",") if c.strip()]
    lengths = headers.get_all("content-length") or []
    if codings:
        if lengths:  # a request-smuggling shape (RFC 9112 §6.3): refuse, do not pick one
            raise BodyError(400, "Transfer-Encoding and Content-Length together")
        if codings[-1] != "chunked":
            raise BodyError(400, "chunked must be the final transfer coding")
        if codings != ["chunked"]:
            raise BodyError(501, f"unsupported transfer coding {', '.join(codings[:-1])}")
        return read_chunked(rfile, limit)
    if not lengths:
        return b""
    return _read_exactly(rfile, content_length(lengths, limit))


def content_length(values: list[str], limit: int = MAX_BODY) -> int:
    """The one length the ``Content-Length`` header lines state (repeats of the same value
    are allowed, RFC 9110 §8.6)."""
    stated = {v.strip() for value in values for v in value.split(",")}
    if len(stated) != 1:
        raise BodyError(400, "conflicting Content-Length values")
    text = stated.pop()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise BodyError(400, "Content-Length is not a number")
    length = int(text)
    if length > limit:
        raise BodyError(413, f"request body over {limit} bytes")
    return length


def read_chunked(rfile: Reader, limit: int = MAX_BODY) -> bytes:
    """The decoded body of a chunked request: chunks until the zero-size one, then the
    trailer section (read and dropped) up to its empty line."""
    parts: list[bytes] = []
    total = 0
    while True:
        size = _chunk_size(_line(rfile, "chunk size"))
        if size == 0:
            break
        total += size
        if total > limit:
            raise BodyError(413, f"request body over {limit} bytes")
        parts.append(_read_exactly(rfile, size))
        if _line(rfile, "chunk end"):
            raise BodyError(400, "chunk data longer than its size")
    for _ in range(MAX_TRAILERS + 1):
        if not _line(rfile, "trailer"):
            return b"".join(parts)
    raise BodyError(400, f"more than {MAX_TRAILERS} trailer lines")


def _chunk_size(line: bytes) -> int:
    text = line.split(b";", 1)[0].strip()  # chunk extensions are allowed and ignored
    if not text or len(text) > 16 or text.strip(b"0123456789abcdefABCDEF"):
        raise BodyError(400, "malformed chunk size")
    return int(text, 16)


def _line(rfile: Reader, what: str) -> bytes:
    """One CRLF- (or bare LF-) terminated line without its ending."""
    line = rfile.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BodyError(400, f"{what} line too long")
    if not line.endswith(b"\n"):
        raise BodyError(400, f"request body ended early (in a {what} line)")
    return line[:-2] if line.endswith(b"\r\n") else line[:-1]


def _read_exactly(rfile: Reader, size: int) -> bytes:
    data = rfile.read(size) if size else b""
    if len(data) != size:
        raise BodyError(400, f"request body ended early ({len(data)} of {size} bytes)")
    return data
