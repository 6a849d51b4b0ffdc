"""The spend forecast in the dashboard: in the summary bar when it matters, a warning once when
the scheduled bulks come to cost more than the balance, read again when a watched bulk leaves
"scheduled" and otherwise only every quarter hour, and an alert that fires when it starts to
hold."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

import httpx

from lox24tui.alerts.rules import AlertRule
from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import SIZED_AND_PRICED
from lox24tui.insight.forecast import Forecast, read_forecast
from lox24tui.session.config import Locations, Settings
from lox24tui.session.forecast_rounds import FORECAST_EVERY, SOON
from lox24tui.state.store import WatchList
from lox24tui.text import humanize
from lox24tui.tui.app import Lox24App
from tests.tui.dashboard_driver import palette_search, summary_text, toasts, toasts_saying

from .conftest import advance, app_on, fake_of, opened, until


async def forecast_now(fake: FakeLox24) -> Forecast:
    """What the fake's API says now, read the way ``account`` reads it."""
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        return await read_forecast(client)


def readings(fake: FakeLox24) -> list[float]:
    """When the forecast's list of waiting bulks was asked for."""
    return [
        entry.at
        for entry in fake.log
        if entry.path == "/bulks" and "status_code%5B%5D=0" in entry.query
    ]


async def test_the_demo_shows_its_scheduled_spend_over_the_balance_and_warns_once(
    app: Lox24App,
) -> None:
    async with opened(app) as pilot:
        fake = fake_of(app)
        await until(pilot, lambda: "over balance" in summary_text(app), "no spend in the bar")
        truth = await forecast_now(fake)
        shown = humanize.money(truth.cost, "EUR", places=humanize.COLUMN_PLACES)
        bar = summary_text(app)
        assert f"scheduled ≥{shown} ⚠ over balance" in bar  # one starts in 20 s: no size yet
        assert not toasts_saying(app, "over the balance")  # over at first sight: the bar says
        found = await palette_search(pilot, "Scheduled spend")
        assert found[0].startswith("Scheduled spend What the bulks waiting to send")
        await pilot.press("enter")  # the palette tells the basis the bar has no room for
        await until(pilot, lambda: bool(toasts_saying(app, "priced by LOX24")), "no words")
        said = " ".join(" ".join(toasts(app)).split())
        assert "1 bulk priced by LOX24; estimate at the price per message" in said

        await advance(app, pilot, 100)  # the store opening and the hotline start sending
        await until(pilot, lambda: len(readings(fake)) >= 2, "not read again after a start")
        await advance(app, pilot, SOON)
        truth = await forecast_now(fake)
        assert truth.unknown == 0
        shown = humanize.money(truth.cost, "EUR", places=humanize.COLUMN_PLACES)
        await until(pilot, lambda: f"scheduled ~{shown}" in summary_text(app), "not re-read")
        assert not toasts_saying(app, "over the balance")  # still over: nothing new


async def test_the_forecast_is_read_every_quarter_hour_and_on_a_start_only(
    tmp_path: Path, locations: Locations
) -> None:
    clock = VirtualClock()
    now = clock.now()
    later = SimBulk.scheduled(
        "11111111-0000-1000-8000-000000000001", now, 600, 100, *SIZED_AND_PRICED
    )
    fake = FakeLox24(SimulatedAccount([later]), clock=clock)
    fake.account.set_balance(Decimal("1000"), now)
    watchlist = WatchList(tmp_path / "w.json")
    watchlist.add_many([(later.uuid, "later")])
    app = app_on(fake, watchlist, locations)
    async with opened(app) as pilot:
        assert "scheduled 7.50 EUR" in summary_text(app)  # LOX24's own price: no "~"
        assert readings(fake) == [now]  # at start, in one request (nothing to estimate)
        await advance(app, pilot, 590)
        assert len(readings(fake)) == 1  # nothing changed: no new reading yet
        await advance(app, pilot, 20)  # it starts sending
        await advance(app, pilot, SOON)
        await until(pilot, lambda: len(readings(fake)) == 2, "not read after the start")
        await until(pilot, lambda: "scheduled" not in summary_text(app), "spend still shown")
        for _ in range(4):
            await advance(app, pilot, FORECAST_EVERY / 2)
        assert len(readings(fake)) == 4  # then once a quarter hour


async def test_an_alert_fires_when_the_spend_comes_to_exceed_the_balance(
    tmp_path: Path, locations: Locations
) -> None:
    log = tmp_path / "events.jsonl"
    script = f"import sys; open({str(log)!r}, 'a').write(sys.stdin.read())"
    clock = VirtualClock()
    now = clock.now()
    booked = SimBulk.scheduled(
        "11111111-0000-1000-8000-000000000002", now, 86_400, 2_000, *SIZED_AND_PRICED
    )
    fake = FakeLox24(SimulatedAccount([booked]), clock=clock)
    fake.account.set_balance(Decimal("500"), now)  # covers the 150 EUR booked
    rule = AlertRule.model_validate(
        {"name": "topup", "when": "spend_over_balance", "command": [sys.executable, "-c", script]}
    )
    settings = Settings(archive_after=0, alerts=(rule,))
    app = app_on(fake, WatchList(tmp_path / "w.json"), locations, settings=settings)
    async with opened(app) as pilot:
        assert "scheduled 150.00 EUR" in summary_text(app) and "over" not in summary_text(app)
        fake.account.set_balance(Decimal("100"), clock.now())  # spent elsewhere
        await advance(app, pilot, settings.account_interval)  # the next look at the balance
        await until(pilot, log.exists, "the alert's command never ran")
        event = json.loads(log.read_text())
        assert (
            event["condition"] == "spend_over_balance" and Decimal(event["scheduled_spend"]) == 150
        )
        assert Decimal(event["balance"]) == 100 and event["currency"] == "EUR"
        assert "1 scheduled bulk needs 150.00 EUR; balance 100.00 EUR" in event["text"]
        assert "⚠ over balance" in summary_text(app)
        assert len(toasts_saying(app, "Scheduled spend over the balance")) == 1  # it is news
