"""POST a JSON message to an alert webhook (Slack incoming webhook or any endpoint accepting Slack's JSON), with
retries. No Dagster import.

The webhook URL is a secret (a Slack webhook URL embeds its token): it is never logged, never put in an exception
message, and exceptions from the HTTP stack are not chained (``from None``), so no traceback carries it.

Retried: HTTP 429 (waiting ``Retry-After`` when the server sends it, capped), 5xx, timeouts and connection errors,
with exponential backoff (``backoff_seconds`` x 2^n, capped at ``max_backoff_seconds``). Other 4xx are not retried
(the message or the URL is wrong; retrying cannot help).
"""

from __future__ import annotations

import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["RetryPolicy", "WebhookError", "post_json"]

log = logging.getLogger("finops.alerts")


class WebhookError(RuntimeError):
    """The message could not be delivered. The message never contains the webhook URL."""

    def __init__(self, message: str, status: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.retryable = retryable


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    timeout_seconds: float = 10.0

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        if retry_after:
            try:
                return min(max(float(retry_after), 0.0), self.max_backoff_seconds)
            except ValueError:  # an HTTP date: fall back to the backoff
                pass
        return min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds)


def _redact(text: str, url: str) -> str:
    parts = urlsplit(url)
    for secret in (url, parts.path, parts.query, parts.netloc if "@" in parts.netloc else ""):
        if secret and len(secret) > 1:
            text = text.replace(secret, "<webhook>")
    return text


def _describe(exc: BaseException, url: str) -> str:
    reason = getattr(exc, "reason", None) or exc
    return _redact(f"{type(exc).__name__}: {reason}", url)[:300]


def post_json(
    url: str, payload: dict, policy: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep
) -> int:
    """POST ``payload`` as JSON to ``url``; the HTTP status on success. Raises :class:`WebhookError` (URL-free)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError("the alert webhook URL is not an http(s) URL (value not shown)")
    body = json.dumps(payload, default=str).encode()
    last = "no attempt"
    for attempt in range(1, max(policy.attempts, 1) + 1):
        retry_after = None
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "finops-warehouse-alerts"},
        )
        try:
            with urllib.request.urlopen(request, timeout=policy.timeout_seconds) as resp:  # http(s) only, checked above
                resp.read()
                return resp.status
        except urllib.error.HTTPError as e:
            status, retry_after = e.code, e.headers.get("Retry-After") if e.headers else None
            e.close()
            if status != 429 and status < 500:
                raise WebhookError(
                    f"the alert webhook rejected the message: HTTP {status} (not retried)", status=status
                ) from None
            last = f"HTTP {status}"
        except (OSError, http.client.HTTPException) as e:  # URLError, timeouts, refused or reset connections
            last = _describe(e, url)
        if attempt < policy.attempts:
            wait = policy.delay(attempt, retry_after)
            log.warning(
                "alert webhook attempt %d/%d failed (%s); retrying in %.1fs", attempt, policy.attempts, last, wait
            )
            sleep(wait)
    raise WebhookError(f"the alert webhook failed after {policy.attempts} attempt(s): {last}", retryable=True)
