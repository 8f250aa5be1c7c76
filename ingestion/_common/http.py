"""The one HTTP client of the REST API sources (``openai_usage``, ``anthropic_usage``, ``saas_invoices``).

Built on dlt's ``RESTClient`` (OpenAI, Anthropic: :class:`VendorClient`) and dlt's declarative ``rest_api`` (SaaS
invoices: :meth:`VendorClient.rest_api_client`, :func:`response_check`), both over dlt's retrying ``requests``
session (:func:`make_session`):

* **timeouts and retries**: every request has a timeout (``request_timeout_s``); 429, 5xx, connection errors,
  timeouts and bodies cut off mid-way are retried up to ``max_attempts`` times with exponential backoff
  (``backoff_factor``, each wait at most ``max_retry_delay_s``); a ``Retry-After`` header sets the wait instead;
* **pagination** as the vendors do it: :class:`HasMorePaginator` (``has_more`` + an opaque ``next_page`` token sent
  back as ``page``: OpenAI, Anthropic) and :class:`StartingAfterPaginator` (``has_more`` + ``starting_after`` = the
  last object's id: Stripe-style list objects). Both count the pages of the request they page through in a
  :class:`PagePosition`, so that every error names the page;
* **one error mapping** (:func:`response_check`, :func:`transport_error`): every message starts with the vendor, the
  organisation/account, ``GET <path>`` and the page, and says what to do: a rejected key (401/403) names the secret
  to set, 429 and 5xx say they persisted after the retries, a malformed JSON page, an unexpected shape, a page cut
  off or a timeout say so. The key is only ever set by an auth object when a request is prepared (so it is in no
  default header, no log line: dlt logs headers at DEBUG), and is scrubbed from any vendor text quoted;
* **one error tree**: :class:`VendorApiError` and its subclasses, for the three sources alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from dlt.sources.helpers.requests import Client
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import APIKeyAuth, AuthConfigBase, BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import BasePaginator

from .errors import transport_failure

BODY = "finops_json"  # where response_check keeps the decoded body (response.__dict__)


# ----------------------------------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------------------------------
class VendorApiError(Exception):
    """Any failure of a REST API source (configuration, HTTP, response). Never carries a key."""


class VendorAuthError(VendorApiError, requests.HTTPError):
    """401/403 or no key configured: the message names the secret to set."""


class VendorHTTPError(VendorApiError, requests.HTTPError):
    """Another HTTP error status: 429 or 5xx after the retries, or a 4xx. A ``requests.HTTPError`` carrying the
    response, so that dlt's retrying session retries 429/5xx (honouring ``Retry-After``) before it surfaces."""


class VendorResponseError(VendorApiError):
    """A 200 that cannot be used: malformed JSON, an unexpected shape, broken pagination."""


class VendorTransportError(VendorApiError):
    """No usable answer below HTTP after the retries: timeout, refused/dropped connection, a page cut off."""


# ----------------------------------------------------------------------------------------------------------------------
# configuration
# ----------------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HttpSettings:
    request_timeout_s: float = 60.0
    max_attempts: int = 6
    backoff_factor: float = 1.0
    max_retry_delay_s: float = 60.0


@dataclass(frozen=True)
class Account:
    """One configured account at a vendor: what errors name, and its key (never shown)."""

    vendor: str  # "OpenAI", "Anthropic", "SaaS"
    kind: str  # "organisation", "vendor"
    name: str
    base_url: str
    api_key: str = field(repr=False)
    secret_hint: str = ""  # where the key is configured (named when it is rejected)
    key_kind: str = "API key"  # what a valid key is, e.g. "Anthropic admin key (sk-ant-admin...)"
    auth_header: str = "Authorization"  # "Authorization" = Bearer token; else the header carrying the key

    def __repr__(self) -> str:  # never the key
        return f"Account({self.label}, base_url={self.base_url!r})"

    @property
    def label(self) -> str:
        return f"{self.vendor} {self.kind} {self.name!r}"

    def auth(self) -> AuthConfigBase:
        """The auth object setting the key when a request is prepared."""
        if self.auth_header.lower() == "authorization":
            return BearerTokenAuth(self.api_key)
        return APIKeyAuth(name=self.auth_header, api_key=self.api_key, location="header")

    def scrub(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text


@dataclass(frozen=True)
class AccountsConfig:
    """How a REST source's accounts are configured - a list of ``{name, api_key, base_url}`` (or its JSON text), else
    one account from a single key - and what its configuration errors say (each source keeps its own wording)."""

    make: Callable[[str, str, str, str], Account]  # (name, key, base_url, secret_hint) -> the source's Account
    invalid_json: str  # the list's text is not JSON
    not_a_list: str | None  # the value is no list; None: one mapping is taken as a list of one
    no_name: Callable[[int], str]  # entry i has no name
    key_hint: Callable[[int], str]  # where entry i's key is configured
    no_key: Callable[[str, str], str]  # (name, key_hint) -> entry ``name`` has no key
    no_single_key: str  # no list and no single key
    single_hint: str  # where the single key is configured
    duplicate_names: Callable[[list[str]], str]  # the names are not unique
    entry_base_url: str | None = None  # an entry's default base URL; None: the configured ``base_url``
    blank_text_is_unset: bool = False  # a blank JSON text is no list (else it is invalid JSON)


def parse_accounts(
    accounts: Any, api_key: str | None, account_name: str, base_url: str, config: AccountsConfig
) -> list[Account]:
    """The configured accounts: ``accounts`` (a list of ``{name, api_key, base_url}``, or its JSON text), else one
    account from ``api_key`` / ``account_name`` / ``base_url``. Names must be unique; every message is the
    source's (``config``)."""
    if isinstance(accounts, str) and (accounts.strip() or not config.blank_text_is_unset):
        try:
            accounts = json.loads(accounts)
        except ValueError:
            raise VendorApiError(config.invalid_json) from None
    if not accounts:
        if not api_key:
            raise VendorAuthError(config.no_single_key)
        return [config.make(account_name, str(api_key).strip(), base_url.rstrip("/"), config.single_hint)]
    if isinstance(accounts, Mapping) and config.not_a_list is None:
        accounts = [accounts]
    if not isinstance(accounts, list | tuple):
        raise VendorApiError(config.not_a_list or config.invalid_json)
    out: list[Account] = []
    for i, entry in enumerate(accounts):
        entry = dict(entry) if isinstance(entry, Mapping) else {}
        name = str(entry.get("name") or "").strip()
        if not name:
            raise VendorApiError(config.no_name(i))
        key = str(entry.get("api_key") or "").strip()
        hint = config.key_hint(i)
        if not key:
            raise VendorAuthError(config.no_key(name, hint))
        url = str(entry.get("base_url") or config.entry_base_url or base_url).rstrip("/")
        out.append(config.make(name, key, url, hint))
    names = [a.name for a in out]
    if len(set(names)) != len(names):
        raise VendorApiError(config.duplicate_names(names))
    return out


def make_session(http: HttpSettings) -> requests.Session:
    """dlt's retrying session (see the module doc); no ``raise_for_status``: :func:`response_check` raises."""
    return Client(
        request_timeout=http.request_timeout_s,
        raise_for_status=False,
        request_max_attempts=http.max_attempts,
        request_backoff_factor=http.backoff_factor,
        request_max_retry_delay=http.max_retry_delay_s,
        respect_retry_after_header=True,
    ).session


# ----------------------------------------------------------------------------------------------------------------------
# pagination
# ----------------------------------------------------------------------------------------------------------------------
class PagePosition:
    """Where one paginated listing is: the account, the request path and the page being fetched (1-based). Shared by
    the copies ``rest_api`` makes of a child resource's paginator."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.path = ""
        self.page = 0

    def __deepcopy__(self, memo: dict) -> PagePosition:
        return self

    def where(self) -> str:
        return f"{self.account.label}, GET {self.path or '?'}, page {self.page}"


def decoded(response: requests.Response) -> Any:
    """The body :func:`response_check` decoded (else ``response.json()``)."""
    return response.__dict__[BODY] if BODY in response.__dict__ else response.json()


class _CountingPaginator(BasePaginator):
    """Keeps the listing's request path and the number of the page being fetched in its :class:`PagePosition`."""

    def __init__(self, position: PagePosition) -> None:
        super().__init__()
        self.position = position

    def init_request(self, request: requests.Request) -> None:
        self._has_next_page = True
        self.position.path = urlsplit(request.url or "").path
        self.position.page = 1
        if request.params is None:
            request.params = {}

    def update_request(self, request: requests.Request) -> None:
        if self._has_next_page:
            self.position.page += 1


class HasMorePaginator(_CountingPaginator):
    """``{"data": [...], "has_more": bool, "next_page": token}``; the token goes back as ``page`` (OpenAI,
    Anthropic)."""

    def __init__(self, position: PagePosition) -> None:
        super().__init__(position)
        self.token: str | None = None

    def init_request(self, request: requests.Request) -> None:
        super().init_request(request)
        self.token = None
        request.params.pop("page", None)

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        body = decoded(response)
        has_more = bool(body.get("has_more"))
        token = body.get("next_page")
        if has_more and not token:
            raise VendorResponseError(
                f"{self.position.where()}: has_more is true but next_page is missing (the "
                "API's pagination is broken; re-run later)"
            )
        if has_more and token == self.token:
            raise VendorResponseError(
                f"{self.position.where()}: next_page repeats the previous token {token!r} "
                "(the API would loop; re-run later)"
            )
        self.token = token if has_more else None
        self._has_next_page = has_more

    def update_request(self, request: requests.Request) -> None:
        super().update_request(request)
        if self._has_next_page:
            request.params["page"] = self.token


class StartingAfterPaginator(_CountingPaginator):
    """Stripe list objects: ``limit`` on the first request, then ``starting_after=<id of the last object>`` while
    ``has_more`` (dlt's ``JSONResponseCursorPaginator`` reads a cursor *field*; Stripe's is the last item's id)."""

    def __init__(self, position: PagePosition, limit: int | None = None) -> None:
        super().__init__(position)
        self.limit = limit
        self.last_id: str | None = None

    def init_request(self, request: requests.Request) -> None:
        super().init_request(request)
        self.last_id = None
        if self.limit is not None:
            request.params["limit"] = self.limit
        request.params.pop("starting_after", None)

    def update_state(self, response: requests.Response, data: list[Any] | None = None) -> None:
        items = decoded(response).get("data") or []
        last = items[-1] if items else None
        self.last_id = str(last["id"]) if isinstance(last, dict) and "id" in last else None
        # has_more with an empty page would loop forever: stop
        self._has_next_page = bool(decoded(response).get("has_more")) and self.last_id is not None

    def update_request(self, request: requests.Request) -> None:
        super().update_request(request)
        if self._has_next_page:
            request.params["starting_after"] = self.last_id

    def __str__(self) -> str:
        return f"StartingAfterPaginator(limit={self.limit}, starting_after={self.last_id})"


# ----------------------------------------------------------------------------------------------------------------------
# error mapping
# ----------------------------------------------------------------------------------------------------------------------
def _vendor_message(response: requests.Response, account: Account) -> str:
    try:
        err = json.loads(response.text).get("error") or {}
        msg = str(err.get("message") or "")[:300]
    except (ValueError, AttributeError):
        msg = ""
    return account.scrub(msg) or "(no error message in the response)"


def response_check(
    position: PagePosition,
    http: HttpSettings,
    *,
    parse_float: Callable[[str], Any] | None = None,
    list_object: str | None = None,
) -> Callable[..., None]:
    """The response hook (also a ``rest_api`` response action) of one listing: raises the error for any status
    >= 400 (see the module doc), decodes the body (``parse_float``, e.g. ``Decimal`` for money) and checks that it
    is a list page (an object with a ``data`` array; ``"object": list_object`` when given)."""

    def check(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        where, account, status = position.where(), position.account, response.status_code
        if status in (401, 403):
            what = "the API key was rejected" if status == 401 else "the key lacks the permission for this endpoint"
            raise VendorAuthError(
                f"{where}: HTTP {status} - {what}. Set {account.secret_hint} to a valid {account.key_kind}.",
                response=response,
            )
        if status == 429:
            raise VendorHTTPError(
                f"{where}: HTTP 429 after {http.max_attempts} attempts (rate limited; "
                "Retry-After honoured): the vendor's rate limit is exhausted, run again later or "
                "raise max_attempts / max_retry_delay",
                response=response,
            )
        if status >= 500:
            raise VendorHTTPError(
                f"{where}: HTTP {status} after {http.max_attempts} attempts (server error at the vendor; re-run later)",
                response=response,
            )
        if status >= 400:
            raise VendorHTTPError(
                f"{where}: HTTP {status}: {_vendor_message(response, account)} (check the configured "
                "base_url and the source's parameters)",
                response=response,
            )
        try:
            body = json.loads(response.text, parse_float=parse_float)
        except ValueError as exc:
            pos = f" ({exc.msg} at char {exc.pos})" if isinstance(exc, json.JSONDecodeError) else ""
            raise VendorResponseError(f"{where}: malformed JSON, the response is not valid JSON{pos}") from None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("data"), list)
            or (list_object is not None and body.get("object") != list_object)
        ):
            shape = f'an object {{"object": "{list_object}", "data": [...]}}' if list_object else "a 'data' list"
            raise VendorResponseError(f"{where}: unexpected response shape (expected {shape})")
        response.__dict__[BODY] = body

    return check


def transport_error(
    exc: BaseException, position: PagePosition | None, http: HttpSettings, label: str = ""
) -> VendorTransportError:
    """The error for a request that failed below HTTP after the retries (timeout, connection, page cut off)."""
    where = position.where() if position is not None else label
    advice = (
        " (raise the source's request timeout if the vendor is only slow)" if isinstance(exc, requests.Timeout) else ""
    )
    return VendorTransportError(f"{where}: {transport_failure(exc)} after {http.max_attempts} attempts{advice}")


# ----------------------------------------------------------------------------------------------------------------------
# the client
# ----------------------------------------------------------------------------------------------------------------------
class _BodyClient(RESTClient):
    """Each page is the body :func:`response_check` decoded (one item)."""

    def extract_response(self, response: requests.Response, data_selector: Any) -> list[Any]:
        return [decoded(response)]


class VendorClient:
    """One account's client: :meth:`pages` yields the decoded body of every page of a listing."""

    def __init__(
        self,
        account: Account,
        http: HttpSettings,
        *,
        headers: dict[str, str] | None = None,
        parse_float: Callable[[str], Any] | None = None,
    ) -> None:
        self.account, self.http, self.parse_float = account, http, parse_float
        self._rest = _BodyClient(
            base_url=account.base_url, headers=headers, auth=account.auth(), session=make_session(http)
        )

    def __repr__(self) -> str:
        return f"VendorClient({self.account!r})"

    def pages(
        self, path: str, params: dict[str, Any], *, headers: dict[str, str] | None = None
    ) -> Iterator[dict[str, Any]]:
        position = PagePosition(self.account)
        paginator = HasMorePaginator(position)
        hooks = {"response": [response_check(position, self.http, parse_float=self.parse_float)]}
        try:
            for page in self._rest.paginate(
                path, params=dict(params), headers=headers, paginator=paginator, hooks=hooks
            ):
                yield page[0]
        except VendorApiError:
            raise
        except requests.RequestException as exc:
            raise transport_error(exc, position, self.http) from None

    @staticmethod
    def rest_api_client(account: Account, http: HttpSettings) -> dict[str, Any]:
        """The ``client`` section of a ``rest_api`` configuration for ``account`` (its resources take a
        :class:`StartingAfterPaginator` / :class:`HasMorePaginator` and :func:`response_check` per resource)."""
        return {"base_url": account.base_url + "/", "auth": account.auth(), "session": make_session(http)}
