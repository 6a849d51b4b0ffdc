"""Several accounts in one dashboard: the demo's shop (EUR) and its Swiss branch (CHF) side by
side, as ``lox24tui --demo`` shows them, on one simulated LOX24 server.

Each account keeps its own list, token and engine; the table joins their rows, with an account
column, and the summary bar gives each account a line with its totals and balance in its own
currency. A refused token stops that account only; a 429 is the server's, so every account on it
waits."""

from __future__ import annotations

import json
import socket
import time
from dataclasses import replace
from pathlib import Path

import pytest
from textual.widgets import Input, Static, TextArea

from lox24tui.alerts.rules import AlertRule
from lox24tui.api import Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.all_accounts import AccountTag
from lox24tui.session.config import Locations, Settings, load_settings
from lox24tui.state.history import History
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.account_picker import AccountPicker
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.damaged_list import DamagedListScreen
from lox24tui.tui.screens.discover import DiscoverScreen
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.setup import DEMO_SHOP, DEMO_SWISS, demo_setup, real_setup
from tests.cli_process import WRONG
from tests.conftest import write_config
from tests.tui.dashboard_driver import (
    cell,
    palette_search,
    pane_text,
    shown_ids,
    summary_text,
)

from .conftest import advance, fake_of, main_of, opened, settle, until

BOTH = (160, 45)


def SWISS_LIST(locations: Locations) -> Path:
    return locations.data_dir / "demo-watchlist-swiss.json"


def both_accounts(
    locations: Locations, settings: Settings | None = None, **changes: object
) -> Lox24App:
    """The demo as ``lox24tui --demo`` shows it: both simulated accounts, on a virtual clock;
    ``changes`` to the Swiss branch's setup (a wrong token, say)."""
    settings = settings or Settings(archive_after=0)
    setup = demo_setup(settings, locations, clock=VirtualClock(), seed=7)
    setup.notify_writer = lambda text: None
    (swiss,) = setup.others
    swiss.notify_writer = setup.notify_writer
    for name, value in changes.items():
        setattr(swiss, name, value)
    return Lox24App(setup)


def account_line(app: Lox24App, label: str) -> str:
    """The summary bar's line of one account."""
    return next(line for line in summary_text(app).splitlines() if f"■ {label}" in line)


def lists_of(fake: FakeLox24) -> tuple[set[str], set[str]]:
    """The ids each simulated account features (what each demo list starts with)."""
    (swiss,) = fake.more_accounts.values()
    return (
        {bulk_id for bulk_id, _ in fake.account.watched_demo_ids()},
        {bulk_id for bulk_id, _ in swiss.watched_demo_ids()},
    )


async def test_both_accounts_show_side_by_side_each_in_its_own_currency(
    locations: Locations,
) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH):
        shop_ids, swiss_ids = lists_of(fake_of(app))
        assert set(shown_ids(app)) == shop_ids | swiss_ids
        assert {cell(app, b, "account") for b in shop_ids} == {DEMO_SHOP.label}
        assert {cell(app, b, "account") for b in swiss_ids} == {DEMO_SWISS.label}
        # no one total of EUR and CHF: each account's line has its own, and its balance
        shop, swiss = account_line(app, "Shop"), account_line(app, "Swiss branch")
        assert "EUR" in shop and "CHF" not in shop
        assert "balance 180.00 CHF" in swiss and "EUR" not in swiss
        assert f"{len(swiss_ids)} watched" in swiss
        assert all(cell(app, b, "cost").endswith("CHF") for b in swiss_ids)
        assert all(cell(app, b, "cost").endswith("EUR") for b in shop_ids)
        # each list is its own file: nothing of one account is written into the other's
        assert set(WatchList.load(locations.demo_watchlist_file)[0].ids) == shop_ids
        assert set(WatchList.load(SWISS_LIST(locations))[0].ids) == swiss_ids


async def test_a_refused_token_stops_its_own_account_and_the_other_refreshes_on(
    locations: Locations,
) -> None:
    app = both_accounts(locations, token=Token(WRONG))
    async with opened(app, BOTH) as pilot:
        fake = fake_of(app)
        shop_ids, swiss_ids = lists_of(fake)
        await until(
            pilot, lambda: "token refused" in account_line(app, "Swiss branch"), "swiss stopped"
        )
        assert "token refused" not in account_line(app, "Shop")
        asked_before = len(fake.requests("/bulks/"))
        await advance(app, pilot, 60)
        await settle(app, pilot)
        refused = [r for r in fake.log if r.status == 401]
        assert len(refused) == 1  # one refusal, then the Swiss engine waits for a person
        asked = {r.path.split("/")[2] for r in fake.requests("/bulks/")[asked_before:]}
        assert asked & shop_ids and not asked & swiss_ids  # the shop is refreshed on
        # every row of the Swiss branch says why it is not checked; none of the shop's does
        assert {cell(app, b, "fresh") for b in swiss_ids} == {"⚠ token refused"}
        assert not any("refused" in cell(app, b, "fresh") for b in shop_ids)
        assert "checking" not in summary_text(app)  # nothing is: the counts say why


async def test_a_429_holds_every_account_on_that_server(locations: Locations) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH) as pilot:
        fake_of(app).fail("status", status=429, times=1)
        await pilot.press("R")
        await until(
            pilot,
            lambda: all("rate limited" in account_line(app, a) for a in ("Shop", "Swiss branch")),
            "both accounts held",
        )


async def test_adding_asks_which_account_and_writes_only_its_list(
    locations: Locations,
) -> None:
    app = both_accounts(locations)
    new = "fe1bd1d4-0000-1000-8000-0000000000aa"
    async with opened(app, BOTH) as pilot:
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, AccountPicker), "no question")
        await pilot.press("down", "enter")  # the Swiss branch
        await until(pilot, lambda: isinstance(app.screen, AddBulksScreen), "no add dialog")
        dialog = app.screen
        dialog.query_one(TextArea).text = new
        dialog.query_one("#label", Input).value = "Lausanne"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: new in shown_ids(app), "the new row")
        assert cell(app, new, "account") == DEMO_SWISS.label
        assert new in WatchList.load(SWISS_LIST(locations))[0].ids
        assert new not in WatchList.load(locations.demo_watchlist_file)[0].ids


async def test_undo_puts_a_bulk_back_into_the_account_it_left(locations: Locations) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH) as pilot:
        _, swiss_ids = lists_of(fake_of(app))
        gone = sorted(swiss_ids)[0]
        main = main_of(app)
        main.table.select(gone)
        await pilot.press("d", "y")
        await until(pilot, lambda: gone not in shown_ids(app), "the row removed")
        await pilot.press("u")
        await until(pilot, lambda: gone in shown_ids(app), "the row back")
        assert cell(app, gone, "account") == DEMO_SWISS.label
        assert gone in WatchList.load(SWISS_LIST(locations))[0].ids


async def test_the_account_filter_shows_one_account(locations: Locations) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH) as pilot:
        shop_ids, swiss_ids = lists_of(fake_of(app))
        found = await palette_search(pilot, "only swiss")
        assert found[0].startswith("Show only Swiss branch")
        await pilot.press("enter")
        await until(pilot, lambda: set(shown_ids(app)) == swiss_ids, "swiss rows only")
        assert f"filter: {len(swiss_ids)} of" in summary_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: set(shown_ids(app)) == shop_ids | swiss_ids, "all again")
        await pilot.press("slash", *"@shop in progress")
        await until(pilot, lambda: bool(shown_ids(app)), "rows")
        assert set(shown_ids(app)) <= shop_ids
        assert all("in progress" in cell(app, b, "status") for b in shown_ids(app))


def test_one_demo_account_alone_is_the_demo_as_it_was(locations: Locations) -> None:
    """``--demo --account shop``: the shop alone, no account column, its list of old."""
    setup = demo_setup(Settings(), locations, clock=VirtualClock(), account="shop")
    assert setup.others == [] and setup.token == Token(FAKE_TOKEN)
    swiss = demo_setup(Settings(), locations, clock=VirtualClock(), account="swiss")
    assert swiss.others == [] and swiss.token == Token(SWISS_TOKEN)


async def test_an_export_holds_the_rows_of_both_accounts_in_the_order_shown(
    locations: Locations, tmp_path: Path
) -> None:
    app = both_accounts(locations)
    target = tmp_path / "both.json"
    async with opened(app, BOTH) as pilot:
        await pilot.press("x")
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        dialog.query_one(Input).value = str(target)
        await pilot.press("enter")
        await until(pilot, target.exists, "the export written")
        records = json.loads(target.read_text(encoding="utf-8"))
        assert [record["id"] for record in records] == shown_ids(app)
        shop_ids, swiss_ids = lists_of(fake_of(app))
        assert {record["id"] for record in records} == shop_ids | swiss_ids


def configure(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    """``text`` as the config file; the shop's and the Swiss branch's tokens in the variables
    it may name (SHOP_TOKEN, SWISS_TOKEN)."""
    write_config(text)
    monkeypatch.setenv("SHOP_TOKEN", FAKE_TOKEN)
    monkeypatch.setenv("SWISS_TOKEN", SWISS_TOKEN)


def test_the_dashboard_shows_every_account_of_the_config_unless_one_is_picked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    configure(
        monkeypatch,
        """
        [accounts.shop]
        api_url = "http://eur.example"
        token_env = "SHOP_TOKEN"
        colour = "cyan"
        label = "Shop EUR"

        [accounts.swiss]
        api_url = "http://chf.example"
        token_env = "SWISS_TOKEN"
        """,
    )
    setup = real_setup(load_settings(), Locations.default())
    assert [
        (s.tag, s.api_url, s.token, s.watchlist.path.name) for s in setup.accounts
    ] == [
        (AccountTag("shop", "Shop EUR", "cyan"), "http://eur.example", Token(FAKE_TOKEN),
         "watchlist-shop.json"),
        (AccountTag("swiss", "swiss"), "http://chf.example", Token(SWISS_TOKEN),
         "watchlist-swiss.json"),
    ]  # fmt: skip
    # the default account, when it has a token, comes first, with the list it always had
    monkeypatch.setenv("LOX24_TOKEN", WRONG)
    setup = real_setup(load_settings(), Locations.default())
    assert [s.tag.name for s in setup.accounts] == [None, "shop", "swiss"]
    assert setup.watchlist.path.name == "watchlist.json" and setup.token == Token(WRONG)
    # --account picks one: that account alone, as before
    monkeypatch.setenv("LOX24TUI_ACCOUNT", "swiss")
    setup = real_setup(load_settings(), Locations.default())
    assert setup.others == [] and setup.api_url == "http://chf.example"


def test_accounts_on_one_server_share_its_guard_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """One server, one guard state in the process (one set of places in flight, one warning
    when its file is damaged); another server, its own."""
    configure(
        monkeypatch,
        """
        [accounts.shop]
        api_url = "http://one.example"
        token_env = "SHOP_TOKEN"

        [accounts.outlet]
        api_url = "http://ONE.example/"
        token_env = "SHOP_TOKEN"

        [accounts.swiss]
        api_url = "http://two.example"
        token_env = "SWISS_TOKEN"
        """,
    )
    shop, outlet, swiss = real_setup(load_settings(), Locations.default()).accounts
    assert shop.guard_state is outlet.guard_state
    assert swiss.guard_state is not shop.guard_state


async def test_an_account_on_a_server_that_is_down_leaves_the_other_refreshing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two accounts on two servers (on loopback), one of them down: the one that answers
    fills its rows, and only the other account's line says unreachable."""
    shop = SimulatedAccount.demo(time.time())
    with socket.socket() as unused:  # a port nothing listens on: refused at once
        unused.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with serve_in_thread(FakeLox24(shop)) as url:
        configure(
            monkeypatch,
            f"""
            [accounts.shop]
            api_url = "{url}"
            token_env = "SHOP_TOKEN"

            [accounts.swiss]
            api_url = "{gone}"
            token_env = "SWISS_TOKEN"
            """,
        )
        locations = Locations.default()
        watched = shop.watched_demo_ids()[:3]
        WatchList(replace(locations, account="shop").watchlist_file).add_many(watched)
        WatchList(replace(locations, account="swiss").watchlist_file).add_many(
            [(b.replace("-80", "-90", 1), label) for b, label in watched]
        )
        setup = real_setup(load_settings(), locations)
        for account in setup.accounts:
            account.notify_writer = lambda text: None
        app = Lox24App(setup)
        async with opened(app, BOTH) as pilot:
            await until(pilot, lambda: "unreachable" in account_line(app, "swiss"), "swiss down")
            await until(
                pilot,
                lambda: all(app.watching.states[b].reply is not None for b, _ in watched),
                "the shop's rows filled",
            )
            assert "unreachable" not in account_line(app, "shop")


async def test_the_pane_names_the_account_of_its_bulk(locations: Locations) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH) as pilot:
        _, swiss_ids = lists_of(fake_of(app))
        bulk_id = sorted(swiss_ids)[0]
        main_of(app).table.select(bulk_id)
        await pilot.press("enter")
        await until(pilot, lambda: main_of(app).pane.bulk_id == bulk_id, "the pane open")
        assert "■ Swiss branch  @swiss" in pane_text(app)
        assert "CHF" in pane_text(app)  # its price in its own currency


async def test_two_damaged_lists_are_asked_about_one_after_the_other(
    locations: Locations,
) -> None:
    """Both accounts' list files cannot be read at start: one question at a time, and putting
    off the first brings the second (neither is dropped)."""
    lists = (locations.demo_watchlist_file, SWISS_LIST(locations))
    for path in lists:
        WatchList(path).add_many([("00000000-0000-1000-8000-0000000000d1", "Saved")])
        path.write_bytes(path.read_bytes()[:-5])
    app = both_accounts(locations)

    def question() -> str:
        screen = app.screen
        if not isinstance(screen, DamagedListScreen):
            return ""
        return "\n".join(str(widget.render()) for widget in screen.query(Static))

    async with app.run_test(size=BOTH, notifications=True) as pilot:
        await until(pilot, lambda: f"{lists[0]} cannot be read" in question(), "the first")
        await pilot.press("escape")  # later
        await until(pilot, lambda: f"{lists[1]} cannot be read" in question(), "the second")
        await pilot.press("escape")
        await until(pilot, lambda: not question(), "no third question")


async def test_an_account_wide_alert_is_each_account_s_own(locations: Locations) -> None:
    """Both demo balances are below 500 from the start: each account's condition is claimed
    for that account (held when first seen, so not fired), not one claim for both."""
    rule = AlertRule.model_validate({"name": "low", "when": "balance_below", "amount": 500})
    app = both_accounts(locations, Settings(archive_after=0, alerts=(rule,)))
    async with opened(app, BOTH) as pilot:
        with History(locations.demo_history_file) as history:
            await until(pilot, lambda: len(history.alerts_holding()) == 2, "both claims")
            assert sorted(history.alerts_holding()) == [
                ("low", "account:shop"),
                ("low", "account:swiss"),
            ]


async def test_importing_lists_the_picked_account_s_bulks_and_watches_them_there(
    locations: Locations,
) -> None:
    app = both_accounts(locations)
    async with opened(app, BOTH) as pilot:
        fake = fake_of(app)
        (swiss,) = fake.more_accounts.values()
        await pilot.press("i")
        await until(pilot, lambda: isinstance(app.screen, AccountPicker), "which account")
        await pilot.press("down", "enter")
        screen = app.screen
        assert isinstance(screen, DiscoverScreen)
        await until(pilot, lambda: screen.table.row_count == len(swiss), "the Swiss bulks")
        state = str(screen.query_one("#discover-state", Static).render())
        assert f"{len(swiss)} bulks of {len(swiss)} in Swiss branch" in state
        listed = {str(row.key.value) for row in screen.table.ordered_rows}
        assert listed == {bulk.uuid for bulk in swiss.newest_first()}
        new = next(b for b in listed if b not in shown_ids(app))
        screen.table.move_cursor(row=screen.table.get_row_index(new))
        await pilot.press("space", "w")
        await until(pilot, lambda: new in shown_ids(app), "the imported row")
        assert cell(app, new, "account") == DEMO_SWISS.label
        assert new in WatchList.load(SWISS_LIST(locations))[0].ids
