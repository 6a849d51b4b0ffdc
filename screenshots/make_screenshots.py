"""Regenerate the README's screenshots from demo mode: python screenshots/make_screenshots.py

Each picture is the demo dashboard, driven by the Pilot on a frozen clock (so the pictures only
change when the app does), saved as SVG beside this script. Nothing here is drawn by hand.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from textual.pilot import Pilot

HERE = Path(__file__).resolve().parent
SIZE = (160, 36)


async def shoot(
    name: str,
    drive: Callable[[object, Pilot[None]], Awaitable[None]],
    size: tuple[int, int] = SIZE,
    account: str | None = "shop",
) -> None:
    """One picture of the demo: of its shop account alone (``--demo --account shop``), unless
    ``account`` is None: both accounts side by side, as ``lox24tui --demo`` opens."""
    from lox24tui.clock import VirtualClock
    from lox24tui.session.config import Locations, Settings
    from lox24tui.tui.app import Lox24App
    from lox24tui.tui.setup import demo_setup

    with tempfile.TemporaryDirectory() as data:
        locations = Locations(
            config_dir=Path(data) / "config",
            data_dir=Path(data) / "data",
            state_dir=Path(data) / "state",
        )
        clock = VirtualClock(1_764_150_000.0)
        setup = demo_setup(Settings(), locations, clock=clock, seed=24, account=account)
        app = Lox24App(setup)
        async with app.run_test(size=size, notifications=True) as pilot:
            await settle(app, pilot)
            await pilot.hover("#summary")
            await drive(app, pilot)
            # relative times as they read now: their redraw runs every few seconds of real
            # time, which a drive on the virtual clock may or may not have lasted
            main_of(app).view.refresh_times()  # type: ignore[attr-defined]
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    print(f"wrote screenshots/{name}.svg")


async def settle(app: object, pilot: Pilot[None]) -> None:
    from lox24tui.tui.app import Lox24App

    assert isinstance(app, Lox24App)
    for desk in app.desks:  # each account's engine
        await asyncio.wait_for(desk.monitor.wait_idle(), timeout=10)
    app.watching.flush()
    await pilot.pause()


def main_of(app: object) -> object:
    from lox24tui.tui.screens.main import MainScreen

    return next(s for s in app.screen_stack if isinstance(s, MainScreen))  # type: ignore[attr-defined]


def by_label(app: object, label: str) -> str:
    entries = app.session.watchlist.entries  # type: ignore[attr-defined]
    return next(entry.bulk_id for entry in entries if entry.label == label)


async def main_screen(app: object, pilot: Pilot[None]) -> None:
    clock = app.clock  # type: ignore[attr-defined]
    for _ in range(5):  # 25 s in: the store reminder has started sending
        clock.advance(5)
        await settle(app, pilot)


async def clicks_and_replies(app: object, pilot: Pilot[None]) -> None:
    """The palette's Show clicks and replies, as a person picks it, then the columns filled."""
    from textual.command import CommandPalette

    await pilot.press("ctrl+p")
    while not isinstance(app.screen, CommandPalette):  # type: ignore[attr-defined]
        await pilot.pause(0.05)
    await pilot.press(*"Show clicks and replies")
    await pilot.pause(0.5)  # the palette's search
    await pilot.press("enter")
    table = main_of(app).table  # type: ignore[attr-defined]
    while "clicks" not in table.columns or any(
        table.get_cell(row.key, "clicks").plain == "…" for row in table.ordered_rows
    ):
        app.clock.advance(5)  # type: ignore[attr-defined]
        await settle(app, pilot)
    app.clear_notifications()  # type: ignore[attr-defined]
    await settle(app, pilot)


async def detail_pane(app: object, pilot: Pilot[None]) -> None:
    """The voice reminders four minutes in: sent share, pace, ETA and the rate's curve."""
    clock = app.clock  # type: ignore[attr-defined]
    for _ in range(48):  # a delivery count a minute: samples enough for an estimate
        clock.advance(5)
        await settle(app, pilot)
    voice = by_label(app, "Appointment reminders (voice)")
    main_of(app).table.select(voice)  # type: ignore[attr-defined]
    await pilot.press("enter")
    for _ in range(100):  # its clicks and replies, read in the background
        await pilot.pause(0.05)
        if app.session.engagement.get(voice) is not None:  # type: ignore[attr-defined]
            break
    app.clear_notifications()  # type: ignore[attr-defined]
    await settle(app, pilot)


async def messages(app: object, pilot: Pilot[None]) -> None:
    await main_screen(app, pilot)
    main_of(app).table.select(by_label(app, "Black Friday newsletter"))  # type: ignore[attr-defined]
    await pilot.press("m")
    for _ in range(50):  # the first page, from the simulated LOX24
        await pilot.pause(0.05)
        if app.screen.table.row_count:  # type: ignore[attr-defined]
            break


async def failures(app: object, pilot: Pilot[None]) -> None:
    await main_screen(app, pilot)
    app.clock.advance(7 * 3600)  # type: ignore[attr-defined]  # expiries are in too
    await settle(app, pilot)
    label = "Password reset codes (Unicode)"
    main_of(app).table.select(by_label(app, label))  # type: ignore[attr-defined]
    await pilot.press("m")
    for _ in range(50):
        await pilot.pause(0.05)
        if app.screen.table.row_count:  # type: ignore[attr-defined]
            break
    await pilot.press("f")
    for _ in range(100):  # the failed messages, from the simulated LOX24
        await pilot.pause(0.05)
        if getattr(app.screen, "failures", None) is not None:
            break
    app.clear_notifications()  # type: ignore[attr-defined]  # seven hours of news
    await pilot.pause(0.2)


async def cancel_question(app: object, pilot: Pilot[None]) -> None:
    main_of(app).table.select(by_label(app, "Tomorrow's morning promo"))  # type: ignore[attr-defined]
    await pilot.press("X")


async def add_dialog(app: object, pilot: Pilot[None]) -> None:
    await pilot.press("a")
    await pilot.press(*"da0fa78c-4699-11ea-a637-96000028b339, ../me")
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def rate_limited(app: object, pilot: Pilot[None]) -> None:
    import httpx

    fake = app.setup.transport.app  # type: ignore[attr-defined]
    assert isinstance(app.setup.transport, httpx.ASGITransport)  # type: ignore[attr-defined]
    fake.fail("status", status=429, times=1)
    await pilot.press("R")
    await settle(app, pilot)
    app.clock.advance(83)  # type: ignore[attr-defined]
    await settle(app, pilot)
    main_of(app).show_summary()  # type: ignore[attr-defined]


def main() -> None:
    os.environ["TZ"] = "UTC"
    time.tzset()
    sys.path.insert(0, str(HERE.parent))
    asyncio.run(shoot("main-screen", main_screen))
    asyncio.run(shoot("two-accounts", main_screen, (160, 30), account=None))
    asyncio.run(shoot("clicks-and-replies", clicks_and_replies))
    asyncio.run(shoot("detail-pane", detail_pane, (180, 52)))
    asyncio.run(shoot("add-dialog", add_dialog))
    asyncio.run(shoot("rate-limited", rate_limited))
    asyncio.run(shoot("messages", messages))
    asyncio.run(shoot("failures", failures))
    asyncio.run(shoot("cancel", cancel_question))


if __name__ == "__main__":
    main()
