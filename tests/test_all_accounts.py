"""Every account's rows as one list, without a terminal: the demo's shop (EUR) and its Swiss
branch (CHF), each with its own list, engine and client on one fake server on loopback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import serve
from lox24tui.session.all_accounts import AccountSession, AccountTag, AllAccounts
from lox24tui.session.events import Notice, RowsChanged, SessionEvent
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.store import WatchList

SHOP = AccountTag("shop", "Shop", "cyan")
SWISS = AccountTag("swiss", "Swiss branch", "magenta")


@dataclass
class Two:
    accounts: AllAccounts
    shop: WatchSession
    swiss: WatchSession
    shop_ids: list[str]
    swiss_ids: list[str]
    clock: VirtualClock
    heard: list[SessionEvent]
    fake: FakeLox24
    clients: dict[str, Lox24Client]

    async def refreshed(self) -> None:
        """Each engine answers what is due, and the screens' flush takes it."""
        for session in (self.shop, self.swiss):
            await asyncio.wait_for(session.monitor.wait_idle(), 10)
        self.accounts.flush()


@pytest.fixture
async def two(tmp_path: Path) -> AsyncIterator[Two]:
    clock = VirtualClock()
    shop_account = SimulatedAccount.demo(clock.now())
    swiss_account = SimulatedAccount.swiss_demo(clock.now())
    fake = FakeLox24(shop_account, clock=clock, more_accounts={SWISS_TOKEN: swiss_account})
    async with (
        serve(fake) as url,
        Lox24Client(Token(FAKE_TOKEN), url) as shop_client,
        Lox24Client(Token(SWISS_TOKEN), url) as swiss_client,
    ):
        sessions = []
        for name, client, simulated in (
            ("shop", shop_client, shop_account),
            ("swiss", swiss_client, swiss_account),
        ):
            watchlist = WatchList(tmp_path / f"{name}.json", now=clock.now)
            watchlist.add_many(simulated.watched_demo_ids())
            monitor = Monitor(client, interval=5, clock=clock)
            sessions.append(WatchSession(watchlist, monitor, clock))
        shop, swiss = sessions
        accounts = AllAccounts([AccountSession(SHOP, shop), AccountSession(SWISS, swiss)])
        heard: list[SessionEvent] = []
        accounts.listen(heard.append)
        for session in sessions:
            session.monitor.start()
        try:
            two = Two(
                accounts,
                shop,
                swiss,
                list(shop.ids),
                list(swiss.ids),
                clock,
                heard,
                fake,
                {"shop": shop_client, "swiss": swiss_client},
            )
            await two.refreshed()
            yield two
        finally:
            for session in sessions:
                await session.monitor.stop()


async def test_the_rows_are_each_account_s_in_account_order(two: Two) -> None:
    accounts = two.accounts
    assert accounts.several
    assert accounts.ids == two.shop_ids + two.swiss_ids
    assert set(accounts.states) == set(two.shop_ids) | set(two.swiss_ids)
    for bulk_id in two.swiss_ids:
        assert accounts.session_of(bulk_id) is two.swiss
        assert accounts.tag_of(bulk_id) == SWISS
        assert accounts.label_of(bulk_id) == two.swiss.label_of(bulk_id)
        assert accounts.states[bulk_id] is two.swiss.states[bulk_id]
    assert accounts.tag_of(two.shop_ids[0]) == SHOP
    # both answered: one batch of rows from each account
    rows = {b for e in two.heard if isinstance(e, RowsChanged) for b in e.bulk_ids}
    assert rows == set(accounts.ids)
    assert accounts.is_current


async def test_the_summary_counts_every_row_and_adds_no_amounts_of_two_currencies(
    two: Two,
) -> None:
    shop, swiss = two.shop.summary(), two.swiss.summary()
    both = two.accounts.summary()
    assert both.watched == shop.watched + swiss.watched == len(two.accounts.ids)
    assert both.total_messages == shop.total_messages + swiss.total_messages
    assert both.total_price == shop.total_price + swiss.total_price
    for label in set(shop.by_status) | set(swiss.by_status):
        assert both.by_status[label] == shop.by_status.get(label, 0) + swiss.by_status.get(label, 0)
    # no currency is known before the balances are read; then two: no one currency
    assert two.accounts.currency is None
    shop_me = await two.clients["shop"].get_account()
    two.shop.balance.seen(shop_me)
    two.swiss.balance.seen(await two.clients["swiss"].get_account())
    assert two.accounts.currency_of(two.swiss_ids[0]) == "CHF"
    assert two.accounts.currency_of(two.shop_ids[0]) == "EUR"
    assert two.accounts.currency is None
    two.swiss.balance.seen(shop_me)  # were they the same, it would be the one
    assert two.accounts.currency == "EUR"


async def test_actions_on_a_bulk_go_to_its_own_account(two: Two, tmp_path: Path) -> None:
    accounts = two.accounts
    gone = two.swiss_ids[0]
    assert accounts.remove(gone)
    assert gone not in two.swiss.watchlist and gone not in accounts.ids
    assert list(two.shop.ids) == two.shop_ids  # the other list untouched
    assert accounts.undo_removal.can_undo
    other = two.shop_ids[-1]
    assert accounts.remove(other)
    accounts.undo_removal.undo()  # the last removal first: the shop's
    assert other in two.shop.watchlist and gone not in two.swiss.watchlist
    accounts.undo_removal.undo()  # then the Swiss branch's, back into its own list
    assert gone in two.swiss.watchlist and gone not in two.shop.watchlist
    assert not accounts.undo_removal.can_undo
    accounts.set_label(gone, "Renamed")
    assert two.swiss.label_of(gone) == "Renamed" and accounts.name_of(gone) == "Renamed"
    target = tmp_path / "both.json"
    wanted = [two.swiss_ids[1], two.shop_ids[0]]
    accounts.export(str(target), wanted)
    assert [r["id"] for r in json.loads(target.read_text())] == wanted
    assert Notice(f"Exported 2 bulks to {target}", "information", 5) in two.heard


async def test_pausing_holds_every_engine_and_a_refresh_goes_to_its_account(two: Two) -> None:
    engines = two.accounts.engine
    engines.pause()
    assert engines.held and two.shop.engine.held and two.swiss.engine.held
    engines.resume()
    assert not engines.held
    swiss_bulk = two.swiss_ids[0]
    asked = len(_status_requests(two, swiss_bulk))
    assert engines.refresh(swiss_bulk) is None
    await two.refreshed()
    assert len(_status_requests(two, swiss_bulk)) == asked + 1
    assert engines.interval == 5
    assert engines.failure is None
    two.swiss.engine.failed("broken")
    assert engines.failure == "broken"


def _status_requests(two: Two, bulk_id: str) -> list[object]:
    return list(two.fake.requests(f"/bulks/{bulk_id}/status"))


def test_one_account_is_that_account_s_session_as_it_was(tmp_path: Path) -> None:
    clock = VirtualClock()
    watchlist = WatchList(tmp_path / "one.json", now=clock.now)
    watchlist.add_many([("00000000-0000-1000-8000-000000000001", "One")])

    class Unused:
        async def get_bulk_status(self, bulk_id: str) -> object:
            raise AssertionError("nothing is fetched")

    session = WatchSession(watchlist, Monitor(Unused(), clock=clock), clock)  # type: ignore[arg-type]
    one = AllAccounts([AccountSession(AccountTag(None, "default"), session)])
    assert not one.several
    assert one.tag_of(watchlist.ids[0]) is None  # no account column
    assert one.engine.stop_of(watchlist.ids[0]) is None
    assert one.ids == session.ids and one.summary() == session.summary()
    with pytest.raises(ValueError, match="at least one account"):
        AllAccounts([])
