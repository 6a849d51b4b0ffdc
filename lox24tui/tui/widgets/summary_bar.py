"""The line above the table: the watch list at a glance and what the engine is doing."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from lox24tui.account.guard import REFUSED_ALLOWED, BreakerKind
from lox24tui.api import SCHEDULED, StatusCode, status_info
from lox24tui.engine.monitor import Summary
from lox24tui.insight.forecast import Forecast
from lox24tui.session.account_view import AccountView
from lox24tui.session.all_accounts import AccountTag
from lox24tui.text import humanize, sanitise
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


PENDING: Final = "pending"
"""The engine's label for a bulk LOX24 has not answered for yet."""
CHECKING: Final = "checking…"
"""How the bar and the rows say it: until the first answers come, the dashboard is checking
(the counts of a list nobody has looked at yet would pass for the truth)."""


DEFAULT_KEYS: Final = {"main.token": "t", "main.pause": "p", "main.archived": "A"}
"""The keys the bar names, before a front end says which are in effect."""


def countdown(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}" if minutes else f"{rest} s"


def _until(until: float | None, left: float | None) -> str:
    """ "until 09:41 (1:15)": when a wait ends, as a clock time, and how long that is."""
    wait = countdown(left or 0)
    return f"for {wait}" if until is None else f"until {humanize.clock_time(until)} ({wait})"


def failure_line(failure: str) -> Text:
    """The engine itself broke: nothing is refreshed any more, and the screen must say so."""
    return Text.assemble(
        ("■ Not refreshing: ", ERROR_STYLE),
        f"the refresh engine failed ({sanitise.one_line(failure)}). Restart lox24tui.",
    )


def engine_line(
    summary: Summary, interval: float, key_name: Callable[[str], str] = DEFAULT_KEYS.__getitem__
) -> Text:
    """One sentence on the engine's state, with what to do when it is stopped (the keys named
    by ``key_name``, as the keymap has them)."""
    breaker = summary.breaker
    left = summary.breaker_seconds_left
    if breaker is not None and breaker.kind == BreakerKind.AUTH:
        # short, so that at 80 columns the keys that get out of it stay on screen; the toast
        # and the pane give LOX24's whole answer (and where the token came from)
        status = breaker.error.http_status if breaker.error is not None else None
        what = "LOX24 refused the account or key" if status == 403 else "LOX24 refused the token"
        return Text.assemble(
            ("■ Stopped: ", ERROR_STYLE),
            (f"{what}{f' ({status})' if status else ''}. ", ""),
            (key_name("main.token"), "bold"),
            " enters a new token, ",
            (key_name("main.pause"), "bold"),
            " tries this one again.",
        )
    if breaker is not None and breaker.kind == BreakerKind.STATE:  # a lock held, a full disk…
        return Text.assemble(
            ("■ Not sending: ", ERROR_STYLE), sanitise.one_line(breaker.reason(summary.at))
        )
    if breaker is not None and breaker.kind == BreakerKind.RATE_LIMITED:
        return Text.assemble(
            ("■ Rate limited by LOX24 (429): ", ERROR_STYLE),
            f"no requests {_until(breaker.until, left)}, then polling resumes by itself.",
        )
    if breaker is not None and breaker.kind == BreakerKind.UNREACHABLE:
        since = "" if breaker.since is None else f" since {humanize.clock_time(breaker.since)}"
        retry = "probing now" if left is None else f"retrying in {countdown(left)}"
        return Text.assemble(
            (f"■ LOX24 unreachable{since}", ERROR_STYLE),
            f" · {retry} (one request at a time until it answers)",
        )
    if breaker is not None and breaker.kind == BreakerKind.PROTECTING_IP and not breaker.refused:
        return Text.assemble(
            ("■ LOX24 cannot be reached: ", ERROR_STYLE),
            f"{REFUSED_ALLOWED} requests got no answer this minute and LOX24 may have counted "
            f"them; to protect your IP the next try waits {_until(breaker.until, left)}.",
        )
    if breaker is not None and breaker.kind == BreakerKind.PROTECTING_IP:
        return Text.assemble(
            ("■ Protecting your IP: ", "bold yellow"),
            f"{REFUSED_ALLOWED} refused or unanswered logins this minute; the next try waits "
            f"{_until(breaker.until, left)}.",
        )
    if summary.paused:
        return Text.assemble(
            ("Ⅱ Paused", "bold yellow"),
            f" ({sanitise.one_line(summary.pause_reason or 'paused')}). ",
            (key_name("main.pause"), "bold"),
            " resumes.",
        )
    flying = f", {summary.in_flight} in flight" if summary.in_flight else ""
    return Text.assemble(
        ("● Live", "bold green"), f": every {interval:g} s{flying}", first_pass_text(summary)
    )


def first_pass_text(summary: Summary) -> str:
    """ " · counting delivery: 120 of 1,000" while some bulk's first delivery count is still to
    come (at LOX24's pace, the first pass over a long list takes a while)."""
    progress = summary.first_pass
    if progress is None:
        return ""
    return f" · counting delivery: {humanize.count(progress.done)} of {humanize.count(progress.of)}"


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
        words = CHECKING if label == PENDING else label
        text.append(f"{summary.by_status[label]} {words}", "dim" if label == PENDING else style)
    other = sum(summary.by_status.get(label, 0) for label in folded)
    if other:
        text.append(f" · {other} other")
    if totals:
        text.append("   ")
        text.append(f"{humanize.count(summary.total_messages)} messages", "bold")
        text.append(" · ")
        text.append(
            humanize.money(summary.total_price, currency, places=humanize.COLUMN_PLACES), "bold"
        )
    return text


def shorter_counts(
    summary: Summary, currency: str | None = None, *, totals: bool = True
) -> Iterator[Text]:
    """The counts line, then ever shorter: counts that need no attention fold into "N other"
    one by one, then the totals go. (No totals at all where accounts in different currencies
    are counted together: they do not add up.)"""
    foldable = [label for label in FOLD_FIRST if label in summary.by_status]
    for count in range(len(foldable) + 1):
        yield counts_line(summary, foldable[:count], currency=currency, totals=totals)
    yield counts_line(summary, foldable, totals=False)


def shorter_states(
    state: Text, demo: bool, balance: Text | None = None, spend: Sequence[Text] = ()
) -> Iterator[Text]:
    """The engine's state, in the demo after a badge, then the balance and the scheduled spend;
    shorter where space is short (the badge's words first, then the spend, the balance last)."""
    badges = (
        [
            Text.assemble(("DEMO ", "reverse bold"), " simulated LOX24 account · "),
            Text.assemble(("DEMO ", "reverse bold"), " "),
        ]
        if demo
        else [Text()]
    )
    if balance is not None:
        for said in spend:
            for badge in badges:
                yield Text.assemble(badge, state, "   ", balance, " · ", said)
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
    shown = humanize.money(balance, currency, places=humanize.COLUMN_PLACES)
    text = Text.assemble("balance ", (shown, "bold"))
    if out_of_funds:
        text.stylize("bold red")
        text.append(" ⚠ messages not sent: no funds", "bold red")
    elif low:
        text.stylize("bold yellow")
        text.append(" ⚠ low", "bold yellow")
    return text


def spend_text(forecast: Forecast | None, over_balance: bool, currency: str | None) -> list[Text]:
    """ "scheduled ~2,025.00 EUR": what the bulks waiting to send will cost ("~" an estimate,
    "≥" some not counted), in alarm colours when more than the balance, then shorter; nothing
    when no scheduled bulk has a cost to tell (what does not matter is not said)."""
    if forecast is None or not forecast.known:
        return []
    shown = humanize.money(forecast.cost, currency, places=humanize.COLUMN_PLACES)
    mark = "≥" if forecast.unknown or not forecast.complete else "~" if forecast.estimated else ""
    if not over_balance:
        return [Text.assemble("scheduled ", (f"{mark}{shown}", "bold"))]
    return [
        Text.assemble(("scheduled ", "bold red"), (f"{mark}{shown} ⚠ over balance", "bold red")),
        Text.assemble(("⚠ scheduled ", "bold red"), (f"{mark}{shown}", "bold red")),
    ]


def account_balance_text(account: AccountView) -> Text | None:
    """The balance of one account as the bar shows it (see :func:`balance_text`)."""
    known = account.account
    return balance_text(
        known.balance_amount if known else None,
        account.currency,
        low=account.is_low,
        out_of_funds=account.out_of_funds,
    )


def account_spend_text(account: AccountView) -> list[Text]:
    return spend_text(account.forecast, account.over_balance, account.currency)


def account_state(summary: Summary) -> Text | None:
    """A few words when an account's engine is not refreshing (its rows say so too); None
    while it is. A refused token stops its own account; a 429 or an outage every account on
    that server, and each line says it."""
    breaker = summary.breaker
    words = {
        BreakerKind.AUTH: "token refused",
        BreakerKind.RATE_LIMITED: "rate limited (429)",
        BreakerKind.UNREACHABLE: "LOX24 unreachable",
        BreakerKind.PROTECTING_IP: "protecting your IP",
        BreakerKind.STATE: "not sending",
    }
    if breaker is not None:
        return Text(f"⚠ {words.get(breaker.kind, 'stopped')}", ERROR_STYLE)
    if summary.paused:
        return Text(f"Ⅱ {sanitise.one_line(summary.pause_reason or 'paused')}", "bold yellow")
    return None


def account_lines(tag: AccountTag, summary: Summary, account: AccountView) -> tuple[Text, ...]:
    """One account's line, when the dashboard shows several: its mark in its colour, what
    stops it, its counts and totals in its own currency, its balance and scheduled spend;
    then shorter (the totals go, then the spend, then the counts but the number watched)."""
    mark = Text.assemble(("■ ", tag.colour or ""), (sanitise.one_line(tag.label), "bold"))
    state = account_state(summary)
    head = Text(" · ").join([mark, state]) if state is not None else mark
    currency = account.currency
    watched = Text(f"{summary.watched} watched")
    totals = Text.assemble(
        f"{humanize.count(summary.total_messages)} messages · ",
        humanize.money(summary.total_price, currency, places=humanize.COLUMN_PLACES),
    )
    balance = account_balance_text(account)
    spend = account_spend_text(account)
    money = [balance] if balance is not None else []
    variants = []
    for said in [*spend, None]:  # the spend long, short, then none
        tail = [*money, *([said] if said is not None else [])]
        if summary.watched and currency is not None:  # amounts say their currency
            variants.append(Text(" · ").join([head, watched, totals, *tail]))
        variants.append(Text(" · ").join([head, watched, *tail]))
    variants.append(Text(" · ").join([head, *money]))
    variants.append(head)
    return tuple(variants)


def first_fitting(variants: Iterable[Text], width: int) -> Text:
    """The first of ``variants`` that fits in ``width`` cells, else the last one."""
    text = Text()
    for text in variants:
        if text.cell_len <= width:
            break
    return text


@dataclass(frozen=True, slots=True)
class BarContent:
    """Everything the summary bar shows, in one value: a screen binds it to the bar."""

    summary: Summary
    interval: float
    demo: bool
    shown: int | None = None
    """How many bulks the filter lets through, if one is on."""
    engine_failure: str | None = None
    """Why the refresh engine stopped, if it did."""
    archived: int = 0
    """How many finished bulks the archive hides (``summary`` counts the rest)."""
    balance: Text | None = None
    spend: Sequence[Text] = ()
    """What the scheduled bulks will cost, when any has a cost to tell; shorter and shorter."""
    currency: str | None = None
    archive_shown: bool = False
    """The archive is shown (then ``summary`` counts its bulks too)."""
    key_name: Callable[[str], str] = DEFAULT_KEYS.__getitem__
    """The key that runs a binding, as the keymap has it (the archive's, the token's, pause)."""
    accounts: Sequence[Sequence[Text]] = ()
    """A line per account when there are several (:func:`account_lines`), each longest
    first; then ``currency`` is None unless they share one, and the totals are theirs."""


class SummaryBar(Widget):
    """Counts per status, totals, and the engine's state: two lines, at any width. Where the
    full text would not fit, less important parts go (app.tcss crops what still does not fit),
    since a wrapped line would push the table down."""

    showing: reactive[BarContent | None] = reactive(None)
    """What the bar shows; its screen binds it (``data_bind``), and each new value redraws it."""

    def render(self) -> Text:
        if self.showing is None:
            return Text()
        content = self.showing
        summary, shown, demo, archived, balance = (
            content.summary,
            content.shown,
            content.demo,
            content.archived,
            content.balance,
        )
        if content.engine_failure is None:
            state = engine_line(summary, content.interval, content.key_name)
        else:
            state = failure_line(content.engine_failure)
        width = self.content_size.width
        totals = not content.accounts or content.currency is not None
        share = Text()
        if shown is not None:  # always there: it says why rows are missing
            share.append(f"   filter: {shown} of {summary.watched} shown", "bold yellow")
        key = content.key_name("main.archived")
        if archived or content.archive_shown:  # also always there: the rows are not gone
            if content.archive_shown:
                full = Text(f"   archive shown ({key} hides it)", "bold yellow")
                short = Text(f" +archive ({key})", "bold yellow")
            else:
                full = Text(f"   +{archived} archived ({key} shows)", "yellow")
                short = Text(f" +{archived} ({key})", "yellow")
            least = min(
                t.cell_len for t in shorter_counts(summary, content.currency, totals=totals)
            )
            share.append_text(full if share.cell_len + full.cell_len + least <= width else short)
        counts = first_fitting(
            shorter_counts(summary, content.currency, totals=totals), width - share.cell_len
        )
        return Text("\n").join(
            [
                counts + share,
                first_fitting(shorter_states(state, demo, balance, content.spend), width),
                *(first_fitting(lines, width) for lines in content.accounts),
            ]
        )
