"""Who answered: the replies to a bulk's messages, through the client against the fake LOX24 on
loopback, checked against every reply of the account read the long way."""

from __future__ import annotations

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve
from lox24tui.insight.replies import replies_among
from tests.long_way import every_message

BULK = "5e7d0c00-4699-11ea-a637-96000028b339"


def account(clock: VirtualClock, *quirks: str) -> SimulatedAccount:
    made = SimulatedAccount.demo(clock.now(), history=0)
    made.add(
        SimBulk(
            uuid=BULK,
            created_at=clock.now() - 3 * 86_400,
            delivery_at=clock.now() - 3 * 86_400,
            recipients=600,
            send_seconds=60,
            label="Answered",
            quirks=frozenset(quirks),
        )
    )
    return made


async def every_reply(client: Lox24Client) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    page: int | None = 1
    while page is not None:
        result = await client.list_replies(page=page)
        found.extend(reply.model_dump(by_alias=True) for reply in result.items)
        page = result.next_page if result.items else None
    return found


async def test_every_reply_to_the_bulk_is_found_page_by_page(clock: VirtualClock) -> None:
    fake = FakeLox24(account(clock), clock=clock)
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        ours = {str(m["uuid"]) for m in await every_message(client, BULK)}
        expected = {str(r["uuid"]) for r in await every_reply(client) if r["msg_uuid"] in ours}
        guarded = GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock))
        found: set[str] = set()
        page: int | None = 1
        checked = requests = 0
        while page is not None:
            among = await replies_among(guarded, BULK, page=page)
            found |= {str(reply.uuid) for reply in among.replies}
            checked += among.checked
            requests += among.requests
            page = among.next_page
    assert expected and found == expected
    assert among.sent is not None and checked == among.sent  # every sent message, once
    assert requests == 2 * -(-among.sent // 30)  # a page of messages and one ask per page


async def test_replies_no_msg_uuid_ties_are_not_claimed(clock: VirtualClock) -> None:
    """Where LOX24 leaves msg_uuid empty, nothing can tie a reply to the bulk: none is claimed."""
    fake = FakeLox24(account(clock, "replies_unlinked"), clock=clock)
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        assert await every_reply(client)  # the account has replies
        among = await replies_among(client, BULK)
    assert among.replies == () and among.checked == 30


async def test_the_guarded_client_pages_replies_and_opt_outs_as_asked(clock: VirtualClock) -> None:
    """Screens and the retry list page through the guarded client: a later page is that page,
    not the first one again."""
    fake = FakeLox24(account(clock), clock=clock)
    fake.page_size = 3
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        guarded = GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock))
        for page in (1, 2):
            direct, through = (
                await client.list_replies(page=page),
                await guarded.list_replies(page=page),
            )
            assert through.items and through.items == direct.items
            opt_outs = await guarded.list_opt_outs(page=page)
            assert (
                opt_outs.items and opt_outs.items == (await client.list_opt_outs(page=page)).items
            )
        first, second = await guarded.list_replies(page=1), await guarded.list_replies(page=2)
        assert not {r.uuid for r in first.items} & {r.uuid for r in second.items}
