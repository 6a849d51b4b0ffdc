"""Every field of a bulk's last status response, readable and exact.

Values from the server are shown literally: they are Rich ``Text`` (never markup), with control
characters made visible, so ``[bold]`` or an escape sequence inside a value is text on screen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Sparkline, Static

from lox24tui.api import StatusReply, label_with_code, voice_language_with_code
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.insight.progress import estimate, rates, share_done
from lox24tui.session.all_accounts import AccountTag, AllAccounts
from lox24tui.session.engagement_cache import Engaged
from lox24tui.session.status_history import TimelineStep
from lox24tui.state.history import ProgressSample
from lox24tui.text import humanize, sanitise
from lox24tui.tui.cells import account_text, bar, status_text

CHANGED_STYLE = "bold reverse"

PANE_BESIDE_FROM: Final = 120
"""Terminal columns from which the detail pane sits beside the table; narrower, it is this
screen, over the table."""
TIMES_SECONDS = 5.0
"""How often relative times ("12 s ago") are redrawn."""


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _value(value: Any) -> str:
    if value is None:
        return "—"
    return sanitise.one_line(str(value))


def field_rows(
    state: BulkState, now_ts: float, currency: str | None = None
) -> list[tuple[str, str, str]]:
    """(field name, shown value, contract key) for every field of the last response; the price
    in the account's currency once it is known."""
    now = _at(now_ts)
    reply = state.reply
    if reply is None:
        return []
    status = reply.status
    shown = label_with_code(status.label_at(now), status.status_code)
    rows = [
        ("status", f"{shown} — {status.status.meaning}", "status_code"),
        ("uuid", _value(status.uuid), "uuid"),
    ]
    if status.json_ld_id is not None or status.json_ld_type is not None:
        rows.append(("@id", _value(status.json_ld_id), "@id"))
        rows.append(("@type", _value(status.json_ld_type), "@type"))
    rows += [
        ("delivery_at", humanize.local_time_relative(status.delivery_at, now), "delivery_at"),
        ("created_at", humanize.local_time_relative(status.created_at, now), "created_at"),
        (
            "processed_at",
            _last_change(humanize.local_time_relative(status.processed_at, now)),
            "processed_at",
        ),
        ("msg_total_count", humanize.count(status.msg_total_count), "msg_total_count"),
        ("price", humanize.money(status.price, currency), "price"),
        ("is_unicode", humanize.flag(status.is_unicode), "is_unicode"),
        ("is_dryrun", humanize.flag(status.is_dryrun), "is_dryrun"),
        ("service_code", _value(status.service_code), "service_code"),
        ("key_id", _value(status.key_id), "key_id"),
        ("source", _value(status.source), "source"),
        ("voice_lang", _value(voice_language_with_code(status.voice_lang)), "voice_lang"),
        ("is_text_deleted", humanize.flag(status.is_text_deleted), "is_text_deleted"),
        ("ip", _value(status.ip), "ip"),
    ]
    for key, raw in status.unreadable_fields.items():
        rows.append((sanitise.one_line(key), f"unreadable: {sanitise.one_line(repr(raw))}", key))
    for key, raw in status.extra_fields.items():
        rows.append(
            (sanitise.one_line(key), f"{sanitise.one_line(repr(raw))} (not in the contract)", key)
        )
    return rows


def _last_change(shown: str) -> str:
    """LOX24 documents processed_at as the time of the last change: on a bulk still sending,
    read alone, it would pass for "done at"."""
    return shown if shown == "—" else f"{shown} · time of the last change"


def changed_fields(previous: StatusReply | None, current: StatusReply | None) -> set[str]:
    """Contract keys whose value differs between two responses."""
    if previous is None or current is None:
        return set()
    old = json.loads(previous.raw_json) if _is_object(previous.raw_json) else {}
    new = json.loads(current.raw_json) if _is_object(current.raw_json) else {}
    return {key for key in set(old) | set(new) if old.get(key) != new.get(key)}


def _is_object(raw: str) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except ValueError:
        return False


class DetailPane(VerticalScroll, can_focus=True):
    """The selected bulk in full. Follows a bulk id, never a row index.

    A scrolling container around one Static: a bulk's fields are taller than a small terminal,
    and only a container scrolls (with Up/Down/PgUp/PgDn/Home/End once focused)."""

    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        padding: 0 1;
    }
    DetailPane > Static {
        height: auto;
    }
    DetailPane > #progress {
        margin-top: 1;
    }
    DetailPane > #rate {
        height: 2;
        margin: 0 0;
    }
    DetailPane.-beside {
        width: 30%;
        min-width: 56;  /* a uuid after the longest field name, unbroken */
        max-width: 60;
        border-left: vkey $secondary;
    }
    DetailPane.-beside:focus {
        border-left: vkey $accent;
    }
    DetailPane.-screen {
        padding: 1 2;
    }
    """

    class EngagementWanted(Message):
        """Someone looks at a bulk whose clicks and replies are not known, or old."""

        def __init__(self, bulk_id: str) -> None:
            super().__init__()
            self.bulk_id = bulk_id

    BINDINGS = [
        Binding(
            "j",
            "toggle_raw",
            "Raw JSON",
            tooltip="Show the raw JSON of the last response",
            id="pane.raw",
        ),
        Binding(
            "C",
            "copy_request_id",
            "Copy request id",
            tooltip="For LOX24 support",
            id="pane.copy_request_id",
        ),
    ]

    show_raw: reactive[bool] = reactive(False)
    """Show the raw JSON of the last response instead of the fields."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.bulk_id: str | None = None
        self.currency: str | None = None
        """The account's currency, once known (GET /me)."""
        self.account: AccountTag | None = None
        """The bulk's account, when the dashboard shows several (its label, in its colour)."""
        self._render_args: (
            tuple[str, BulkState, StatusReply | None, float, Sequence[TimelineStep]] | None
        ) = None
        self._body = Static(markup=False)
        """Built now, so the pane can be filled before it is mounted."""
        self._progress = Static(markup=False, id="progress")
        self._rate = Sparkline([], id="rate")
        """The send rate between each two samples: how the bulk's pace went."""
        self._tail = Static(markup=False)
        self._samples: Sequence[ProgressSample] = ()
        self._engaged: Engaged | None = None
        self._reading = False

    def compose(self) -> ComposeResult:
        yield self._body
        yield self._progress
        yield self._rate
        yield self._tail

    @property
    def body(self) -> Static:
        """What the pane shows, all of it (the pane itself only scrolls it)."""
        return self._body

    def show(
        self,
        label: str,
        state: BulkState,
        previous: StatusReply | None,
        now_ts: float,
        timeline: Sequence[TimelineStep] = (),
        progress: Sequence[ProgressSample] = (),
        engaged: Engaged | None = None,
        *,
        reading: bool = False,
    ) -> None:
        """``timeline``: each status the bulk was seen in, labelled as it read then (from the
        history, so earlier runs count too); ``progress``: its counts while it sent;
        ``engaged``: its clicks and replies, as last read (``reading``: being read again)."""
        self.bulk_id = state.bulk_id
        self._render_args = (label, state, previous, now_ts, timeline)
        self._samples = progress
        self._engaged, self._reading = engaged, reading
        self._redraw()

    def _redraw(self) -> None:
        body, tail = self._build()
        self._body.update(body)
        self._tail.update(tail)
        args = self._render_args
        words = None if self.show_raw or args is None else progress_words(self._samples, args[3])
        self._progress.display = words is not None
        self._progress.update(words or "")
        curve = rates(self._samples)
        self._rate.display = words is not None and len(curve) >= 2
        self._rate.data = curve

    @property
    def request_id(self) -> str | None:
        """The request id of the last response (or of the last error, which support needs)."""
        if self._render_args is None:
            return None
        state = self._render_args[1]
        if state.error is not None and state.error.request_id:
            return state.error.request_id
        return state.reply.request_id if state.reply else None

    def action_toggle_raw(self) -> None:
        self.show_raw = not self.show_raw

    def action_copy_request_id(self) -> None:
        request_id = self.request_id
        if request_id is None:
            self.notify("No request id yet for this bulk.", severity="warning")
            return
        self.app.copy_to_clipboard(request_id)
        self.notify(f"Copied request id {request_id}", timeout=3, markup=False)

    def watch_show_raw(self) -> None:
        if self._render_args is not None:
            self._redraw()

    def _build(self) -> tuple[RenderableType, RenderableType]:
        """The pane's text above the progress section, and below it."""
        assert self._render_args is not None
        label, state, previous, now_ts, timeline = self._render_args
        now = _at(now_ts)
        title = Text(sanitise.one_line(label) or "(no label)", style="bold")
        status_label, status_style = status_text(state, now)
        account = [account_text(self.account)] if self.account is not None else []
        header = Text("\n").join(
            [title, *account, Text(state.bulk_id, "dim"), Text(status_label, status_style)]
        )
        if self.show_raw:
            raw = Group(
                header, Text(""), _raw_answer(state), Text("\nj: back to the fields", "dim")
            )
            return raw, Text("")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column()
        changed = changed_fields(previous, state.reply)
        for name, value, key in field_rows(state, now_ts, self.currency):
            grid.add_row(Text(name), Text(value, style=CHANGED_STYLE if key in changed else ""))
        about = Table.grid(padding=(0, 1))
        about.add_column(style="dim", no_wrap=True)
        about.add_column()
        for name, words in engagement_rows(self._engaged, self._reading):
            about.add_row(Text(name), words)
        about.add_row(Text("request id"), Text(_value(self.request_id)))
        about.add_row(
            Text("last checked"),
            Text(
                humanize.local_time_relative(_at(state.last_checked), now)
                if state.last_checked
                else "not yet"
            ),
        )
        about.add_row(
            Text("next check"),
            Text(
                humanize.local_time_relative(_at(state.next_due), now)
                if state.next_due is not None
                else "none (final, or stopped)"
            ),
        )
        error = Text(_value(state.error), style="red") if state.error else Text("none")
        about.add_row(Text("last error"), error)
        about.add_row(Text("timeline"), _timeline(timeline, now_ts))
        parts: list[RenderableType] = [header, Text("")]
        if state.reply is not None:
            parts += [grid, Text("")]
        if state.delivery is not None:
            expected = state.reply.status.msg_total_count if state.reply is not None else None
            parts += [delivery_table(state.delivery, now, expected)]
        tail = Group(
            Text(""), about, Text("\nj raw JSON · C copy request id · v hide", style="dim")
        )
        return Group(*parts), tail


DELIVERY_ROWS: Final = (
    ("delivered", "delivered", "green"),
    ("queued", "queued", ""),
    ("submitted", "submitted", ""),
    ("none", "no report yet", "dim"),
    ("expired", "expired", "red"),
    ("rejected", "rejected", "red"),
    ("not_sent", "not sent", "red"),
    ("waiting", "waiting to be sent", "dim"),
    ("other", "other report", "yellow"),
)
"""The outcomes of a delivery breakdown as the pane lists them (field name, words, style)."""


def delivery_table(
    delivery: DeliveryBreakdown, now: datetime, expected: int | None = None
) -> RenderableType:
    """The bulk's messages by delivery outcome: count, share and a bar each, when they were
    counted, and whether they may still change. ``expected`` is the bulk's msg_total_count: a
    count that differs from it says why, or two numbers side by side look like a bug."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    total = delivery.total
    for field_name, words, style in DELIVERY_ROWS:
        count = getattr(delivery, field_name)
        if not count and field_name in ("other", "not_sent", "waiting"):
            continue
        share = count / total if total else 0.0
        grid.add_row(
            Text(words),
            Text(humanize.count(count)),
            Text(f"{share:.0%}"),
            Text(bar(share, 10), style),
        )
    taken = humanize.local_time_relative(_at(delivery.taken_at), now)
    settled = "settled: no report will change any more" if delivery.settled else "still changing"
    about = f"{humanize.count(total)} messages, counted {taken}; {settled}"
    if delivery.partial:
        about += " (LOX24 sent no totals: counted from the first pages, at least this many)"
    about += count_gap(total, expected, partial=delivery.partial)
    return Group(Text("delivery", style="bold"), grid, Text(about, style="dim"))


def engagement_rows(engaged: Engaged | None, reading: bool) -> list[tuple[str, Text]]:
    """The pane's clicks and replies rows: the counts, "reading…", or why they are not known;
    none for a bulk that has sent nothing."""
    if engaged is None:
        return [("clicks", Text("reading…", "dim")), ("replies", Text(""))] if reading else []
    if engaged.engagement is None:
        return [("clicks", Text(f"not read: {engaged.problem}", "red"))]
    found = engaged.engagement
    return [("clicks", Text(found.clicks_text)), ("replies", Text(found.replies_text))]


def progress_words(samples: Sequence[ProgressSample], now_ts: float) -> Text | None:
    """The progress section's words: the share sent, the pace and the ETA while the bulk sends
    (see :mod:`lox24tui.insight.progress`), how long it was watched sending after the fact.
    None when nothing was sampled."""
    if not samples:
        return None
    last = samples[-1]
    share = share_done(last)
    if share is None:
        return None
    text = Text.assemble(("progress", "bold"), "\n")
    if last.done < last.total:
        outlook = estimate(samples, now_ts)
        pace = outlook.per_minute
        per_minute = f" · {humanize.count(round(pace))} a minute" if pace else ""
        text.append(f"{share:.0%} sent{per_minute} · ETA {outlook.text}")
    else:
        text.append(f"all sent · watched sending for {humanize.span(last.at - samples[0].at)}")
    if len(rates(samples)) >= 2:
        counts = humanize.plural(len(samples), "count")
        text.append(f"\nthe send rate, messages a minute, over {counts}:", style="dim")
    return text


def count_gap(counted: int, expected: int | None, *, partial: bool = False) -> str:
    """Why the messages counted differ from the bulk's msg_total_count, if they do: a bulk
    creates its messages as it sends, and the count and the status are asked for at different
    moments."""
    if expected is None or counted == expected or (partial and counted < expected):
        return ""
    if counted < expected:
        return (
            f". The bulk has {humanize.count(expected)} messages now (msg_total_count): "
            f"{humanize.count(expected - counted)} were created after this count"
        )
    return (
        f". The count is newer than the status shown ({humanize.count(expected)} messages): "
        f"{humanize.count(counted - expected)} were created in between"
    )


def _timeline(steps: Sequence[TimelineStep], now_ts: float) -> Text:
    """Each status seen, labelled as it read at the time ("scheduled → in progress"); a step
    of another day shows its date."""
    today = _at(now_ts).astimezone().date()
    timeline = Text()
    for index, step in enumerate(steps):
        if index:
            timeline.append(" → ")
        when = _at(step.at).astimezone()
        stamp = f"{when:%H:%M:%S}" if when.date() == today else f"{when:%d.%m. %H:%M}"
        timeline.append(f"{stamp} {step.label}")
    return timeline or Text("—")


def _raw_answer(state: BulkState) -> RenderableType:
    """The last status response as it came; before there is one, what the last request got
    instead (a 404 is LOX24's answer too, with the request id its support asks for)."""
    if state.reply is not None:
        return _pretty_json(state.reply.raw_json)
    if state.error is not None:
        return Text.assemble(
            "No status response yet. The last request:\n", (_value(state.error), "red")
        )
    return Text("(no response yet)")


def _pretty_json(raw: str) -> RenderableType:
    """The body indented and coloured. Syntax brings Pygments (~1.4 MiB), so it is imported
    the first time someone asks to see a body, not by every dashboard."""
    from rich.syntax import Syntax

    try:
        text = json.dumps(json.loads(raw), indent=2, ensure_ascii=True)
    except ValueError:
        return Text(sanitise.one_line(raw))
    return Syntax(text, "json", word_wrap=True, theme="ansi_dark", background_color="default")


def show_bulk(pane: DetailPane, session: AllAccounts, bulk_id: str) -> None:
    """Fill ``pane`` with one bulk as the session knows it now; ask for its clicks and replies
    when they are not known, or old (the app reads them in the background)."""
    pane.currency = session.currency_of(bulk_id)
    pane.account = session.tag_of(bulk_id)
    state = session.states[bulk_id]
    now = session.clock.now()
    wanted = session.engagement.claim(state, now)
    pane.show(
        session.label_of(bulk_id),
        state,
        session.previous_reply(bulk_id),
        now,
        session.timeline(bulk_id),
        session.progress(bulk_id),
        session.engagement.get(bulk_id),
        reading=session.engagement.reading(bulk_id),
    )
    if wanted:
        # made and posted by the pane itself: a message bubbles no further than the node it
        # was made in (its sender), and this runs inside the table's handlers
        pane.call_later(lambda: pane.post_message(DetailPane.EngagementWanted(bulk_id)))
