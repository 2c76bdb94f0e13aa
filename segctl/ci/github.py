"""A small GitHub REST client over httpx, with segctl.aep's retry policy.

Only what ``segctl ci`` needs: issue comments (paginated through the ``Link`` header),
labels, issues, the pull requests of a commit, workflow runs and the compare API. Retries
follow :func:`segctl.aep.decide_retry`: reads, PATCH and DELETE are replayed after 429/5xx or a
dropped connection; a POST whose outcome is unknown is not sent twice (it would duplicate a
comment). GitHub's secondary rate limit answers 403 with ``Retry-After`` (or
``x-ratelimit-remaining: 0``): that 403 is retried like a 429.
"""

from __future__ import annotations

import logging
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from segctl.aep import (
    IDEMPOTENT_METHODS,
    ApiError,
    RetryAction,
    RetryPolicy,
    Secret,
    decide_retry,
    install_log_filter,
    parse_retry_after,
    remember_secret,
)

logger = logging.getLogger("segctl.ci.github")
install_log_filter(logger)


# --debug: one line per request (method, URL, status, duration), as segctl.aep logs its own;
# the token travels in a header and is never logged
def _started(request: httpx.Request) -> None:
    request.extensions["segctl_started"] = time.monotonic()


def _log(response: httpx.Response) -> None:
    if logger.isEnabledFor(logging.DEBUG):
        started = response.request.extensions.get("segctl_started")
        took = time.monotonic() - started if isinstance(started, float) else 0.0
        logger.debug("%s %s -> %d (%d ms)", response.request.method, response.request.url,
                     response.status_code, round(took * 1000))

API_VERSION = "2022-11-28"
PER_PAGE = 100
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')


class GitHubError(ApiError):
    """A GitHub API call failed (status None: nothing came back)."""

    def __init__(self, message: str, *, status: int | None = None, method: str | None = None,
                 url: str | None = None, retry_after: float | None = None,
                 limited: bool = False, sent: bool = True) -> None:
        self.limited = limited
        self.sent = sent
        super().__init__(message, status=status, method=method, url=url,
                         retry_after=retry_after)

    def _summary(self, message: str) -> str:
        head = "GitHub API error" + (f" {self.status}" if self.status is not None else "")
        if self.method and self.path:
            head += f" on {self.method} {self.path}"
        return f"{head}: {message}"

    @property
    def retryable(self) -> bool:
        if self.status is None:
            return True
        return self.limited or self.status in self.retryable_status

    @property
    def ambiguous(self) -> bool:
        if self.status is None:
            return self.sent
        return self.status >= 500

    @property
    def forbidden(self) -> bool:
        """403/404 on a write: a token without write access (a fork's pull request)."""
        return self.status in (403, 404) and not self.limited


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header, or None on the last page."""
    if not header:
        return None
    for part in header.split(","):
        found = _NEXT.search(part)
        if found:
            return found.group(1)
    return None


class GitHub:
    """``GitHub(api_url, repository, token)``: calls on one repository's REST API."""

    def __init__(self, api_url: str, repository: str, token: Secret | None, *,
                 transport: httpx.BaseTransport | None = None,
                 retry: RetryPolicy | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 rng: random.Random | None = None) -> None:
        headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": API_VERSION,
                   "User-Agent": "segctl-ci"}
        if token:
            remember_secret(token.reveal())
            headers["Authorization"] = f"Bearer {token.reveal()}"
        self.repository = repository
        self._transport = transport
        self._http = httpx.Client(base_url=api_url.rstrip("/"), headers=headers,
                                  transport=transport, timeout=30.0,
                                  event_hooks={"request": [_started], "response": [_log]})
        self._retry = retry or RetryPolicy(max_attempts=4, base_delay=1.0, max_elapsed=60.0)
        self._sleep = sleep
        self._rng = rng or random.Random()

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport ---------------------------------------------------------------------------

    def call(self, method: str, path: str, *, json: Any = None,
             params: Mapping[str, Any] | None = None) -> httpx.Response:
        """One call with retries; a non-2xx answer raises :class:`GitHubError`."""
        url = path if path.startswith("http") else f"/repos/{self.repository}{path}"
        started = time.monotonic()
        attempt = 0
        ambiguous_before = False
        while True:
            attempt += 1
            try:
                response = self._http.request(method, url, json=json, params=params or None)
                if response.status_code < 400:
                    return response
                error = _error(response)
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                error = GitHubError(f"{type(exc).__name__}: {exc}", method=method,
                                    url=str(self._http.base_url) + url, sent=sent)
            error.after_ambiguous = ambiguous_before
            decision = decide_retry(error, replayable=method in IDEMPOTENT_METHODS,
                                    can_recover=False, after_ambiguous=ambiguous_before,
                                    attempt=attempt, elapsed=time.monotonic() - started,
                                    policy=self._retry, rng=self._rng)
            if decision.action is RetryAction.RAISE:
                raise error
            logger.debug("retrying %s %s in %.1fs: %s", method, url, decision.delay, error)
            ambiguous_before = ambiguous_before or error.ambiguous
            self._sleep(decision.delay)

    def json(self, method: str, path: str, *, json: Any = None,
             params: Mapping[str, Any] | None = None) -> Any:
        response = self.call(method, path, json=json, params=params)
        if not response.content:
            return None
        return response.json()

    def paginate(self, path: str, params: Mapping[str, Any] | None = None,
                 *, item_key: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a list endpoint, following ``Link: <...>; rel="next"``."""
        query: dict[str, Any] = {"per_page": PER_PAGE, **(params or {})}
        url: str | None = path
        while url is not None:
            response = self.call("GET", url, params=query)
            body = response.json() if response.content else []
            items = body.get(item_key, []) if item_key and isinstance(body, dict) else body
            yield from (items if isinstance(items, list) else [])
            url, query = next_link(response.headers.get("link")), {}

    def download(self, url: str) -> bytes:
        """An archive: GitHub answers 302 to a signed storage URL, fetched *without* the
        token (the signature is the credential; the token must not leave GitHub's API)."""
        response = self.call("GET", url)
        location = response.headers.get("location")
        if response.is_redirect and location:
            with httpx.Client(transport=self._transport, timeout=60.0) as bare:
                blob = bare.get(location)
            if blob.status_code >= 400:
                raise _error(blob)
            return blob.content
        return response.content

    # -- endpoints ---------------------------------------------------------------------------

    def comments(self, issue: int) -> Iterator[dict[str, Any]]:
        return self.paginate(f"/issues/{issue}/comments")

    def create_comment(self, issue: int, body: str) -> dict[str, Any]:
        return dict(self.json("POST", f"/issues/{issue}/comments", json={"body": body}))

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        return dict(self.json("PATCH", f"/issues/comments/{comment_id}", json={"body": body}))

    def delete_comment(self, comment_id: int) -> None:
        self.call("DELETE", f"/issues/comments/{comment_id}")

    def labels(self, issue: int) -> list[str]:
        return [str(label.get("name")) for label in self.paginate(f"/issues/{issue}/labels")]

    def add_labels(self, issue: int, names: list[str]) -> None:
        self.call("POST", f"/issues/{issue}/labels", json={"labels": names})

    def remove_label(self, issue: int, name: str) -> None:
        self.call("DELETE", f"/issues/{issue}/labels/{name}")

    def issues(self, label: str) -> Iterator[dict[str, Any]]:
        return self.paginate("/issues", {"labels": label, "state": "all"})

    def create_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        return dict(self.json("POST", "/issues",
                              json={"title": title, "body": body, "labels": labels}))

    def update_issue(self, number: int, **fields: Any) -> dict[str, Any]:
        return dict(self.json("PATCH", f"/issues/{number}", json=fields))

    def pull(self, number: int) -> dict[str, Any]:
        return dict(self.json("GET", f"/pulls/{number}") or {})

    def pulls_of_commit(self, sha: str) -> list[dict[str, Any]]:
        return list(self.paginate(f"/commits/{sha}/pulls"))

    def successful_runs(self, workflow: str, branch: str) -> list[dict[str, Any]]:
        """The workflow's successful runs on ``branch``, newest first (first page only)."""
        body = self.json("GET", f"/actions/workflows/{workflow}/runs",
                         params={"branch": branch, "status": "success", "per_page": 20})
        runs = body.get("workflow_runs", []) if isinstance(body, dict) else []
        return [r for r in runs if isinstance(r, dict)]

    def commits_between(self, base: str, head: str) -> list[str]:
        """The SHAs of the commits in ``base...head`` (GitHub lists at most 250)."""
        body = self.json("GET", f"/compare/{base}...{head}")
        commits = body.get("commits", []) if isinstance(body, dict) else []
        return [str(c.get("sha")) for c in commits if isinstance(c, dict)]


def _error(response: httpx.Response) -> GitHubError:
    message = response.reason_phrase or "request failed"
    try:
        body = response.json()
        if isinstance(body, dict) and body.get("message"):
            message = str(body["message"])
    except ValueError:
        pass
    retry_after = parse_retry_after(response.headers.get("retry-after"), time.time())
    limited = response.status_code in (403, 429) and (
        retry_after is not None or response.headers.get("x-ratelimit-remaining") == "0")
    if limited and retry_after is None:
        reset = response.headers.get("x-ratelimit-reset", "")
        retry_after = max(0.0, float(reset) - time.time()) if reset.isdigit() else None
    return GitHubError(message, status=response.status_code, method=response.request.method,
                       url=str(response.request.url), retry_after=retry_after, limited=limited)


def path_of(url: str) -> str:
    """The path and query of a URL, for the dry-run listing."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class DryRun:
    """A transport that sends nothing: reads find nothing, writes are recorded and echoed.

    ``segctl ci --dry-run`` (and any run outside GitHub Actions) goes through the same code
    with this transport, then prints :attr:`calls`: exactly the API calls it would make.
    """

    def __init__(self) -> None:
        self.calls: list[str] = []

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        path = path_of(str(request.url))
        if request.method == "GET":
            self.calls.append(f"GET {path}")
            if "/actions/workflows/" in path:
                return httpx.Response(200, json={"workflow_runs": []})
            if "/compare/" in path:
                return httpx.Response(200, json={"commits": []})
            if re.search(r"/pulls/\d+$", urlsplit(str(request.url)).path):
                return httpx.Response(200, json={})
            return httpx.Response(200, json=[])
        self.calls.append(f"{request.method} {path}")
        return httpx.Response(200, json={"id": 0, "number": 0, "html_url": "(dry run)"})
