"""The campaign report from the dashboard (``p`` on a bulk's messages): ask where, gather it
once (``insight.report``), write it. The file name says the format: ``.md`` Markdown, ``.json``
JSON, ``.html`` one self-contained page. Nothing personal is in a report."""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from lox24tui.insight.report import CampaignReport, gather_report
from lox24tui.insight.report_formats import render
from lox24tui.state.export import write_report
from lox24tui.tui.screens.bulk_file import BulkFileScreen, ask_and_write
from lox24tui.tui.screens.one_bulk import OneBulk


class ReportExportScreen(BulkFileScreen):
    KIND, SUFFIX, WHAT = "report", "md", "campaign report"
    GATHERING = "Gathering the report…"
    HINT = (
        "Status, delivery outcomes, failures by reason and country, clicks, cost, duration and "
        "the changes lox24tui saw. A name ending in .md writes Markdown (for a chat or a "
        "ticket), .json JSON, .html one page with its chart. No phone number is in it."
    )


def format_of(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return {".json": "json", ".html": "html", ".htm": "html"}.get(suffix, "markdown")


def ask_and_write_report(screen: Screen[None], bulk: OneBulk) -> None:
    def write(path: str, report: CampaignReport) -> str:
        write_report(path, render([report], format_of(path)))
        return f"Wrote the report to {path}"

    async def gather() -> CampaignReport:
        return await gather_report(
            bulk.client,
            bulk.bulk_id,
            label=bulk.label,
            timeline=bulk.seen(),
            currency=bulk.currency,
            now=lambda: bulk.now().timestamp(),
        )

    ask_and_write(screen, ReportExportScreen(bulk), gather, write)
