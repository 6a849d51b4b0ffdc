"""The client against httpx.MockTransport: the odd responses the fake does not produce."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lox24tui.api import (
    AccountNotActive,
    BulkFilters,
    BulkNotFound,
    InvalidBulkId,
    InvalidToken,
    Lox24Client,
    Lox24Error,
    NetworkError,
    RateLimited,
    ServerError,
    Token,
    UnexpectedStatus,
    UnreadableResponse,
)

SECRET = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"
BULK = "da0fa78c-4699-11ea-a637-96000028b339"
REQUEST_ID = "a1B2c3D4e5F6a7B8c9D0e1F2a3B4c5D6"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that answers one way and remembers what it was sent."""

    def __init__(self, respond: Handler) -> None:
        self.respond = respond
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.respond(request)


def answering(
    status: int = 200,
    body: object = None,
    *,
    text: str | None = None,
    headers: dict[str, str] | None = None,
) -> Recorder:
    def respond(_: httpx.Request) -> httpx.Response:
        all_headers = {"X-LOX24-REQUEST-ID": REQUEST_ID, **(headers or {})}
        if text is not None:
            return httpx.Response(status, text=text, headers=all_headers)
        return httpx.Response(status, json=body, headers=all_headers)

    return Recorder(respond)


def raising(exc: Exception) -> Recorder:
    def respond(_: httpx.Request) -> httpx.Response:
        raise exc

    return Recorder(respond)


def client_for(recorder: Recorder, **options: object) -> Lox24Client:
    return Lox24Client(
        Token(SECRET),
        "https://lox24.test",
        transport=httpx.MockTransport(recorder),
        **options,  # type: ignore[arg-type]
    )


async def test_a_status_request_carries_auth_user_agent_and_accept() -> None:
    recorder = answering(body={"uuid": BULK, "status_code": 10, "price": 1.5})
    async with client_for(recorder) as client:
        reply = await client.get_bulk_status(BULK)
    (request,) = recorder.requests
    assert request.url == f"https://lox24.test/bulks/{BULK}/status"
    assert request.headers["X-LOX24-AUTH-TOKEN"] == SECRET
    assert request.headers["User-Agent"].startswith("lox24tui/")
    assert request.headers["Accept"] == "application/json"
    assert reply.status.status_code == 10
    assert reply.status.price == Decimal("1.5")
    assert reply.request_id == REQUEST_ID
    assert json.loads(reply.raw_json)["uuid"] == BULK


AS_SENT = (
    '{"uuid":"' + BULK + '",  "status_code": 10,\n "price": 1.50, "note": "Grüße 👋", '
    '"x-new": [1, {"a": null}], "msg_total_count" : 3}'
)
"""A body as no serializer of ours would write it: spacing, key order, a price of 1.50,
characters beyond ASCII, keys the contract does not know."""


async def test_the_body_shown_is_the_one_lox24_sent_character_for_character() -> None:
    async with client_for(answering(text=AS_SENT)) as client:
        reply = await client.get_bulk_status(BULK)
    assert reply.raw_json == AS_SENT


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=12,
)


@given(
    fields=st.dictionaries(st.text(), json_values, max_size=8),
    separators=st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
    ascii_only=st.booleans(),
)
@settings(max_examples=60, deadline=None)
async def test_any_status_body_is_kept_exactly(
    fields: dict[str, object], separators: tuple[str, str], ascii_only: bool
) -> None:
    body = json.dumps(
        {"uuid": BULK, "status_code": 5, **fields}, separators=separators, ensure_ascii=ascii_only
    )
    async with client_for(answering(text=body)) as client:
        reply = await client.get_bulk_status(BULK)
    assert reply.raw_json == body


@pytest.mark.parametrize(
    "bad_id",
    [
        "../me",
        "x?y=",
        "",
        " ",
        "da0fa78c-4699-11ea-a637-96000028b33",
        f"{BULK}/../../me",
        "da0fa78c4699-11ea-a637-96000028b339",
        "{da0fa78c-4699-11ea-a637-96000028b339}",
    ],
)
async def test_anything_but_a_uuid_is_refused_before_any_request(bad_id: str) -> None:
    recorder = answering(body={})
    async with client_for(recorder) as client:
        with pytest.raises(InvalidBulkId) as caught:
            await client.get_bulk_status(bad_id)
    assert recorder.requests == []
    assert "not a LOX24 bulk id" in str(caught.value)


async def test_upper_case_ids_are_accepted_and_sent_lower_case() -> None:
    recorder = answering(body={"uuid": BULK})
    async with client_for(recorder) as client:
        reply = await client.get_bulk_status(f"  {BULK.upper()}\n")
    assert reply.bulk_id == BULK
    assert recorder.requests[0].url.path == f"/bulks/{BULK}/status"


async def test_ld_json_is_asked_for_and_read() -> None:
    body = {"@context": "/contexts/Bulk", "@id": f"/bulks/{BULK}", "@type": "Bulk", "uuid": BULK}
    recorder = answering(body=body)
    async with client_for(recorder, accept="application/ld+json") as client:
        reply = await client.get_bulk_status(BULK)
    assert recorder.requests[0].headers["Accept"] == "application/ld+json"
    assert reply.status.json_ld_id == f"/bulks/{BULK}"
    assert reply.status.json_ld_type == "Bulk"


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (401, InvalidToken, "invalid_token"),
        (403, AccountNotActive, "account_not_active"),
        (404, BulkNotFound, "not_found"),
        (429, RateLimited, "rate_limited"),
        (500, ServerError, "server_error"),
        (502, ServerError, "server_error"),
        (503, ServerError, "server_error"),
        (504, ServerError, "server_error"),
        (400, UnexpectedStatus, "unexpected_status"),
        (418, UnexpectedStatus, "unexpected_status"),
    ],
)
async def test_each_http_error_becomes_its_own_type(
    status: int, error_type: type[Lox24Error], kind: str
) -> None:
    recorder = answering(status, {"hydra:title": "An error occurred", "hydra:description": "Nope."})
    async with client_for(recorder) as client:
        with pytest.raises(error_type) as caught:
            await client.get_bulk_status(BULK)
    error = caught.value
    assert error.kind == kind
    assert error.http_status == status
    assert error.request_id == REQUEST_ID
    assert error.detail == "Nope."
    assert REQUEST_ID in str(error)
    assert error.to_dict() == {
        "kind": kind,
        "message": str(error),
        "http_status": status,
        "request_id": REQUEST_ID,
    }


async def test_not_found_names_the_bulk() -> None:
    async with client_for(answering(404, {"title": "Not Found", "detail": "Not Found"})) as client:
        with pytest.raises(BulkNotFound) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.bulk_id == BULK
    assert BULK in str(caught.value)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ({"Retry-After": "120"}, 120.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({}, None),
        ({"Retry-After": "soon"}, None),
    ],
)
async def test_rate_limit_carries_retry_after_when_given(
    header: dict[str, str], seconds: float | None
) -> None:
    async with client_for(answering(429, None, text="", headers=header)) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.retry_after == seconds
    assert ("ten minutes" in str(caught.value)) is (seconds is None)


async def test_an_http_date_retry_after_in_the_future_becomes_seconds() -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    now = datetime(2026, 11, 29, 7, 12, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=300), usegmt=True)
    recorder = answering(429, None, text="", headers={"Retry-After": later})
    async with client_for(recorder, now=now.timestamp) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.retry_after == 300


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (httpx.ConnectError("[Errno 111] Connection refused"), "Connection refused"),
        (httpx.ConnectError("[Errno -2] Name or service not known"), "Name or service not known"),
        (httpx.ReadTimeout("timed out"), "no answer within 10 s"),
        (httpx.ConnectTimeout("timed out"), "no answer within 10 s"),
        (httpx.ReadError("[Errno 104] Connection reset by peer"), "Connection reset by peer"),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            "disconnected",
        ),
    ],
)
async def test_network_failures_become_network_errors(exc: Exception, reason: str) -> None:
    async with client_for(raising(exc)) as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_bulk_status(BULK)
    assert reason in str(caught.value)
    assert caught.value.http_status is None
    assert caught.value.__cause__ is None or SECRET not in repr(caught.value.__cause__)


@pytest.mark.parametrize(
    ("text", "content_type", "reason"),
    [
        ("<html><head><title>502 Bad Gateway</title></head></html>", "text/html", "HTML page"),
        ("", "application/json", "empty"),
        ('{"uuid": "da0fa78c-4699-11ea-a637-9600', "application/json", "truncated"),
        ('{"uuid": oops}', "application/json", "not valid JSON"),
        ('["a", "list"]', "application/json", "expected a JSON object, got list"),
        ('"just a string"', "application/json", "expected a JSON object, got str"),
    ],
)
async def test_unreadable_200_responses_become_unreadable_response(
    text: str, content_type: str, reason: str
) -> None:
    recorder = answering(200, text=text, headers={"Content-Type": content_type})
    async with client_for(recorder) as client:
        with pytest.raises(UnreadableResponse) as caught:
            await client.get_bulk_status(BULK)
    assert reason in str(caught.value)
    assert caught.value.request_id == REQUEST_ID


async def test_an_html_error_page_is_summarised_by_its_title() -> None:
    page = "<html><head><title>503 Service Unavailable</title></head><body><h1>x</h1></body></html>"
    async with client_for(
        answering(503, text=page, headers={"Content-Type": "text/html"})
    ) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.detail == "503 Service Unavailable"


async def test_escape_sequences_in_an_error_body_are_not_passed_on() -> None:
    body = {"detail": "bad \x1b[31mred\x1b[0m thing\x07"}
    async with client_for(answering(500, body)) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.detail == "bad [31mred[0m thing"
    assert "\x1b" not in str(caught.value)


@pytest.mark.parametrize("status", [401, 403, 404, 429, 500, 418, 200])
async def test_the_token_is_in_no_error_text_or_repr_even_when_echoed(status: int) -> None:
    echo = {"detail": f"token {SECRET} is not valid", "token": SECRET}
    text = json.dumps(echo) if status != 200 else f"<html>{SECRET}</html>"
    async with client_for(answering(status, text=text)) as client:
        with pytest.raises(Lox24Error) as caught:
            await client.get_bulk_status(BULK)
    error = caught.value
    for shown in (str(error), repr(error), json.dumps(error.to_dict()), repr(error.args)):
        assert SECRET not in shown
        assert SECRET.partition(":")[2] not in shown
    assert repr(client.token) == "Token('7654321:c0ff…')"


async def test_the_token_is_in_no_network_error() -> None:
    async with client_for(raising(httpx.ConnectError("refused"))) as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_bulk_status(BULK)
    assert SECRET not in str(caught.value) and SECRET not in repr(caught.value)


async def test_list_bulks_reads_a_plain_array_and_asks_newest_first() -> None:
    recorder = answering(body=[{"uuid": BULK, "status_code": 10, "text": "hi"}])
    async with client_for(recorder) as client:
        page = await client.list_bulks(page=2, filters=BulkFilters(status_codes=(0, 5)))
    assert [item.uuid for item in page.items] == [BULK]
    assert page.items[0].text == "hi"
    assert page.next_page == 3 and page.total is None
    params = recorder.requests[0].url.params
    assert params["_order[created_at]"] == "desc"
    assert params["page"] == "2"
    assert params.get_list("status_code[]") == ["0", "5"]


async def test_list_bulks_reads_a_hydra_collection_with_paging() -> None:
    body = {
        "@context": "/contexts/Bulk",
        "@id": "/bulks",
        "@type": "hydra:Collection",
        "hydra:member": [{"@id": f"/bulks/{BULK}", "uuid": BULK}],
        "hydra:totalItems": 31,
        "hydra:view": {
            "@id": "/bulks?page=1",
            "hydra:next": "/bulks?_order%5Bcreated_at%5D=desc&page=2",
        },
    }
    async with client_for(answering(body=body)) as client:
        page = await client.list_bulks()
    assert page.total == 31 and page.next_page == 2
    assert page.items[0].json_ld_id == f"/bulks/{BULK}"


async def test_an_empty_last_page_has_no_next() -> None:
    async with client_for(answering(body=[])) as client:
        page = await client.list_bulks(page=4)
    assert page.items == [] and page.next_page is None


async def test_check_token_uses_me() -> None:
    recorder = answering(body={"id": 7654321})
    async with client_for(recorder) as client:
        account = await client.check_token()
    assert account == {"id": 7654321}
    assert recorder.requests[0].url.path == "/me"


@pytest.mark.parametrize(
    "text",
    ['{"status_code": ' + "9" * 5000 + "}", "[" * 100_000, '{"a": ' * 50_000],
)
async def test_json_too_big_or_too_deep_is_unreadable_not_a_crash(text: str) -> None:
    async with client_for(answering(200, text=text)) as client:
        with pytest.raises(UnreadableResponse):
            await client.get_bulk_status(BULK)


async def test_an_error_page_with_absurd_json_still_maps_to_its_status() -> None:
    async with client_for(answering(503, text="[" * 100_000)) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.detail is not None and len(caught.value.detail) <= 200


@pytest.mark.parametrize("value", ["inf", "nan", "-5"])
async def test_odd_retry_after_values(value: str) -> None:
    async with client_for(answering(429, None, text="", headers={"Retry-After": value})) as client:
        with pytest.raises(RateLimited) as caught:
            await client.get_bulk_status(BULK)
    assert caught.value.retry_after in (None, 0.0)


@pytest.mark.parametrize(
    "bad", ["1234567:abc def", "1234567:abc\ndef", "1234567:e3f3…", "1234567:ab\x00cd", "\t"]
)
def test_a_token_that_cannot_be_a_header_is_refused_without_showing_it(bad: str) -> None:
    with pytest.raises(ValueError) as caught:
        Token(bad)
    assert bad.strip() not in str(caught.value) or not bad.strip()


async def test_a_unicode_page_number_in_hydra_next_is_ignored() -> None:
    body = {"hydra:member": [], "hydra:view": {"hydra:next": "/bulks?page=²"}}
    async with client_for(answering(body=body)) as client:
        page = await client.list_bulks()
    assert page.next_page is None
