"""The line above the table: the watch list at a glance and what the engine is doing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from lox24tui import humanize, sanitise
from lox24tui.api import SCHEDULED, StatusCode, status_info
from lox24tui.guard import BreakerKind
from lox24tui.monitor import Summary
from lox24tui.tui.cells import ERROR_STYLE, STATUS_STYLES

_ORDER = (
    status_info(StatusCode.IN_PROGRESS).label,
    SCHEDULED,
    *(status_info(code).label for code in StatusCode if code != StatusCode.IN_PROGRESS),
    "not found",
    "error",
    "pending",
)
"""The order of the counts: status labels as the models define them, then the engine's own."""


def countdown(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}" if minutes else f"{rest} s"


def failure_line(failure: str) -> Text:
    """The engine itself broke: nothing is refreshed any more, and the screen must say so."""
    return Text.assemble(
        ("■ Not refreshing: ", ERROR_STYLE),
        f"the refresh engine failed ({sanitise.one_line(failure)}). Restart lox24tui.",
    )


def engine_line(summary: Summary, interval: float) -> Text:
    """One sentence on the engine's state, with what to do when it is stopped."""
    breaker = summary.breaker
    left = summary.breaker_seconds_left
    if breaker is not None and breaker.kind == BreakerKind.AUTH:
        what = breaker.error.message.split(":")[0] if breaker.error else "LOX24 refused the token"
        return Text.assemble(
            ("■ Stopped: ", ERROR_STYLE),
            (f"{sanitise.one_line(what)}. ", ""),
            ("t", "bold"),
            " enters a new token, ",
            ("p", "bold"),
            " tries this one again.",
        )
    if breaker is not None and breaker.kind == BreakerKind.RATE_LIMITED:
        return Text.assemble(
            ("■ Rate limited by LOX24 (429): ", ERROR_STYLE),
            f"no requests for {countdown(left or 0)}, then polling resumes by itself.",
        )
    if breaker is not None and breaker.kind == BreakerKind.UNREACHABLE:
        since = "" if breaker.since is None else f" since {humanize.clock_time(breaker.since)}"
        retry = "probing now" if left is None else f"retrying in {countdown(left)}"
        return Text.assemble(
            (f"■ LOX24 unreachable{since}", ERROR_STYLE),
            f" · {retry} (one request at a time until it answers)",
        )
    if breaker is not None and breaker.kind == BreakerKind.PROTECTING_IP:
        return Text.assemble(
            ("■ Protecting your IP: ", "bold yellow"),
            f"three failed logins this minute; the next try waits {countdown(left or 0)}.",
        )
    if summary.paused:
        return Text.assemble(
            ("Ⅱ Paused", "bold yellow"),
            f" ({sanitise.one_line(summary.pause_reason or 'paused')}). ",
            ("p", "bold"),
            " resumes.",
        )
    flying = f", {summary.in_flight} in flight" if summary.in_flight else ""
    return Text.assemble(("● Live", "bold green"), f": every {interval:g} s{flying}")


def counts_line(summary: Summary) -> Text:
    text = Text()
    text.append(f"{summary.watched} watched", "bold")
    labels = sorted(summary.by_status, key=lambda k: _ORDER.index(k) if k in _ORDER else 50)
    for label in labels:
        style = STATUS_STYLES.get(label, ERROR_STYLE if label in ("not found", "error") else "")
        text.append(" · ")
        text.append(f"{summary.by_status[label]} {label}", style)
    text.append("   ")
    text.append(f"{humanize.count(summary.total_messages)} messages", "bold")
    text.append(" · ")
    text.append(humanize.money(summary.total_price), "bold")
    return text


class SummaryBar(Static):
    """Counts per status, totals, and the engine's state."""

    def show(
        self,
        summary: Summary,
        interval: float,
        demo: bool,
        shown: int | None = None,
        engine_failure: str | None = None,
    ) -> None:
        lines = counts_line(summary)
        if shown is not None:
            lines.append(f"   filter: {shown} of {summary.watched} shown", "bold yellow")
        lines.append("\n")
        if demo:
            lines.append("DEMO ", "reverse bold")
            lines.append(" simulated LOX24 account · ")
        if engine_failure is not None:
            lines.append_text(failure_line(engine_failure))
        else:
            lines.append_text(engine_line(summary, interval))
        self.update(lines)
