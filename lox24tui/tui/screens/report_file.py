"""The campaign report from the dashboard (``p`` on a bulk's messages): ask where, gather it
once (``insight.report``), write it. The file name says the format: ``.md`` Markdown, ``.json``
JSON, ``.html`` one self-contained page. Nothing personal is in a report."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from lox24tui.api import Lox24Error
from lox24tui.insight.report import gather_report
from lox24tui.insight.report_formats import render
from lox24tui.state.export import why_not_written, write_report
from lox24tui.text import sanitise
from lox24tui.tui.screens.export import ExportScreen, ask_then, say_no_file
from lox24tui.tui.screens.one_bulk import OneBulk, why_unanswered


class ReportExportScreen(ExportScreen):
    HINT = (
        "Status, delivery outcomes, failures by reason and country, clicks, cost, duration and "
        "the changes lox24tui saw. A name ending in .md writes Markdown (for a chat or a "
        "ticket), .json JSON, .html one page with its chart. No phone number is in it."
    )

    def __init__(self, suggestion: str) -> None:
        super().__init__(suggestion, 0, filtered=True, scope="the campaign report")


def format_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".html": "html", ".htm": "html"}.get(suffix, "markdown")


def ask_and_write_report(screen: Screen[None], bulk: OneBulk) -> None:
    stamp = f"{bulk.now().astimezone():%Y%m%d-%H%M%S}"
    dialog = ReportExportScreen(f"lox24tui-report-{bulk.bulk_id[:8]}-{stamp}.md")
    ask_then(screen, dialog, lambda path: _write(screen, bulk, path), name="making the report")


async def _write(screen: Screen[None], bulk: OneBulk, path: str) -> None:
    screen.notify("Gathering the report…", timeout=3)
    try:
        report = await gather_report(
            bulk.client,
            bulk.bulk_id,
            label=bulk.label,
            timeline=bulk.seen(),
            currency=bulk.currency,
            now=lambda: bulk.now().timestamp(),
        )
    except Lox24Error as error:
        say_no_file(screen, "report", why_unanswered(error))
        return
    try:
        write_report(path, render([report], format_of(path)))
    except OSError as error:
        say_no_file(screen, "report", f"cannot write {path}: {why_not_written(error)}")
        return
    screen.notify(sanitise.one_line(f"Wrote the report to {path}"), timeout=6, markup=False)
