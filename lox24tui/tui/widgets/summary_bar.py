"""The line above the table: the watch list at a glance and what the engine is doing."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import Final

from rich.text import Text
from textual.widget import Widget

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
    if breaker is not None and breaker.kind == BreakerKind.STATE:  # a lock held, a full disk…
        return Text.assemble(
            ("■ Not sending: ", ERROR_STYLE), sanitise.one_line(breaker.reason(summary.at))
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


FOLD_FIRST: Final = (
    status_info(StatusCode.CANCELED).label,
    status_info(StatusCode.PROCESSED).label,
    "pending",
    status_info(StatusCode.NEW).label,
    SCHEDULED,
)
"""Counts that need no attention, in the order they fold into "N other" on a narrow screen;
in progress, failures and errors always keep a count of their own."""


def counts_line(
    summary: Summary,
    folded: Collection[str] = (),
    *,
    totals: bool = True,
    currency: str | None = None,
) -> Text:
    """How many bulks are in each status (``folded`` ones together, as "N other"), then the
    total messages and cost (in the account's currency, once known)."""
    text = Text()
    text.append(f"{summary.watched} watched", "bold")
    labels = sorted(summary.by_status, key=lambda k: _ORDER.index(k) if k in _ORDER else 50)
    for label in labels:
        if label in folded:
            continue
        style = STATUS_STYLES.get(label, ERROR_STYLE if label in ("not found", "error") else "")
        text.append(" · ")
        text.append(f"{summary.by_status[label]} {label}", style)
    other = sum(summary.by_status.get(label, 0) for label in folded)
    if other:
        text.append(f" · {other} other")
    if totals:
        text.append("   ")
        text.append(f"{humanize.count(summary.total_messages)} messages", "bold")
        text.append(" · ")
        text.append(humanize.money(summary.total_price, currency), "bold")
    return text


def shorter_counts(summary: Summary, currency: str | None = None) -> Iterator[Text]:
    """The counts line, then ever shorter: counts that need no attention fold into "N other"
    one by one, then the totals go."""
    foldable = [label for label in FOLD_FIRST if label in summary.by_status]
    for count in range(len(foldable) + 1):
        yield counts_line(summary, foldable[:count], currency=currency)
    yield counts_line(summary, foldable, totals=False)


def shorter_states(state: Text, demo: bool, balance: Text | None = None) -> Iterator[Text]:
    """The engine's state, in the demo after a badge, then the balance; shorter where space is
    short (the badge's words first, the balance last)."""
    badges = (
        [
            Text.assemble(("DEMO ", "reverse bold"), " simulated LOX24 account · "),
            Text.assemble(("DEMO ", "reverse bold"), " "),
        ]
        if demo
        else [Text()]
    )
    for badge in badges:
        if balance is not None:
            yield Text.assemble(badge, state, "   ", balance)
    for badge in badges:
        yield Text.assemble(badge, state)


def balance_text(
    balance: Decimal | None, currency: str | None, *, low: bool, out_of_funds: bool
) -> Text | None:
    """ "balance 4,512.30 EUR", in warning colours when below low_balance, with an alert when
    messages go unsent for want of funds; None before the account is known."""
    if balance is None:
        return None
    text = Text.assemble("balance ", (humanize.money(balance, currency), "bold"))
    if out_of_funds:
        text.stylize("bold red")
        text.append(" ⚠ messages not sent: no funds", "bold red")
    elif low:
        text.stylize("bold yellow")
        text.append(" ⚠ low", "bold yellow")
    return text


def first_fitting(variants: Iterable[Text], width: int) -> Text:
    """The first of ``variants`` that fits in ``width`` cells, else the last one."""
    text = Text()
    for text in variants:
        if text.cell_len <= width:
            break
    return text


class SummaryBar(Widget):
    """Counts per status, totals, and the engine's state: two lines, at any width. Where the
    full text would not fit, less important parts go (app.tcss crops what still does not fit),
    since a wrapped line would push the table down."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._showing: tuple[Summary, int | None, Text, bool, int, Text | None] | None = None
        self._currency: str | None = None

    def show(
        self,
        summary: Summary,
        interval: float,
        demo: bool,
        shown: int | None = None,
        engine_failure: str | None = None,
        archived: int = 0,
        balance: Text | None = None,
        currency: str | None = None,
    ) -> None:
        """Show this summary. ``shown``: how many bulks the filter lets through, if one is on;
        ``engine_failure``: why the refresh engine stopped, if it did; ``archived``: how many
        finished bulks the archive hides."""
        if engine_failure is None:
            state = engine_line(summary, interval)
        else:
            state = failure_line(engine_failure)
        self._showing = (summary, shown, state, demo, archived, balance)
        self._currency = currency
        self.refresh()

    def render(self) -> Text:
        if self._showing is None:
            return Text()
        summary, shown, state, demo, archived, balance = self._showing
        width = self.content_size.width
        share = Text()
        if shown is not None:  # always there: it says why rows are missing
            share.append(f"   filter: {shown} of {summary.watched} shown", "bold yellow")
        if archived:  # also always there: the rows are not gone
            full = Text(f"   {archived} archived (A)", "yellow")
            short = Text(f" +{archived} (A)", "yellow")
            fits = (
                share.cell_len
                + full.cell_len
                + min(t.cell_len for t in shorter_counts(summary, self._currency))
            )
            share.append_text(full if fits <= width else short)
        counts = (
            first_fitting(shorter_counts(summary, self._currency), width - share.cell_len) + share
        )
        return Text("\n").join([counts, first_fitting(shorter_states(state, demo, balance), width)])
