"""The REST sources' shared HTTP client (ingestion/_common/http.py) on its own: the two paginators, the response check
and the transport error, without a server. The sources' tests (test_openai_usage.py, test_anthropic_usage.py,
test_saas_invoices.py) and tests/reliability/test_api_faults.py run it against the local vendor servers."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from ingestion._common.http import (
    Account,
    HasMorePaginator,
    HttpSettings,
    PagePosition,
    StartingAfterPaginator,
    VendorAuthError,
    VendorHTTPError,
    VendorResponseError,
    VendorTransportError,
    decoded,
    response_check,
    transport_error,
)

ACCOUNT = Account(
    "Anthropic",
    "organisation",
    "acme",
    "http://127.0.0.1:1",
    "sk-ant-admin01-unit",
    "SOURCES__K",
    "Anthropic admin key",
    auth_header="x-api-key",
)


def _response(body: object, status: int = 200) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    return r


def _request(url: str = "http://127.0.0.1:1/v1/organizations/cost_report") -> requests.Request:
    return requests.Request("GET", url, params={"limit": 3, "page": "stale"})


def test_has_more_paginator_sends_the_token_back_as_page_and_counts_pages():
    position = PagePosition(ACCOUNT)
    p, req = HasMorePaginator(position), _request()
    p.init_request(req)
    assert (
        "page" not in req.params
        and position.where() == "Anthropic organisation 'acme', GET /v1/organizations/cost_report, page 1"
    )
    for n, token in enumerate(("t1", "t2"), 2):
        p.update_state(_response({"data": [], "has_more": True, "next_page": token}))
        p.update_request(req)
        assert req.params["page"] == token and position.page == n and p.has_next_page
    p.update_state(_response({"data": [], "has_more": False, "next_page": None}))
    p.update_request(req)
    assert not p.has_next_page and position.page == 3


@pytest.mark.parametrize(
    "body, words",
    [
        ({"data": [], "has_more": True}, "has_more is true but next_page is missing"),
        ({"data": [], "has_more": True, "next_page": "t1"}, "repeats the previous token"),
    ],
)
def test_has_more_paginator_refuses_a_broken_cursor_naming_the_page(body, words):
    position = PagePosition(ACCOUNT)
    p = HasMorePaginator(position)
    p.init_request(_request())
    p.update_state(_response({"data": [], "has_more": True, "next_page": "t1"}))
    p.update_request(_request())
    with pytest.raises(VendorResponseError, match=words) as info:
        p.update_state(_response(body))
    assert "GET /v1/organizations/cost_report, page 2" in str(info.value)


def test_starting_after_paginator_pages_on_the_last_id_and_stops_on_an_empty_page():
    position = PagePosition(ACCOUNT)
    p, req = StartingAfterPaginator(position, limit=2), _request("http://127.0.0.1:1/cursor/v1/invoices")
    p.init_request(req)
    assert req.params["limit"] == 2 and "starting_after" not in req.params
    p.update_state(_response({"object": "list", "data": [{"id": "in_1"}, {"id": "in_2"}], "has_more": True}))
    p.update_request(req)
    assert req.params["starting_after"] == "in_2" and position.page == 2
    p.update_state(_response({"object": "list", "data": [], "has_more": True}))  # would loop forever
    assert not p.has_next_page


def test_response_check_maps_statuses_and_decodes_money_exactly():
    position = PagePosition(ACCOUNT)
    position.path, position.page = "/v1/x", 4
    check = response_check(position, HttpSettings(max_attempts=2), parse_float=Decimal)
    ok = _response('{"data": [{"amount": 0.1}], "has_more": false}')
    check(ok)
    assert decoded(ok)["data"][0]["amount"] == Decimal("0.1")
    for status, kind, words in [
        (401, VendorAuthError, "Set SOURCES__K to a valid Anthropic admin key"),
        (429, VendorHTTPError, "HTTP 429 after 2 attempts (rate limited"),
        (502, VendorHTTPError, "HTTP 502 after 2 attempts (server error"),
        (404, VendorHTTPError, "HTTP 404: no such thing"),
    ]:
        with pytest.raises(kind, match=words.replace("(", r"\(")) as info:
            check(_response({"error": {"message": "no such thing"}}, status))
        assert str(info.value).startswith("Anthropic organisation 'acme', GET /v1/x, page 4: ")
        assert info.value.response is not None  # dlt's retry reads the status (and Retry-After) from it
    with pytest.raises(VendorResponseError, match="malformed JSON"):
        check(_response('{"data": ['))
    with pytest.raises(VendorResponseError, match="unexpected response shape"):
        response_check(position, HttpSettings(), list_object="list")(_response({"data": []}))


def test_transport_error_says_what_happened_after_the_retries():
    position = PagePosition(ACCOUNT)
    position.path, position.page = "/v1/x", 2
    err = transport_error(requests.exceptions.ChunkedEncodingError("x"), position, HttpSettings(max_attempts=3))
    assert isinstance(err, VendorTransportError)
    assert str(err) == (
        "Anthropic organisation 'acme', GET /v1/x, page 2: the response body was cut off (truncated "
        "page) after 3 attempts"
    )
