"""Did the messages arrive? The dashboard counts each sent bulk's messages by delivery outcome
(the Delivered column, the pane's breakdown), shows the balance in the account's currency, and
cancels a bulk that should not go out, through the account guard, after asking."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList
from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens.dialogs import ConfirmScreen
from lox24tui.tui.screens.main_palette import main_palette
from lox24tui.tui.screens.messages import MessagesScreen
from lox24tui.tui.widgets.summary_bar import SummaryBar
from tests.tui.dashboard_driver import (
    by_label,
    cell,
    cursor_to,
    footer_text,
    pane_text,
    select,
    summary_text,
    toasts,
    toasts_saying,
)

from .conftest import WIDE, Demo, advance, app_on, fake_of, main_of, opened, settle, until


async def test_a_sending_bulk_shows_how_much_was_delivered(app: Lox24App) -> None:
    async with opened(app) as pilot:
        sending = by_label(app, "Black Friday newsletter")
        scheduled = by_label(app, "Tomorrow's morning promo")
        await until(
            pilot, lambda: "%" in cell(app, sending, "delivered"), "no delivery counts shown"
        )
        counts = app.session.states[sending].delivery
        assert counts is not None and counts.total > 0
        shown = cell(app, sending, "delivered")
        assert shown.startswith(f"{counts.delivered / counts.total:.0%}")
        assert cell(app, scheduled, "delivered") == "—"  # nothing sent, nothing counted

        await cursor_to(pilot, app, sending)
        await pilot.press("enter")
        await until(pilot, lambda: "delivery" in pane_text(app), "no breakdown in the pane")
        text = pane_text(app)
        assert re.search(rf"delivered\s+{counts.delivered:,}\s+\d+%", text)
        assert "still changing" in text and "counted" in text


async def test_a_delivery_count_costs_at_most_8_requests_per_bulk(demo: Demo) -> None:
    """One request asks whether anything changed; the breakdown, only when it did, at most 7."""
    app = demo(settings=Settings(archive_after=0, delivery_interval=30))
    async with opened(app) as pilot:
        fake = fake_of(app)
        sending = by_label(app, "Black Friday newsletter")
        await until(
            pilot, lambda: app.session.states[sending].delivery is not None, "never counted"
        )
        before = len(fake.requests("/sms"))
        await advance(app, pilot, 31)  # one more round of counts
        await until(pilot, lambda: len(fake.requests("/sms")) > before, "no second round")
        await advance(app, pilot, 1)
    per_bulk: dict[str, int] = {}
    for entry in fake.requests("/sms")[before:]:
        bulk = parse_qs(entry.query).get("bulk", ["?"])[0]
        per_bulk[bulk] = per_bulk.get(bulk, 0) + 1
    assert per_bulk and max(per_bulk.values()) <= 8, per_bulk


async def test_with_delivery_off_nothing_is_counted(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=0, delivery=False))
    async with opened(app) as pilot:
        await advance(app, pilot, 10)
        assert fake_of(app).requests("/sms") == []
        assert cell(app, by_label(app, "Black Friday newsletter"), "delivered") == "—"


async def test_the_balance_shows_in_the_accounts_currency_and_warns_when_low(demo: Demo) -> None:
    written: list[str] = []
    app = demo(
        settings=Settings(archive_after=0, low_balance=Decimal(1_000_000)),
        notify_writer=written.append,
    )
    async with opened(app) as pilot:
        account = app.session.balance.account
        assert account is not None and account.currency
        assert re.search(rf"balance [\d,.]+ {account.currency} ⚠ low", summary_text(app))
        assert (
            f"Cost {account.currency}"
            in main_of(app)
            .table.columns[next(k for k in main_of(app).table.columns if k.value == "cost")]
            .label.plain
        )
        warnings = [text for text in toasts(app) if "below your low_balance" in text]
        assert len(warnings) == 1
        await advance(app, pilot, 400)  # another look at the account: still low, said once
        assert len([t for t in toasts(app) if "below your low_balance" in t]) == 1
    assert len([w for w in written if "Balance low" in w]) == 1


async def test_x_cancels_a_scheduled_bulk_after_asking(app: Lox24App) -> None:
    async with opened(app) as pilot:
        promo = await select(pilot, app, "Tomorrow's morning promo")
        await pilot.press("X")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "X did not ask")
        question = " ".join(str(app.screen.query_one("Static").render()).split())
        assert "Tomorrow's morning promo" in question and promo in question
        assert "messages, delivery" in question and "cannot be undone" in question
        await pilot.press("y")
        await until(pilot, lambda: cell(app, promo, "status") == "canceled", "not canceled")
        assert any(entry.method == "PUT" for entry in fake_of(app).requests(f"/bulks/{promo}"))


async def test_x_is_offered_in_the_footer_only_where_a_bulk_can_be_canceled(app: Lox24App) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(app, pilot)  # the cursor is on the first bulk, scheduled, from the start
        assert app.session.can_cancel(main_of(app).table.selected_id or "")
        await until(pilot, lambda: "Cancel" in footer_text(app), "X not in the footer")
        await cursor_to(pilot, app, by_label(app, "Tomorrow's morning promo"))
        await until(pilot, lambda: "Cancel" in footer_text(app), "X not in the footer")
        await cursor_to(pilot, app, by_label(app, "Password reset codes (Unicode)"))
        await until(pilot, lambda: "Cancel" not in footer_text(app), "X offered when done")


async def test_at_80_columns_the_footer_holds_x_and_every_other_key(app: Lox24App) -> None:
    async with opened(app, (80, 24)) as pilot:
        await until(pilot, lambda: "Cancel" in footer_text(app), "X not in the footer")
        footer = app.screen.query_one("Footer")
        keys = {str(key.render()).strip(): key for key in footer.query("FooterKey")}
        palette = keys.pop("^p palette")
        assert "? Keys" in keys and "X Cancel" in keys
        last = max(key.region.right for key in keys.values())
        assert last <= palette.region.x  # none under the palette's key, none cut off


async def test_x_is_not_offered_for_a_finished_bulk_nor_read_only_and_says_why(demo: Demo) -> None:
    app = demo()
    async with opened(app) as pilot:
        await cursor_to(pilot, app, by_label(app, "Password reset codes (Unicode)"))
        await pilot.press("X")
        await until(pilot, lambda: bool(toasts_saying(app, "cannot be canceled")), "X was silent")
        assert app.screen is main_of(app)  # no question: a finished bulk cannot be canceled
        assert any("it is processed" in text for text in toasts(app))
    read_only = demo(settings=Settings(archive_after=0, read_only=True))
    async with opened(read_only) as pilot:
        await cursor_to(pilot, read_only, by_label(read_only, "Tomorrow's morning promo"))
        await pilot.press("X")
        await until(pilot, lambda: bool(toasts_saying(read_only, "read-only")), "X was silent")
        assert read_only.screen is main_of(read_only)  # no question: it says why instead
        assert toasts_saying(read_only, "Not canceled: lox24tui is read-only")
        titles = [command.title for command in main_palette(main_of(read_only))]
        assert "Messages" in titles and "Cancel bulk" not in titles
    assert not any(entry.method == "PUT" for entry in fake_of(read_only).log)


async def test_m_opens_the_selected_bulks_messages(app: Lox24App) -> None:
    async with opened(app) as pilot:
        sending = await select(pilot, app, "Black Friday newsletter")
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MessagesScreen), "m opened nothing")
        screen = app.screen
        assert isinstance(screen, MessagesScreen) and screen.bulk_id == sending
        await until(pilot, lambda: screen.table.row_count > 0, "no messages listed")
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is main_of(app), "escape did not close it")


async def test_running_out_of_funds_is_an_alert_in_the_summary(demo: Demo) -> None:
    app = demo(settings=Settings(archive_after=0, account_interval=60, delivery_interval=30))
    async with opened(app) as pilot:
        assert "no funds" not in summary_text(app)
        for _ in range(30):  # the demo's balance lasts about five minutes of sending
            await advance(app, pilot, 30)
            if "no funds" in summary_text(app):
                break
        account = app.session.balance.account
        assert account is not None and account.balance_amount is not None
        assert account.balance_amount < Decimal("0.15")  # less than a sending bulk's message
        assert "messages not sent: no funds" in summary_text(app)


async def test_the_summary_bar_says_how_far_the_first_count_has_come_and_the_cursor_goes_first(
    tmp_path: Path, locations: Locations
) -> None:
    """At LOX24's pace (30 side requests a minute) the first count of 40 bulks takes minutes:
    the bar says how far it has come, within 80 columns, and the bulk under the cursor is
    counted before the rest."""
    clock = VirtualClock()
    bulks = []
    for index in range(40):
        created = clock.now() - 3 * 3600 - index
        bulks.append(
            SimBulk(
                uuid=time_uuid(created, index),
                created_at=created,
                delivery_at=created + 60,
                recipients=300,
                label=f"Bulk {index}",
            )
        )
    fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(bulk.uuid, bulk.label) for bulk in bulks])
    app = app_on(fake, watchlist, locations)
    async with opened(app, (80, 24)) as pilot:
        bar = main_of(app).query_one(SummaryBar)
        await until(
            pilot, lambda: "counting delivery:" in summary_text(app), "no first-pass progress"
        )
        line = summary_text(app).splitlines()[1]
        assert re.search(r"counting delivery: \d+ of 40$", line), line
        assert len(line) <= bar.content_size.width
        last = max(b.uuid for b in bulks)  # all fell due at once: without the cursor, last
        await cursor_to(pilot, app, last)
        for _ in range(6):  # a few minutes at the budget's pace
            if app.session.states[last].delivery is not None:
                break
            await advance(app, pilot, 30)
        assert app.session.states[last].delivery is not None
        counted = [b.uuid for b in bulks if app.session.states[b.uuid].delivery is not None]
        assert len(counted) < 20  # long before its turn in the list
