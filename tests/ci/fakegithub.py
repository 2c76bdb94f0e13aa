"""A fake GitHub REST API: a real HTTP server on 127.0.0.1 with state.

It keeps issues and pull requests (one numbering, as on GitHub), comments (paginated with
``Link`` headers like the real API), labels, the pull requests of each commit, workflow runs,
the commit list for ``compare`` and artifacts, and logs every request. Tokens map to logins;
a token marked read-only gets 403 on every write, as a fork's pull request token does.
"""

from __future__ import annotations

import io
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

BOT = "github-actions[bot]"


@dataclass
class State:
    repo: str = "acme/segments"
    tokens: dict[str, str] = field(default_factory=lambda: {"bot-token": BOT,
                                                            "human-token": "alice"})
    read_only: set[str] = field(default_factory=set)
    issues: dict[int, dict[str, Any]] = field(default_factory=dict)  # PRs too
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)
    commits: list[str] = field(default_factory=list)  # the default branch, oldest first
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # workflow file -> runs
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    blobs: dict[int, bytes] = field(default_factory=dict)
    log: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    next_number: int = 1

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def stamp(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # -- test-side helpers (what a person or GitHub itself does) -------------------------------
    def open_pull(self, head_sha: str, base_sha: str, *, fork: bool = False) -> int:
        number = self.next_number
        self.next_number += 1
        head_repo = "someone/segments" if fork else self.repo
        self.issues[number] = {"number": number, "title": f"PR {number}", "body": "",
                               "state": "open", "labels": [], "user": {"login": "alice"},
                               "pull_request": {"url": f"/pulls/{number}"}}
        self.pulls[number] = {"number": number, "state": "open", "merged_at": None,
                              "head": {"sha": head_sha, "repo": {"full_name": head_repo}},
                              "base": {"sha": base_sha, "repo": {"full_name": self.repo}}}
        return number

    def push_to_pull(self, number: int, head_sha: str) -> None:
        self.pulls[number]["head"]["sha"] = head_sha

    def merge(self, number: int, merge_sha: str) -> None:
        self.pulls[number].update({"merged_at": self.stamp(), "state": "closed",
                                   "merge_commit_sha": merge_sha})
        self.issues[number]["state"] = "closed"
        self.commits.append(merge_sha)
        self.commit_pulls.setdefault(merge_sha, []).append(number)

    def add_comment(self, issue: int, body: str, login: str) -> dict[str, Any]:
        comment = {"id": self.new_id(), "body": body, "user": {"login": login},
                   "html_url": f"https://github.test/{self.repo}/pull/{issue}#c{self.next_id}",
                   "created_at": self.stamp()}
        self.comments.setdefault(issue, []).append(comment)
        return comment

    def record_run(self, workflow: str, head_sha: str, conclusion: str) -> dict[str, Any]:
        run = {"id": self.new_id(), "head_sha": head_sha, "head_branch": "main",
               "status": "completed", "conclusion": conclusion, "updated_at": self.stamp()}
        self.runs.setdefault(workflow, []).insert(0, run)
        return run

    def upload_artifact(self, name: str, files: dict[str, bytes], run_id: int = 1) -> None:
        """What actions/upload-artifact does at the end of a plan job."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for path, data in files.items():
                archive.writestr(path, data)
        artifact_id = self.new_id()
        self.blobs[artifact_id] = buffer.getvalue()
        self.artifacts.append({"id": artifact_id, "name": name, "run_id": run_id,
                               "expired": False, "created_at": self.stamp(),
                               "archive_download_url": f"{{api}}/repos/{self.repo}/actions/"
                                                       f"artifacts/{artifact_id}/zip"})

    def bot_comments(self, issue: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.get(issue, []) if c["user"]["login"] == BOT]

    def writes(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p in self.log if m != "GET"]


class _Handler(BaseHTTPRequestHandler):
    server: FakeGitHub  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:  # keep pytest output clean
        pass

    def _body(self) -> Any:
        length = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.server.lock:
            state.log.append((method, url.path))
            if url.path.startswith("/_blobs/"):  # the signed storage URL a download redirects to
                assert "authorization" not in self.headers, "token sent to the blob store"
                blob = state.blobs[int(url.path.rsplit("/", 1)[1])]
                self.send_response(200)
                self.send_header("content-type", "application/zip")
                self.send_header("content-length", str(len(blob)))
                self.end_headers()
                self.wfile.write(blob)
                return None
            auth = self.headers.get("authorization", "")
            token = auth.removeprefix("Bearer ").strip()
            login = state.tokens.get(token)
            if login is None:
                return self._send(401, {"message": "Bad credentials"})
            if method != "GET" and token in state.read_only:
                return self._send(403, {"message": "Resource not accessible by integration"})
            prefix = f"/repos/{state.repo}"
            if not url.path.startswith(prefix):
                return self._send(404, {"message": "Not Found"})
            body = self._body() if method in ("POST", "PATCH") else None
            route = url.path[len(prefix):]
            for pattern, verb, handler in _ROUTES:
                found = re.fullmatch(pattern, route)
                if found and verb == method:
                    return handler(self, state, login, query, body, *found.groups())
            return self._send(404, {"message": "Not Found"})

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def page(self, items: list[Any], query: dict[str, str]) -> None:
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            base = f"http://{self.headers.get('host')}{urlsplit(self.path).path}"
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page",))
            last = (len(items) + per_page - 1) // per_page
            headers["link"] = (f'<{base}?{rest}&page={page + 1}>; rel="next", '
                               f'<{base}?{rest}&page={last}>; rel="last"')
        self._send(200, chunk, headers)


def _list_comments(h: _Handler, s: State, login: str, q: dict[str, str], b: Any,
                   n: str) -> None:
    h.page(s.comments.get(int(n), []), q)


def _create_comment(h: _Handler, s: State, login: str, q: dict[str, str], b: Any,
                    n: str) -> None:
    if int(n) not in s.issues:
        return h._send(404, {"message": "Not Found"})
    h._send(201, s.add_comment(int(n), b["body"], login))


def _find_comment(s: State, cid: int) -> dict[str, Any] | None:
    return next((c for cs in s.comments.values() for c in cs if c["id"] == cid), None)


def _update_comment(h: _Handler, s: State, login: str, q: dict[str, str], b: Any,
                    cid: str) -> None:
    comment = _find_comment(s, int(cid))
    if comment is None:
        return h._send(404, {"message": "Not Found"})
    comment["body"] = b["body"]
    h._send(200, comment)


def _delete_comment(h: _Handler, s: State, login: str, q: dict[str, str], b: Any,
                    cid: str) -> None:
    for comments in s.comments.values():
        comments[:] = [c for c in comments if c["id"] != int(cid)]
    h._send(204)


def _labels(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, n: str) -> None:
    h.page(s.issues[int(n)]["labels"], q)


def _add_labels(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, n: str) -> None:
    labels = s.issues[int(n)]["labels"]
    for name in b["labels"]:
        if all(label["name"] != name for label in labels):
            labels.append({"name": name})
    h._send(200, labels)


def _remove_label(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, n: str,
                  name: str) -> None:
    labels = s.issues[int(n)]["labels"]
    if all(label["name"] != unquote(name) for label in labels):
        return h._send(404, {"message": "Label does not exist"})
    labels[:] = [label for label in labels if label["name"] != unquote(name)]
    h._send(200, labels)


def _list_issues(h: _Handler, s: State, login: str, q: dict[str, str], b: Any) -> None:
    wanted = set(filter(None, q.get("labels", "").split(",")))
    state = q.get("state", "open")
    items = [i for i in s.issues.values()
             if wanted <= {label["name"] for label in i["labels"]}
             and (state == "all" or i["state"] == state)]
    h.page(sorted(items, key=lambda i: -i["number"]), q)


def _create_issue(h: _Handler, s: State, login: str, q: dict[str, str], b: Any) -> None:
    number = s.next_number
    s.next_number += 1
    s.issues[number] = {"number": number, "title": b["title"], "body": b.get("body", ""),
                        "state": "open", "user": {"login": login},
                        "labels": [{"name": n} for n in b.get("labels", [])]}
    h._send(201, s.issues[number])


def _update_issue(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, n: str) -> None:
    issue = s.issues.get(int(n))
    if issue is None:
        return h._send(404, {"message": "Not Found"})
    issue.update({k: v for k, v in b.items() if k in ("title", "body", "state")})
    h._send(200, issue)


def _get_pull(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, n: str) -> None:
    pull = s.pulls.get(int(n))
    h._send(200, pull) if pull else h._send(404, {"message": "Not Found"})


def _commit_pulls(h: _Handler, s: State, login: str, q: dict[str, str], b: Any,
                  sha: str) -> None:
    h.page([s.pulls[n] | {"number": n} for n in s.commit_pulls.get(sha, [])], q)


def _runs(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, wf: str) -> None:
    runs = [r for r in s.runs.get(wf, [])
            if q.get("status") in (None, r["conclusion"])
            and q.get("branch") in (None, r["head_branch"])]
    h._send(200, {"total_count": len(runs), "workflow_runs": runs[: int(q.get("per_page", 30))]})


def _compare(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, base: str,
             head: str) -> None:
    if base not in s.commits or head not in s.commits:
        return h._send(404, {"message": "Not Found"})
    inside = s.commits[s.commits.index(base) + 1: s.commits.index(head) + 1]
    h._send(200, {"status": "ahead", "commits": [{"sha": c} for c in inside]})


def _artifacts(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, run: str) -> None:
    found = [a for a in s.artifacts if str(a["run_id"]) == run]
    h._send(200, {"total_count": len(found), "artifacts": _urls(h, found)})


def _urls(h: _Handler, artifacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    api = f"http://{h.headers.get('host')}"
    return [a | {"archive_download_url": a["archive_download_url"].format(api=api)}
            for a in artifacts]


def _artifacts_by_name(h: _Handler, s: State, login: str, q: dict[str, str], b: Any) -> None:
    found = [a for a in s.artifacts if a["name"] == q.get("name", a["name"])]
    h._send(200, {"total_count": len(found), "artifacts": _urls(h, found)})


def _download(h: _Handler, s: State, login: str, q: dict[str, str], b: Any, aid: str) -> None:
    h._send(302, None, {"location": f"http://{h.headers.get('host')}/_blobs/{aid}"})


_ROUTES = [
    (r"/issues/(\d+)/comments", "GET", _list_comments),
    (r"/issues/(\d+)/comments", "POST", _create_comment),
    (r"/issues/comments/(\d+)", "PATCH", _update_comment),
    (r"/issues/comments/(\d+)", "DELETE", _delete_comment),
    (r"/issues/(\d+)/labels", "GET", _labels),
    (r"/issues/(\d+)/labels", "POST", _add_labels),
    (r"/issues/(\d+)/labels/([^/]+)", "DELETE", _remove_label),
    (r"/issues", "GET", _list_issues),
    (r"/issues", "POST", _create_issue),
    (r"/issues/(\d+)", "PATCH", _update_issue),
    (r"/pulls/(\d+)", "GET", _get_pull),
    (r"/commits/([0-9a-f]+)/pulls", "GET", _commit_pulls),
    (r"/actions/workflows/([^/]+)/runs", "GET", _runs),
    (r"/compare/([0-9a-f]+)\.\.\.([0-9a-f]+)", "GET", _compare),
    (r"/actions/runs/(\d+)/artifacts", "GET", _artifacts),
    (r"/actions/artifacts", "GET", _artifacts_by_name),
    (r"/actions/artifacts/(\d+)/zip", "GET", _download),
]


class FakeGitHub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = State()
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeGitHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
