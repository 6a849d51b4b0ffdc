"""A campaign report in the three forms people share: Markdown (pastes into a chat or a ticket),
JSON (for scripts, exact money) and HTML (one self-contained file, its chart inline as SVG,
every text escaped). Every text that came from LOX24 or the user is sanitised: control
characters and bidirectional overrides are shown, not obeyed."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final

from lox24tui.api import label_with_code, status_label, voice_language_with_code
from lox24tui.insight.failures import UNKNOWN_COUNTRY
from lox24tui.insight.report import CampaignReport
from lox24tui.text import exact_json, humanize, sanitise

FORMATS: Final = ("markdown", "json", "html")
OUTCOMES: Final = (
    ("delivered", "delivered"),
    ("queued", "queued at the operator"),
    ("submitted", "submitted, no report yet"),
    ("none", "sent, no report yet"),
    ("expired", "expired"),
    ("rejected", "rejected"),
    ("not_sent", "never sent"),
)
"""The delivery outcomes in the order a report tells them, with their words."""
COLOURS: Final = {
    "delivered": "#2e7d32",
    "queued": "#f9a825",
    "submitted": "#fbc02d",
    "none": "#9e9e9e",
    "expired": "#ef6c00",
    "rejected": "#c62828",
    "not_sent": "#6d4c41",
}


def render(reports: Sequence[CampaignReport], fmt: str) -> str:
    if fmt == "markdown":
        return "\n\n".join(to_markdown(report) for report in reports) + "\n"
    if fmt == "json":
        records = [to_record(report) for report in reports]
        return sanitise.json_text(exact_json.dumps(records, indent=2, default=_plain)) + "\n"
    if fmt == "html":
        return to_html(reports)
    raise ValueError(f"unknown report format {fmt!r}: {', '.join(FORMATS)}")


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _name(report: CampaignReport) -> str:
    named = f"“{report.label}” ({report.bulk_id})" if report.label else report.bulk_id
    return sanitise.one_line(named)


def _status(report: CampaignReport) -> str:
    status = report.status
    label = status_label(status.status_code, status.delivery_at, report.made_at_utc)
    return label_with_code(label, status.status_code)


def _utc(at: float) -> datetime:
    return datetime.fromtimestamp(at, UTC)


def _when(value: datetime | None) -> str:
    return humanize.local_time(value) if value else "—"


def _money(report: CampaignReport, amount: Decimal | None, places: int | None = None) -> str:
    """In the account's currency; ``places`` lines a column up."""
    return humanize.money(amount, report.currency, places=places) if amount is not None else "—"


def _facts(report: CampaignReport) -> list[tuple[str, str]]:
    status = report.status
    seconds = report.duration_seconds
    rate = report.per_minute
    facts = [
        ("Status", _status(report)),
        ("Created", _when(status.created_at)),
        ("Delivery", _when(status.delivery_at)),
        ("Last change", _when(status.processed_at)),
        ("Messages", f"{status.msg_total_count:,}" if status.msg_total_count is not None else "—"),
        ("Cost", _money(report, report.cost)),
        ("Duration", humanize.span(seconds) if seconds is not None else "— (not finished)"),
        ("Send rate", f"{rate:,.0f} messages a minute" if rate is not None else "—"),
        ("Service", sanitise.one_line(status.service_code or "—")),
    ]
    if status.voice_lang is not None:
        facts.append(("Voice language", voice_language_with_code(status.voice_lang)))
    if status.is_dryrun:
        facts.append(("Dry run", "yes: nothing was really sent"))
    clicks = "—" if report.clicks is None else f"{report.clicks:,} (requests, not people)"
    facts.append(("Clicks on its links", clicks))
    facts.append(("Replies", "not counted here (the dashboard's replies screen checks them)"))
    return facts


def _outcomes(report: CampaignReport) -> list[tuple[str, str, int, float]]:
    delivery = report.delivery
    total = max(1, delivery.total)
    rows = []
    for key, words in OUTCOMES:
        count = int(getattr(delivery, key))
        rows.append((key, words, count, count / total))
    return rows


def _failure_rows(report: CampaignReport) -> list[tuple[str, str, int, Decimal]]:
    table = report.failures
    return [
        (
            reason,
            "unknown" if country == UNKNOWN_COUNTRY else country,
            table.count(reason, country),
            table.cost(reason, country),
        )
        for reason in table.reasons
        for country in table.countries
        if table.count(reason, country)
    ]


def to_markdown(report: CampaignReport) -> str:
    lines = [f"## {_name(report)}", ""]
    lines += [f"- **{name}:** {value}" for name, value in _facts(report)]
    lines += ["", "### Delivery", "", "| outcome | messages | share |", "| --- | ---: | ---: |"]
    for _, words, count, share in _outcomes(report):
        lines.append(f"| {words} | {count:,} | {share:.1%} |")
    if report.delivery.partial:
        lines += ["", "_LOX24 sent no totals: the counts are of the first pages only._"]
    failures = report.failures
    lines += ["", "### Failures by reason and country", ""]
    if not failures.total:
        lines.append("None: nothing expired, was rejected or went unsent.")
    else:
        lines += [
            f"{failures.failed.count_words.capitalize()}, which cost "
            f"{_money(report, failures.cost())}.",
            "",
            "| reason | country | messages | cost |",
            "| --- | --- | ---: | ---: |",
        ]
        for reason, country, count, cost in _failure_rows(report):
            money = _money(report, cost, places=2)
            lines.append(f"| {sanitise.one_line(reason)} | {country} | {count:,} | {money} |")
    if report.timeline:
        lines += ["", "### Status as lox24tui saw it", ""]
        for at, status in report.timeline:
            lines.append(f"- {_when(_utc(at))}: {sanitise.one_line(status)}")
    lines += ["", f"_Made by lox24tui at {_when(report.made_at_utc)}._"]
    return "\n".join(lines)


def to_record(report: CampaignReport) -> dict[str, Any]:
    status = report.status
    return {
        "id": report.bulk_id,
        "label": report.label,
        "status_code": status.status_code,
        "status": _status(report),
        "created_at": status.created_at,
        "delivery_at": status.delivery_at,
        "processed_at": status.processed_at,
        "messages": status.msg_total_count,
        "price": status.price,
        "currency": report.currency,
        "duration_seconds": report.duration_seconds,
        "messages_per_minute": report.per_minute,
        "delivery": report.delivery.to_record(),
        "failures": [
            {"reason": reason, "country": country, "count": count, "cost": cost}
            for reason, country, count, cost in _failure_rows(report)
        ],
        "failures_capped": report.failures.failed.capped,
        "clicks": report.clicks,
        "timeline": [{"at": _utc(at), "status": status} for at, status in report.timeline],
        "made_at": report.made_at_utc,
    }


def _chart(report: CampaignReport) -> str:
    """The delivery outcomes as one stacked bar, inline SVG (no script, no external file)."""
    width, x = 600.0, 0.0
    parts = []
    for key, words, count, share in _outcomes(report):
        if not count:
            continue
        span = width * share
        title = html.escape(f"{words}: {count:,} ({share:.1%})")
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{span:.1f}" height="24" fill="{COLOURS[key]}">'
            f"<title>{title}</title></rect>"
        )
        x += span
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="24" '
        f'role="img" aria-label="delivery outcomes">{"".join(parts)}</svg>'
    )


def to_html(reports: Sequence[CampaignReport]) -> str:
    def esc(text: str) -> str:
        return html.escape(sanitise.one_line(text))

    sections = []
    for report in reports:
        facts = "".join(f"<tr><th>{esc(n)}</th><td>{esc(v)}</td></tr>" for n, v in _facts(report))
        outcomes = "".join(
            f'<tr><td><span class="key" style="background:{COLOURS[key]}"></span>{esc(words)}'
            f"</td><td>{count:,}</td><td>{share:.1%}</td></tr>"
            for key, words, count, share in _outcomes(report)
        )
        failures = (
            "".join(
                f"<tr><td>{esc(r)}</td><td>{esc(c)}</td><td>{n:,}</td>"
                f"<td>{esc(_money(report, cost, places=2))}</td></tr>"
                for r, c, n, cost in _failure_rows(report)
            )
            or '<tr><td colspan="4">None: nothing expired, was rejected or went unsent.</td></tr>'
        )
        timeline = "".join(
            f"<li>{esc(_when(_utc(at)))}: {esc(status)}</li>" for at, status in report.timeline
        )
        sections.append(
            f"<section><h2>{esc(_name(report))}</h2><table>{facts}</table>"
            f"<h3>Delivery</h3>{_chart(report)}"
            f"<table><tr><th>outcome</th><th>messages</th><th>share</th></tr>{outcomes}</table>"
            f"<h3>Failures by reason and country</h3>"
            f"<table><tr><th>reason</th><th>country</th><th>messages</th><th>cost</th></tr>"
            f"{failures}</table>"
            + (f"<h3>Status as lox24tui saw it</h3><ul>{timeline}</ul>" if timeline else "")
            + "</section>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>lox24tui campaign report</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;color:#222}"
        "table{border-collapse:collapse;margin:.5rem 0}th,td{padding:.2rem .6rem;"
        "border-bottom:1px solid #ddd;text-align:left}"
        ".key{display:inline-block;width:.8rem;height:.8rem;margin-right:.4rem}"
        "</style></head><body><h1>Campaign report</h1>" + "".join(sections) + "</body></html>\n"
    )
