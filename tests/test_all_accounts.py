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
        for session in sessions:
            session.listen(heard.append)
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
    monitor = Monitor(_Unused(), clock=clock)  # type: ignore[arg-type]
    session = WatchSession(watchlist, monitor, clock, archive_after=6, demo=True)
    heard: list[SessionEvent] = []
    session.listen(heard.append)
    one = AllAccounts([AccountSession(AccountTag(None, "default"), session)])
    assert not one.several
    assert one.tag_of(watchlist.ids[0]) is None  # no account column
    assert one.engine.stop_of(watchlist.ids[0]) is None
    assert one.ids == session.ids and one.summary() == session.summary()
    session.engine.wait_for_token()  # one account: the bar says it, the rows stay as they were
    assert one.engine.stop_of(watchlist.ids[0]) is None
    assert (one.archive_after, one.demo, one.clock) == (6, True, clock)  # the A key, the badge
    one.undo_removal.undo()
    assert heard == [Notice("Nothing to undo.", "warning", 5)]
    target = tmp_path / "one-export.json"
    one.export(str(target), watchlist.ids)
    assert [r["label"] for r in json.loads(target.read_text())] == ["One"]
    with pytest.raises(ValueError, match=r"^a dashboard shows at least one account$"):
        AllAccounts([])


async def test_what_the_pane_and_the_keys_ask_of_a_bulk_its_own_account_answers(
    two: Two,
) -> None:
    """The Swiss branch is read-only here: canceling is never offered for its bulks, while
    the shop's still sending can be canceled; clicks being read are its account's."""
    accounts = two.accounts
    two.swiss.read_only = True
    await _on_a_minute(two)
    shop_sending = next(b for b in two.shop_ids if accounts.can_cancel(b))
    swiss_bulk = two.swiss_ids[0]
    assert not accounts.can_cancel(swiss_bulk)
    assert accounts.why_no_cancel(swiss_bulk) == two.swiss.why_no_cancel(swiss_bulk)
    assert "read-only" in (accounts.why_no_cancel(swiss_bulk) or "")
    assert accounts.why_no_cancel(shop_sending) is None
    for bulk_id in (swiss_bulk, shop_sending):
        session = accounts.session_of(bulk_id)
        assert accounts.timeline(bulk_id) == session.timeline(bulk_id)
        assert accounts.progress(bulk_id) == session.progress(bulk_id)
        assert accounts.previous_reply(bulk_id) == session.previous_reply(bulk_id)
        assert not accounts.is_archived(bulk_id)
    assert accounts.archived_count() == 0
    # a bulk someone looks at: read once, by its own account, until released
    sent = next(b for b in two.swiss_ids if accounts.states[b].reply is not None)
    state, now = accounts.states[sent], two.clock.now()
    assert accounts.engagement.due(state, now) == two.swiss.engagement.due(state, now)
    assert accounts.engagement.claim(state, now)
    assert two.swiss.engagement.reading(sent) and accounts.engagement.reading(sent)
    assert not two.shop.engagement.reading(sent)
    assert not accounts.engagement.claim(state, now)  # once at a time
    accounts.engagement.release(sent)
    assert not accounts.engagement.reading(sent)
    assert accounts.engagement.get(sent) is None  # nothing read yet
    accounts.engagement.show_in_table(True)
    assert two.shop.engagement.in_table and two.swiss.engagement.in_table
    assert accounts.engagement.in_table


async def _on_a_minute(two: Two) -> None:
    for _ in range(12):
        two.clock.advance(5)
        await two.refreshed()


async def test_the_summary_says_a_pause_and_counts_a_stopped_account_s_bulks_as_its_stop(
    two: Two, tmp_path: Path
) -> None:
    accounts = two.accounts
    both = accounts.summary()
    assert not both.paused and both.breaker is None
    parts = [two.shop.summary(), two.swiss.summary()]
    assert both.requests_sent == sum(s.requests_sent for s in parts) > parts[0].requests_sent
    assert both.in_flight == sum(s.in_flight for s in parts)
    two.swiss.engine.pause()  # the person paused it: the bar says so
    paused = accounts.summary()
    assert paused.paused and paused.pause_reason == "by you"
    two.swiss.engine.resume()
    # a third account with no token yet: nothing checks its bulks, and the counts say why
    watchlist = WatchList(tmp_path / "third.json", now=two.clock.now)
    watchlist.add_many([("00000000-0000-1000-8000-0000000000c1", "Waiting")])
    third = WatchSession(watchlist, Monitor(_Unused(), clock=two.clock), two.clock)  # type: ignore[arg-type]
    three = AllAccounts([*accounts.accounts, AccountSession(AccountTag("third", "Third"), third)])
    assert three.summary().by_status.get("pending") == 1  # not asked yet: checking
    third.engine.wait_for_token()
    summary = three.summary()
    assert summary.by_status.get("no token") == 1 and "pending" not in summary.by_status
    assert not summary.paused  # the waiting account's own line says it, not the whole bar
    assert three.engine.stop_of(watchlist.ids[0]) == "no token"
    assert three.engine.stop_of(two.shop_ids[0]) is None
    assert three.engine.stops()[AccountTag("third", "Third")] == "no token"


class _Unused:
    async def get_bulk_status(self, bulk_id: str) -> object:
        raise AssertionError("nothing is fetched")


async def test_an_id_no_account_lists_belongs_to_the_first(two: Two) -> None:
    unknown = "00000000-0000-1000-8000-0000000000ff"
    assert two.accounts.session_of(unknown) is two.shop
    with pytest.raises(KeyError):
        two.accounts.states[unknown]


async def test_a_bulk_another_process_removed_from_one_account_s_list_can_be_put_back(
    two: Two, tmp_path: Path
) -> None:
    gone = two.swiss_ids[1]
    WatchList.load(two.swiss.watchlist.path)[0].remove(gone)  # lox24tui watch remove, say
    two.swiss.file.follow()
    assert gone not in two.accounts.ids and two.accounts.undo_removal.can_undo
    two.accounts.undo_removal.undo()
    assert gone in two.swiss.watchlist and gone in two.accounts.ids
    assert not two.accounts.undo_removal.can_undo
