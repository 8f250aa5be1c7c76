"""A small base for local vendor API servers (OpenAI, Anthropic, ...) used by the demo and the tests.

A vendor server is a REAL HTTP server (stdlib ``ThreadingHTTPServer``) on ``127.0.0.1`` and a free port, run in a
background thread. A subclass implements one method, :meth:`VendorServer.handle`, that turns an authenticated
:class:`Request` into a :class:`Response`; the base does everything else: API-key auth, JSON encoding, fault
injection (429 with ``Retry-After``, 5xx, malformed JSON, truncated body, slow responses), a request counter and a
request log that never contains the key.

Stable public API (other servers build on it, keep it small)::

    class MyVendor(VendorServer):
        auth_scheme = "bearer"          # or "x-api-key"
        base_path = "/v1"               # appended to root_url to form base_url
        def handle(self, request: Request) -> Response: ...
        def error_body(self, status, message, error_type) -> dict: ...   # optional: the vendor's error envelope

    with MyVendor({"sk-admin-abc": "org-a"}, faults=Faults(rate_limit_every=3)) as srv:
        srv.base_url            # "http://127.0.0.1:PORT/v1"
        srv.request_count       # every request received, including rejected ones
        srv.requests_seen       # [RequestRecord(method, path, query, status, principal, page)], no key, no headers
        srv.faults.fail_5xx_times = 2   # faults can be changed while running

* ``api_keys`` maps each accepted key to a *principal* (e.g. the organisation it belongs to); ``handle`` sees the
  principal, never the key. A wrong or missing key gets 401 and the vendor's error envelope.
* Pages: ``handle`` sets ``Response.page`` (1-based page number within a listing) so that the page faults below
  can target it; :func:`paginate` implements the opaque ``page`` cursor + ``has_more``/``next_page`` convention
  that both OpenAI and Anthropic use.
* Raise :class:`HTTPError` from ``handle`` for 400/404 etc.; it is rendered with :meth:`VendorServer.error_body`.
* ``python -m finops_demo.vendor_servers.<vendor> --port N`` is provided by :func:`run_cli`.
"""

from __future__ import annotations

import argparse
import base64
import json
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

__all__ = [
    "Faults",
    "HTTPError",
    "Request",
    "RequestRecord",
    "Response",
    "VendorServer",
    "decode_cursor",
    "encode_cursor",
    "paginate",
    "run_cli",
]


@dataclass
class Faults:
    """Fault injection; every field may be changed while the server runs (``srv.faults.x = ...``).

    Faults only apply to authenticated requests (and, with ``path_contains``, only to requests whose path contains
    it), in this order: delay, 5xx, rate limit, then the page faults. The ``*_times`` fields count down, so a fault
    can be transient (N times, then the server recovers) or persistent (``None`` / a large N).
    """

    rate_limit_every: int | None = None
    """Every Nth authenticated request (N, 2N, ...) answers 429 with ``Retry-After``. Must be >= 2 (else nothing
    would ever succeed)."""
    retry_after_s: int = 1
    """Value of the ``Retry-After`` header (whole seconds, as HTTP requires) on 429 responses."""
    fail_5xx_times: int = 0
    """The next N authenticated requests answer ``fail_5xx_status``; counts down to 0."""
    fail_5xx_status: int = 503
    malformed_json_on_page: int | None = None
    """Serve a body that is not valid JSON whenever ``Response.page`` equals this (1-based) page number."""
    truncate_page: int | None = None
    """Whenever ``Response.page`` equals this page number: declare the full ``Content-Length``, send only the
    first half of the body and close the connection (a connection cut mid-response)."""
    delay_s: float = 0.0
    """Sleep this long before answering each request (for client timeout tests)."""
    delay_times: int | None = None
    """With ``delay_s``: only the next N requests sleep (counts down to 0); None = every request."""
    rate_limit_times: int = 0
    """The next N authenticated requests answer 429 with ``Retry-After`` (counts down to 0), then the server
    recovers."""
    page_fault_times: int | None = None
    """The page faults (``malformed_json_on_page``, ``truncate_page``) fire only this many times (counts down to
    0), e.g. 1 for a glitch that a retry gets past; None = every time the page is served."""
    path_contains: str | None = None
    """Inject faults only into requests whose path contains this (e.g. ``"/organization/costs"``); None = all."""


@dataclass(frozen=True)
class Request:
    """An authenticated request as ``handle`` sees it: no key, no auth headers."""

    method: str
    path: str  # URL path without the query string, e.g. "/v1/organization/costs"
    query: dict[str, list[str]]  # parse_qs of the query string (keys as sent, e.g. "group_by[]")
    headers: dict[str, str]  # lower-cased names; Authorization and x-api-key removed
    principal: str  # what api_keys maps the presented key to (e.g. the organisation name)

    def one(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter, or ``default``."""
        values = self.query.get(name)
        return values[-1] if values else default

    def many(self, *names: str) -> list[str]:
        """All values of one or more query parameters (e.g. ``many("group_by", "group_by[]")``), comma-split."""
        out: list[str] = []
        for name in names:
            for value in self.query.get(name, []):
                out.extend(v for v in value.split(",") if v)
        return out


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable
    headers: dict[str, str] = field(default_factory=dict)
    page: int | None = None  # 1-based page number within a listing, for the page faults


@dataclass(frozen=True)
class RequestRecord:
    """One entry of ``requests_seen``. Never holds the key or any header."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    principal: str | None  # None when authentication failed
    page: int | None
    raw_query: str = ""  # the query string exactly as sent (encoding and order), e.g. for client-vs-SDK checks


class HTTPError(Exception):
    """Raise from ``handle`` to answer with an error status and the vendor's error envelope."""

    def __init__(self, status: int, message: str, error_type: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_type = error_type


# ----------------------------------------------------------------------------------------------------------------------
# cursor pagination shared by the vendors
# ----------------------------------------------------------------------------------------------------------------------
def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"off:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The offset in an opaque ``page`` cursor; raises :class:`HTTPError` 400 when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, _, value = raw.partition(":")
        if tag != "off":
            raise ValueError(raw)
        offset = int(value)
        if offset < 0:
            raise ValueError(raw)
        return offset
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPError(400, "invalid page cursor") from exc


def paginate(items: Sequence[Any], limit: int, cursor: str | None) -> tuple[list[Any], bool, str | None, int]:
    """Slice ``items`` for one page: returns ``(page_items, has_more, next_page, page_number)``.

    ``next_page`` is an opaque cursor (None on the last page); ``page_number`` is 1-based for a constant ``limit``.
    """
    if limit < 1:
        raise HTTPError(400, "limit must be >= 1")
    offset = decode_cursor(cursor) if cursor else 0
    chunk = list(items[offset : offset + limit])
    has_more = offset + limit < len(items)
    return chunk, has_more, (encode_cursor(offset + limit) if has_more else None), offset // limit + 1


# ----------------------------------------------------------------------------------------------------------------------
# the server
# ----------------------------------------------------------------------------------------------------------------------
class VendorServer:
    """Base class: subclass, set ``auth_scheme`` / ``base_path`` and implement :meth:`handle`."""

    auth_scheme: str = "bearer"  # "bearer" (Authorization: Bearer KEY) or "x-api-key" (x-api-key: KEY)
    base_path: str = ""  # e.g. "/v1": base_url = root_url + base_path

    def __init__(
        self,
        api_keys: Mapping[str, str],
        *,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not api_keys:
            raise ValueError("a vendor server needs at least one API key")
        self.api_keys = dict(api_keys)
        self.faults = faults or Faults()
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._authenticated = 0
        self.request_count = 0
        self.requests_seen: list[RequestRecord] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- to override ---------------------------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:  # pragma: no cover - abstract
        raise NotImplementedError

    def error_body(self, status: int, message: str, error_type: str) -> dict[str, Any]:
        """The vendor's JSON error envelope (OpenAI style by default)."""
        return {"error": {"message": message, "type": error_type, "param": None, "code": None}}

    def authenticate(self, headers: Mapping[str, str]) -> str | None:
        """The principal for the presented key (``headers`` lower-cased), or None to answer 401."""
        if self.auth_scheme == "x-api-key":
            key = headers.get("x-api-key", "")
        else:
            scheme, _, key = headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer":
                return None
        return self.api_keys.get(key.strip()) if key else None

    # ---- lifecycle -----------------------------------------------------------------------------------------------
    def start(self) -> VendorServer:
        if self._httpd is not None:
            return self
        self._httpd = ThreadingHTTPServer((self._host, self._port), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=f"{type(self).__name__}-{self.port}", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("server not started")
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + self.base_path

    def reset_log(self) -> None:
        """Clear ``requests_seen`` and the counters (the rate-limit phase restarts too)."""
        with self._lock:
            self.requests_seen.clear()
            self.request_count = 0
            self._authenticated = 0

    # ---- request processing (called on the server's worker threads) ----------------------------------------------
    def _process(self, method: str, raw_path: str, headers: Mapping[str, str]) -> tuple[Response, str | None, bool]:
        """Returns ``(response, principal, truncate)``; ``response.body`` may be bytes for the malformed fault."""
        with self._lock:
            self.request_count += 1
        parts = urlsplit(raw_path)
        query = parse_qs(parts.query, keep_blank_values=True)
        lowered = {k.lower(): v for k, v in headers.items()}
        principal = self.authenticate(lowered)
        if principal is None:
            resp = Response(401, self.error_body(401, _auth_message(self.auth_scheme), "authentication_error"))
            self._record(method, parts.path, query, resp, None, parts.query)
            return resp, None, False

        f = self.faults
        targeted = f.path_contains is None or f.path_contains in parts.path
        with self._lock:
            self._authenticated += 1
            n = self._authenticated
            fail_5xx = targeted and f.fail_5xx_times > 0
            if fail_5xx:
                f.fail_5xx_times -= 1
            delay = targeted and bool(f.delay_s) and (f.delay_times is None or f.delay_times > 0)
            if delay and f.delay_times is not None:
                f.delay_times -= 1
            rate_limited = targeted and not fail_5xx and f.rate_limit_times > 0
            if rate_limited:
                f.rate_limit_times -= 1
        if delay:
            time.sleep(f.delay_s)
        if fail_5xx:
            resp = Response(f.fail_5xx_status, self.error_body(f.fail_5xx_status, "injected server error", "api_error"))
        elif rate_limited or (
            targeted and f.rate_limit_every and f.rate_limit_every > 1 and n % f.rate_limit_every == 0
        ):
            resp = Response(
                429,
                self.error_body(429, "rate limit exceeded (injected)", "rate_limit_error"),
                {"Retry-After": str(int(f.retry_after_s))},
            )
        else:
            clean = {k: v for k, v in lowered.items() if k not in ("authorization", "x-api-key")}
            req = Request(method, parts.path, query, clean, principal)
            try:
                resp = self.handle(req)
            except HTTPError as exc:
                resp = Response(exc.status, self.error_body(exc.status, exc.message, exc.error_type))
            except Exception as exc:  # noqa: BLE001 - a server bug answers 500 instead of dropping the connection
                resp = Response(500, self.error_body(500, f"internal server error: {type(exc).__name__}", "api_error"))
        truncate = False
        if targeted and resp.status == 200 and resp.page is not None:
            malformed = f.malformed_json_on_page is not None and resp.page == f.malformed_json_on_page
            cut = not malformed and f.truncate_page is not None and resp.page == f.truncate_page
            with self._lock:
                fire = (malformed or cut) and (f.page_fault_times is None or f.page_fault_times > 0)
                if fire and f.page_fault_times is not None:
                    f.page_fault_times -= 1
            if fire and malformed:
                resp = Response(200, b'{"object": "page", "data": [{"start_time": 17', resp.headers, resp.page)
            elif fire:
                truncate = True
        self._record(method, parts.path, query, resp, principal, parts.query)
        return resp, principal, truncate

    def _record(
        self,
        method: str,
        path: str,
        query: dict[str, list[str]],
        resp: Response,
        principal: str | None,
        raw_query: str = "",
    ) -> None:
        with self._lock:
            self.requests_seen.append(RequestRecord(method, path, query, resp.status, principal, resp.page, raw_query))


def _auth_message(scheme: str) -> str:
    where = "the x-api-key header" if scheme == "x-api-key" else "the Authorization: Bearer header"
    return f"Incorrect or missing API key provided in {where}."


def _make_handler(server: VendorServer) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "finops-vendor-server/1"

        def _serve(self) -> None:
            resp, _principal, truncate = server._process(self.command, self.path, dict(self.headers.items()))
            body = resp.body if isinstance(resp.body, bytes) else json.dumps(resp.body).encode()
            self.send_response(resp.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in resp.headers.items():
                self.send_header(name, value)
            if truncate:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body[: len(body) // 2] if truncate else body)
            self.wfile.flush()

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            return

        def handle_one_request(self) -> None:
            try:
                super().handle_one_request()
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    return _Handler


# ----------------------------------------------------------------------------------------------------------------------
# `python -m finops_demo.vendor_servers.<vendor> --port N`
# ----------------------------------------------------------------------------------------------------------------------
def run_cli(
    build: Callable[[argparse.Namespace], VendorServer],
    description: str,
    argv: Sequence[str] | None = None,
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> None:
    """Parse ``--host/--port`` (+ vendor options via ``add_arguments``), build the server and serve until SIGINT/TERM.

    ``build`` receives the parsed namespace (``args.host``, ``args.port``, ...) and must pass them to the server.
    Prints ``base_url`` (never a key) on stdout.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a free port")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    srv = build(args).start()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"{type(srv).__name__} listening on {srv.base_url}", flush=True)
    try:
        stop.wait()
    finally:
        srv.stop()
