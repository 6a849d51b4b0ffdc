"""The messages screen as a person uses it, opened with `m` on the demo dashboard: the demo's
"Black Friday newsletter" is sending, and its reports arrive as the virtual clock goes on."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, Select, Static

from lox24tui.tui.app import Lox24App
from lox24tui.tui.screens import messages as messages_module
from lox24tui.tui.screens.dialogs import ConfirmScreen
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.screens.messages import MessagesExportScreen, MessagesScreen
from lox24tui.tui.screens.one_bulk import OneBulk
from lox24tui.tui.screens.report_file import ReportExportScreen
from lox24tui.tui.screens.send_again import RetryExportScreen
from tests.tui.dashboard_driver import SENDING, bulk_of, column, open_messages, toasts

from .conftest import Demo, advance, fake_of, main_of, settle, until

SIZE = (120, 35)
PHONE = re.compile(r"^\+447700900\d{3}$")


async def enter_path(app: Lox24App, pilot: Pilot[None], target: Path) -> None:
    path = app.screen.query_one("#path", Input)
    path.value = str(target)
    path.focus()
    await pilot.press("enter")


async def save_as(
    app: Lox24App, pilot: Pilot[None], target: Path, *, back_to: object, said: str
) -> None:
    """Name ``target`` in the file dialog on top, press Enter (a toast may cover the button),
    and wait for the file and the toast that says it was written."""
    await enter_path(app, pilot, target)
    await until(pilot, lambda: app.screen is back_to, "the dialog stayed")
    await until(pilot, target.exists, "nothing written")
    await until(pilot, lambda: any(said in t for t in toasts(app)), "no toast")


def state_line(screen: MessagesScreen) -> str:
    return str(screen.query_one("#messages-state", Static).render())


async def test_the_first_page_lists_phones_statuses_and_reports(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_messages(app, pilot)
        await until(pilot, lambda: "messages" in state_line(screen), "no summary")
        assert screen.table.row_count == 30  # the fake's page
        assert all(PHONE.match(phone) for phone in column(screen, "phone"))
        assert any(report == "delivered (1)" for report in column(screen, "report"))
        assert all(status.endswith(")") for status in column(screen, "status"))
        assert all(price.endswith(" EUR") for price in column(screen, "price"))
        assert re.search(r"^30 of [\d,]+ messages · scroll for more", state_line(screen))
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_the_outcome_filter_lists_only_that_outcome(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_messages(app, pilot)
        requests = len(fake_of(app).requests("/sms"))
        screen.query_one("#outcome-filter", Select).value = "rejected"
        await until(
            pilot,
            lambda: "only rejected" in state_line(screen) and screen.table.row_count > 0,
            "the rejected messages were never listed",
        )
        assert set(column(screen, "report")) == {"rejected (16)"}
        assert "dlr_code" in fake_of(app).requests("/sms")[requests].query


async def test_more_pages_load_as_the_cursor_goes_down(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_messages(app, pilot)
        await until(pilot, lambda: not screen.reading_page, "the first page never finished")
        await pilot.press(*["down"] * 27)
        await until(pilot, lambda: screen.table.row_count == 60, "no second page")
        phones = column(screen, "phone")
        assert len(set(phones)) > 30 and all(PHONE.match(phone) for phone in phones)


async def test_c_copies_the_phone_and_the_toast_never_shows_it(app: Lox24App) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_messages(app, pilot)
        await pilot.press("down", "c")
        await until(pilot, lambda: bool(app.clipboard), "nothing copied")
        assert app.clipboard == column(screen, "phone")[1]
        await until(pilot, lambda: any("Copied the phone" in t for t in toasts(app)), "no toast")
        digits = app.clipboard.lstrip("+")
        assert not any(digits[-4:] in toast for toast in toasts(app))


async def test_export_warns_of_personal_data_and_writes_the_rows(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "messages.csv"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_messages(app, pilot)
        await until(pilot, lambda: not screen.reading_page, "the first page never finished")
        for attempt in ("write", "replace"):
            await pilot.press("x")
            await until(pilot, lambda: isinstance(app.screen, MessagesExportScreen), "no dialog")
            dialog = app.screen
            warning = str(dialog.query_one("#personal-data", Static).render())
            assert "personal data" in warning and "phone numbers" in warning
            dialog.query_one("#load-all", Checkbox).value = False  # what is listed, no more
            path = dialog.query_one("#path", Input)
            path.value = str(target)
            path.focus()
            await pilot.press("enter")  # a toast may cover the button
            if attempt == "replace":  # the file is there now: asked first
                await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), "not asked")
                await pilot.press("y")
            await until(pilot, lambda: app.screen is screen, "the dialog stayed")
            await until(pilot, lambda: any("Exported 30" in t for t in toasts(app)), "no toast")
        text = target.read_text(encoding="utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [row["phone"].lstrip("'") for row in rows] == column(screen, "phone")
        assert target.stat().st_mode & 0o077 == 0  # personal data: the owner's eyes only


async def test_export_can_load_more_pages_first_up_to_its_cap(
    demo: Demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(messages_module, "EXPORT_MAX", 65)  # three pages, not 5,000 messages
    app = demo()
    target = tmp_path / "delivered.json"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_messages(app, pilot)
        screen.query_one("#outcome-filter", Select).value = "delivered"
        await until(pilot, lambda: "only delivered" in state_line(screen), "never filtered")
        await pilot.press("x")
        await until(pilot, lambda: isinstance(app.screen, MessagesExportScreen), "no dialog")
        assert app.screen.query_one("#load-all", Checkbox).value  # offered, and the default
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.click("#export")
        await until(pilot, target.exists, "nothing written")
        records = json.loads(target.read_text())
        assert len(records) == screen.table.row_count == 90
        assert {record["dlr_code"] for record in records} == {1}


async def open_with_fault(app: Lox24App, pilot: Pilot[None], **fault: object) -> MessagesScreen:
    await settle(app, pilot)
    fake_of(app).fail(path="/sms", **fault)  # type: ignore[arg-type]
    client = app.desk.connection.guarded()
    assert client is not None
    screen = MessagesScreen(OneBulk(client, bulk_of(app), SENDING, app.session.now))
    app.push_screen(screen)
    await until(pilot, lambda: screen.is_mounted, "never shown")
    return screen


async def test_a_guard_stop_says_why_requests_are_held(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        # the engine's delivery counts or this screen meet the 401 first: either way the guard
        # stops every request after it, this screen's included
        screen = await open_with_fault(app, pilot, kind="status", status=401)
        screen.query_one("#outcome-filter", Select).value = "delivered"
        await until(pilot, lambda: "are held" in state_line(screen), "the stop was not said")
        line = state_line(screen)
        assert "rejected the API token" in line and "Change the outcome to try again." in line
        assert screen.table.row_count == 0 and app.screen is screen


async def test_a_failed_answer_says_what_lox24_answered(app: Lox24App) -> None:
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_with_fault(app, pilot, kind="status", status=400, detail="Bad filter")
        await until(pilot, lambda: "LOX24 answered" in state_line(screen), "no failure said")
        assert "Bad filter" in state_line(screen) and "Traceback" not in state_line(screen)
        fake_of(app).clear_faults()
        screen.query_one("#outcome-filter", Select).value = "delivered"  # the user tries again
        await until(pilot, lambda: screen.table.row_count > 0, "no second try")


async def test_r_writes_the_numbers_to_send_again_and_the_toast_holds_none(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "send-again.csv"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_messages(app, pilot)
        await advance(app, pilot, 3600)  # the bulk has sent, and some messages failed
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, RetryExportScreen), "no dialog")
        warning = str(app.screen.query_one("#personal-data", Static).render())
        assert "personal data" in warning
        await save_as(app, pilot, target, back_to=screen, said="to send again")
        lines = target.read_text("ascii").splitlines()
        assert lines[0] == "phone" and len(lines) > 1
        assert all(PHONE.match(line) for line in lines[1:])
        assert target.stat().st_mode & 0o077 == 0
        said = next(t for t in toasts(app) if "to send again" in t)
        assert f"Wrote {len(lines) - 1} numbers to send again" in said
        assert not any(number in t for t in toasts(app) for number in lines[1:])


async def test_p_writes_the_campaign_report_in_the_format_its_name_asks(
    app: Lox24App, tmp_path: Path
) -> None:
    target = tmp_path / "report.html"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        main_of(app).table.select(bulk_of(app))  # m on the watch list, as a person opens it
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, MessagesScreen), "m opened nothing")
        screen = app.screen
        await pilot.press("p")
        await until(pilot, lambda: isinstance(app.screen, ReportExportScreen), "no dialog")
        await save_as(app, pilot, target, back_to=screen, said="Wrote the report")
    page = target.read_text("utf-8")
    assert page.startswith("<!doctype html>") and "<svg" in page
    assert SENDING in page and "Status as lox24tui saw it" in page  # the session's timeline
    assert not re.search(r"\+447700900\d{3}", page)


async def name_the_file(app: Lox24App, pilot: Pilot[None], key: str, target: Path) -> None:
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, ExportScreen), f"{key} asked nothing")
    await enter_path(app, pilot, target)


@pytest.mark.parametrize("key", ["p", "r"])  # the campaign report, the numbers to send again
async def test_a_file_that_cannot_be_made_says_why_and_nothing_is_written(
    app: Lox24App, tmp_path: Path, key: str
) -> None:
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_messages(app, pilot)
        await until(pilot, lambda: not screen.reading_page, "the first page never finished")
        fake_of(app).fail(path="/sms", kind="status", status=400, detail="Bad filter")
        unanswered = tmp_path / "unanswered.md"
        await name_the_file(app, pilot, key, unanswered)
        said = f"Nothing written to {unanswered}: LOX24 answered: "
        await until(pilot, lambda: any(said in t for t in toasts(app)), "no failure said")
        assert "Bad filter" in next(t for t in toasts(app) if said in t)
        fake_of(app).clear_faults()
        a_file = tmp_path / "a-file"
        a_file.write_text("kept")
        unwritable = a_file / "report.md"  # its folder is a file
        await name_the_file(app, pilot, key, unwritable)
        said = f"Cannot write {unwritable}: a part of its path is a file, not a folder"
        await until(pilot, lambda: any(said in t for t in toasts(app)), "no failure said")
        assert app.screen is screen and not unanswered.exists()
        assert a_file.read_text() == "kept"
