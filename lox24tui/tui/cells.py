"""How a watched bulk looks in the table: one :class:`Cell` per column, each carrying the value
it sorts by, so sorting follows the data (numbers, times), not the text shown."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, Final

from rich.cells import cell_len
from rich.console import JustifyMethod
from rich.text import Text

from lox24tui.api import SCHEDULED, StatusCode, status_info
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.insight.progress import Outlook, estimate
from lox24tui.session.all_accounts import AccountTag
from lox24tui.session.engagement_cache import Engaged
from lox24tui.state.history import ProgressSample
from lox24tui.text import humanize, sanitise

_CODE_STYLES: Final[dict[StatusCode, str]] = {
    StatusCode.NEW: "cyan",
    StatusCode.IN_PROGRESS: "bold yellow",
    StatusCode.PROCESSED: "bold green",
    StatusCode.CANCELED: "dim",
    StatusCode.SYSTEM_ERROR: "bold red",
    StatusCode.NO_RECIPIENTS: "bold red",
}
STATUS_STYLES: Final[dict[str, str]] = {
    SCHEDULED: "bold cyan",
    **{status_info(code).label: style for code, style in _CODE_STYLES.items()},
}
"""Status label → style, keyed by the labels the models define."""
ERROR_STYLE: Final = "bold red"
UNKNOWN_STYLE: Final = "bold magenta"
SHARED_CELLS: Final = 2048
"""How many distinct cells are kept for sharing; the ones used least lately make room."""


class Cell:
    """One cell of the watch table: its text, style and the value it sorts by (None sorts
    last). The Rich Text that draws it is made only when the cell is drawn (``__rich__``): a
    list of 10,000 bulks holds 90,000 cells, and a Text each (with its lists of text and
    spans) cost ~30 MiB for cells that are off screen nearly all the time."""

    __slots__ = ("justify", "plain", "sort_value", "style")

    def __init__(
        self,
        plain: str,
        style: str = "",
        sort_value: Any = None,
        justify: JustifyMethod | None = None,
    ) -> None:
        self.plain = plain
        """The text shown, already one clean line (see :meth:`of`)."""
        self.style = style
        self.sort_value = sort_value
        self.justify = justify

    @classmethod
    def of(
        cls,
        text: str,
        style: str = "",
        sort_value: Any = None,
        justify: JustifyMethod | None = None,
    ) -> Cell:
        """A cell of ``text`` made safe to show: one line, no control characters. Equal cells
        are one object: 10,000 rows hold 90,000 cells, and many repeat from row to row
        ("processed", "—", the same total), which saves ~2 MiB there. Texts are interned for
        the cells that are not shared."""
        try:
            return _shared_cell(text, style, sort_value, justify)
        except TypeError:  # a sort value that cannot be a key: a cell of its own
            return cls(sys.intern(sanitise.one_line(text)), style, sort_value, justify)

    @property
    def cell_len(self) -> int:
        """Terminal columns the text takes."""
        return cell_len(self.plain)

    def __rich__(self) -> Text:
        return Text(
            self.plain, style=self.style, no_wrap=True, overflow="ellipsis", justify=self.justify
        )

    def __repr__(self) -> str:
        return f"Cell({self.plain!r}, {self.style!r})"


@functools.lru_cache(maxsize=SHARED_CELLS)
def _shared_cell(text: str, style: str, sort_value: Any, justify: JustifyMethod | None) -> Cell:
    """Safe to share: nothing changes a cell once it is made; a table puts a new one instead."""
    return Cell(sys.intern(sanitise.one_line(text)), style, sort_value, justify)


def sort_key(cell: Any) -> tuple[int, Any]:
    """Ascending, cells without a value ("—") last."""
    value = getattr(cell, "sort_value", None)
    return (1, "") if value is None else (0, value)


def reverse_sort_key(cell: Any) -> tuple[int, Any]:
    """For a descending sort: cells without a value ("—") still last, not first."""
    value = getattr(cell, "sort_value", None)
    return (0, "") if value is None else (1, value)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    min_width: int
    """The least width, whatever the content: room for the title and the sort arrow after it
    ("Messages ▲"), or for texts that grow with time ("59 min ago")."""


COLUMNS: Final = (
    Column("label", "Label", 10),
    Column("id", "Bulk id", 9),
    Column("status", "Status", 13),
    Column("messages", "Messages", 10),
    Column("delivered", "Delivered", 11),
    Column("cost", "Cost", 10),
    Column("delivery", "Delivery", 12),
    Column("changed", "Changed", 10),
    Column("fresh", "Checked", 10),
)

ENGAGEMENT_COLUMNS: Final = (Column("clicks", "Clicks", 8), Column("replies", "Replies", 9))
"""Shown when the person asks (the palette): each read costs requests, at the side work's pace."""


ACCOUNT_COLUMN: Final = Column("account", "Account", 9)
"""First, when the dashboard shows several accounts: whose bulk it is, in its colour."""


def table_columns(engagement: bool, *, accounts: bool = False) -> tuple[Column, ...]:
    """The table's columns; clicks and replies, when shown, after Delivered: did it arrive, then
    did anyone act on it. The account first, when there are several."""
    columns = (ACCOUNT_COLUMN, *COLUMNS) if accounts else COLUMNS
    if not engagement:
        return columns
    after = next(i for i, column in enumerate(columns) if column.key == "delivered") + 1
    return columns[:after] + ENGAGEMENT_COLUMNS + columns[after:]


def account_text(tag: AccountTag) -> Text:
    """ "■ Shop  @shop": the account's mark in its colour, its label, and its filter word."""
    text = Text("■ ", style=tag.colour or "")
    text.append(sanitise.one_line(tag.label))
    text.append(f"  @{tag.short}", "dim")
    return text


def account_cell(tag: AccountTag) -> Cell:
    """The account's label in its colour (sorted by label)."""
    return Cell.of(tag.label, tag.colour or "", tag.label.lower())


ID_CHARS: Final = 8
"""Characters of a bulk id the table shows at least; more when watched ids share them."""


def distinct_prefix(bulk_ids: Iterable[str]) -> int:
    """How many leading characters tell these ids apart (at least ID_CHARS): LOX24's
    time-based ids often share their first 8."""
    return max([ID_CHARS, *(_shared(a, b) + 1 for a, b in pairwise(sorted(bulk_ids)))])


def _shared(a: str, b: str) -> int:
    """The length of the prefix two texts share."""
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def short_id(bulk_id: str, chars: int = ID_CHARS) -> str:
    return bulk_id if chars >= len(bulk_id) else bulk_id[:chars] + "…"


def id_cell(bulk_id: str, chars: int) -> Cell:
    """The id column's cell: it sorts by the whole id, shows ``chars`` of it."""
    return Cell.of(short_id(bulk_id, chars), "dim", bulk_id)


def status_text(state: BulkState, now: datetime) -> tuple[str, str]:
    """The status label and its style; errors without any status show as the error."""
    if state.reply is None:
        if state.error is not None:
            return state.error.title, ERROR_STYLE
        return "checking…", "dim"
    status = state.reply.status
    label = status.label_at(now)
    style = STATUS_STYLES.get(label, UNKNOWN_STYLE if not status.status.is_known else "")
    if status.is_dryrun:
        label += " · dry run"
    return label, style


def delivery_text(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "—"
    local = when.astimezone()
    if local.date() == now.astimezone().date():
        return local.strftime("today %H:%M")
    if abs((when - now).days) < 180:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%Y-%m-%d")


NOT_CHECKED: Final = "not yet"
"""Checked, before the first answer about the bulk."""


def freshness_text(state: BulkState, now_ts: float) -> tuple[str, str]:
    """When it was last checked, or what went wrong, in a few words."""
    if state.error is not None:
        text = state.error.title
        if state.next_due is not None and state.next_due > now_ts and not state.not_found:
            text += f", retry {humanize.relative_seconds(state.next_due - now_ts)}"
        return "⚠ " + text, "red"
    if state.last_checked is None:
        # Under the column's least width: columns widen when a text outgrows them and are
        # measured anew only when the rows shown change, so a wider placeholder, gone a moment
        # later, would leave Checked wider or not depending on when the first answers came.
        return NOT_CHECKED, "dim"
    if state.is_final:
        # Nothing more will change it: a time of day, which never needs redrawing. "3 min
        # ago" would redraw every row of a finished campaign each minute, all day: most of
        # what an idle dashboard costs.
        return humanize.time_or_day(state.last_checked, now_ts), "dim"
    return humanize.relative(_at(state.last_checked), _at(now_ts)), ""


def last_change(state: BulkState) -> float | None:
    """When the status last changed: as observed, once a change was seen; before that, the
    bulk's own processed_at (LOX24's "time of the last change") or its creation time."""
    if len(state.history) > 1:
        return state.last_changed
    if state.reply is not None:
        status = state.reply.status
        when = status.processed_at or status.created_at
        if when is not None:
            return when.timestamp()
    return state.last_changed


def time_cells(state: BulkState, now_ts: float) -> dict[str, Cell]:
    """The cells that age with the clock ("12 s ago"), redrawn on their own every few seconds.
    A finished bulk's say a time of day instead: its rows then never redraw."""
    fresh, fresh_style = freshness_text(state, now_ts)
    changed_at = last_change(state)
    if changed_at is None:
        changed = "—"
    elif state.is_final:  # it ended then: a time of day, as for Checked, never redrawn
        changed = humanize.time_or_day(changed_at, now_ts)
    else:
        changed = humanize.relative(_at(changed_at), _at(now_ts))
    return {
        "changed": Cell.of(changed, "", -changed_at if changed_at is not None else None),
        "fresh": Cell.of(fresh, fresh_style, state.last_checked),
    }


def stopped_cells(stop: str, state: BulkState) -> dict[str, Cell]:
    """A row whose account checks nothing now (its token refused): Checked says so, and a
    status never read says it instead of "checking…" (nothing is)."""
    cells = {"fresh": Cell.of(f"⚠ {stop}", "red", state.last_checked)}
    if state.reply is None:
        cells["status"] = Cell.of(stop, ERROR_STYLE, (_lifecycle_step(None, stop), stop))
    return cells


BAR_WIDTH: Final = 5
_EIGHTHS: Final = " ▏▎▍▌▋▊▉"


def bar(share: float, width: int = BAR_WIDTH) -> str:
    """A small horizontal bar of ``share`` (0–1), in eighths of a character."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, rest = divmod(eighths, 8)
    return ("█" * full + (_EIGHTHS[rest] if rest else "")).ljust(width)


def delivered_share(delivery: DeliveryBreakdown) -> float | None:
    """Delivered among the messages counted; None before any message is counted."""
    return delivery.delivered / delivery.total if delivery.total else None


def delivered_cell(state: BulkState) -> Cell:
    """ "87% ████▍" once the messages are counted; "—" before. A partial count (LOX24 sent no
    totals) shows "~"; red when a tenth or more failed (expired, rejected, not sent)."""
    delivery = state.delivery
    share = None if delivery is None else delivered_share(delivery)
    if delivery is None or share is None:
        return Cell.of("—", "dim", None, justify="right")
    failed = delivery.failed
    style = "red" if failed * 10 >= delivery.total else "green" if delivery.settled else ""
    approx = "~" if delivery.partial else ""
    return Cell.of(f"{approx}{share:.0%} {bar(share)}", style, share, justify="right")


def sending_text(state: BulkState, samples: Sequence[ProgressSample], now_ts: float) -> str:
    """How much of a bulk still sending has gone out, for its status cell: " · 62%", and
    " · stalled" once nothing moves (see :mod:`lox24tui.insight.progress`; the pane gives
    the ETA). Empty when it is not sending or not counted yet. In the status column, not one
    of its own: a tenth column pushed Checked off a 120-column screen."""
    delivery = state.delivery
    if state.status_code != StatusCode.IN_PROGRESS:
        return ""
    if delivery is None or delivery.partial or not delivery.total or not delivery.waiting:
        return ""
    if estimate(samples, now_ts).outlook is Outlook.STALLED:
        return " · stalled"  # the share is in the pane: the column has no room for both
    return f" · {(delivery.total - delivery.waiting) / delivery.total:.0%}"


def engagement_cells(engaged: Engaged | None, coming: bool) -> dict[str, Cell]:
    """The clicks and replies columns: counts once read ("12+" where LOX24 gave no total, or
    only the first sent messages' replies were asked for), "…" until first read (``coming``),
    "?" when they could not be read (the pane says why), "—" for a bulk that sent nothing."""
    if engaged is None:
        none = Cell.of("…" if coming else "—", "dim", None, justify="right")
        return {"clicks": none, "replies": none}
    found = engaged.engagement
    if found is None:
        unknown = Cell.of("?", "red", None, justify="right")
        return {"clicks": unknown, "replies": unknown}
    clicks = humanize.count(found.clicks) + ("+" if found.clicks_at_least else "")
    replies = humanize.count(found.replies) + ("" if found.replies_complete else "+")
    return {
        "clicks": Cell.of(clicks, "", found.clicks, justify="right"),
        "replies": Cell.of(replies, "", found.replies, justify="right"),
    }


def row_cells(
    label: str,
    state: BulkState,
    now_ts: float,
    samples: Sequence[ProgressSample] = (),
    *,
    currency: str | None = None,
) -> dict[str, Cell]:
    """Every cell but the id's, which the table makes (its width depends on the other ids).
    Amounts are shown alone: the cost column's header names the account's currency, unless
    ``currency`` is given (accounts in different currencies side by side).
    ``samples``: the bulk's progress while it sends, for its ETA."""
    now = _at(now_ts)
    status_label, status_style = status_text(state, now)
    status = state.reply.status if state.reply else None
    code = status.status_code if status else None
    status_order = (_lifecycle_step(code, status_label), status_label)
    status_label += sending_text(state, samples, now_ts)
    return {
        "label": Cell.of(label or "—", "" if label else "dim", label.lower() or None),
        "status": Cell.of(status_label, status_style, status_order),
        "messages": Cell.of(
            humanize.count(status.msg_total_count) if status else "—",
            sort_value=status.msg_total_count if status else None,
            justify="right",
        ),
        "delivered": delivered_cell(state),
        "cost": Cell.of(
            humanize.money(status.price, currency, places=humanize.COLUMN_PLACES)
            if status
            else "—",
            sort_value=status.price if status else None,
            justify="right",
        ),
        "delivery": Cell.of(
            delivery_text(status.delivery_at if status else None, now),
            "",
            status.delivery_at if status else None,
        ),
        **time_cells(state, now_ts),
    }


_STATUS_ORDER: Final[dict[int, int]] = {
    StatusCode.NEW: 0,
    StatusCode.IN_PROGRESS: 1,
    StatusCode.PROCESSED: 2,
    StatusCode.CANCELED: 3,
    StatusCode.SYSTEM_ERROR: 4,
    StatusCode.NO_RECIPIENTS: 5,
}
"""Status sorts in a bulk's lifecycle: scheduled (and new) → in progress → processed → ended
otherwise; a code no documentation lists after them, no status at all last."""


def _lifecycle_step(code: int | None, label: str) -> float:
    """Where a status stands in a bulk's life; scheduled before new (both code 0)."""
    if code is None:
        return 99
    step = _STATUS_ORDER.get(code, 50)
    return step - 0.5 if label.startswith(SCHEDULED) else step


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)
