"""Clicks on a bulk's short links, through the client against the fake LOX24 on loopback: every
click counted, newest first, and nothing personal kept."""

from __future__ import annotations

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24

LINKED = "Black Friday newsletter"
"""The demo bulk whose text holds a link."""


def bulk_of(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


async def test_every_click_is_listed_newest_first_with_nothing_personal_kept(
    client: Lox24Client, fake: FakeLox24, clock: VirtualClock
) -> None:
    clock.advance(3600)
    bulk = bulk_of(fake, LINKED)
    guarded = GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock))  # as screens
    clicks = []
    page: int | None = 1
    total = None
    while page is not None:
        result = await guarded.list_clicks(bulk, page=page)
        clicks.extend(result.items)
        total = result.total
        page = result.next_page if result.items else None
    assert total is not None and total == len(clicks) > 30  # more than one page
    dates = [click.date for click in clicks]
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    for click in clicks:
        kept = click.model_dump() | (click.model_extra or {})
        assert not {"ip", "user_agent", "referer"} & set(kept)
        assert "198.51.100." not in repr(click)
    assert {click.software_type for click in clicks} >= {"browser", "link previewer"}


async def test_a_bulk_without_a_link_has_no_clicks(client: Lox24Client, fake: FakeLox24) -> None:
    result = await client.list_clicks(bulk_of(fake, "Store opening reminder"))
    assert result.items == [] and result.total == 0
