"""Values as people read them: local times with "3 min ago", money, counts. Shared by the CLI and
the dashboard, so both say the same thing the same way."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Final


def relative(when: datetime, now: datetime) -> str:
    """ "in 5 min", "2 h ago", "just now"."""
    seconds = (when - now).total_seconds()
    future = seconds > 0
    span = abs(seconds)
    if span < 5:
        return "in a moment" if future else "just now"
    if span < 60:
        amount = f"{int(span)} s"
    elif span < 3600:
        amount = f"{int(span // 60)} min"
    elif span < 86400:
        amount = f"{int(span // 3600)} h"
    else:
        amount = f"{int(span // 86400)} d"
    return f"in {amount}" if future else f"{amount} ago"


def relative_seconds(seconds: float) -> str:
    """ "in 40 s", "in 3 min" for a span ahead."""
    return relative(datetime.fromtimestamp(seconds, tz=UTC), datetime.fromtimestamp(0, tz=UTC))


def local_time(when: datetime) -> str:
    """An aware datetime in the machine's local time zone, to the second."""
    return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def clock_time(timestamp: float) -> str:
    """Unix seconds as the local time of day, "07:12"."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone().strftime("%H:%M")


def time_or_day(timestamp: float, now: float) -> str:
    """The local time of day ("07:12") for today, the day ("04 Dec", as the Delivery column
    writes it) for another."""
    when = datetime.fromtimestamp(timestamp, UTC).astimezone()
    today = datetime.fromtimestamp(now, UTC).astimezone().date()
    return when.strftime("%H:%M") if when.date() == today else when.strftime("%d %b")


def local_time_relative(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "—"
    return f"{local_time(when)} ({relative(when, now)})"


COLUMN_PLACES = 2
"""Decimals of a bulk's cost, a total or a balance in a column or a bar."""
PRICE_PLACES = 4
"""Decimals of one message's price in a column (LOX24 prices in fractions of a cent)."""


def money(amount: Decimal | None, currency: str | None, *, places: int | None = None) -> str:
    """Two decimals, or up to four where LOX24 prices in fractions of a cent; never rounded away.
    ``currency`` None (not known yet) shows the amount alone. ``places`` fixes the decimals, for
    a column whose amounts must line up (834.08 above 12.50, not 834.075 above 12.5): rounded
    half up, the exact amount stays in the pane and in every export."""
    if amount is None:
        return "—"
    if places is not None:
        rounded = amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{rounded:,.{places}f}"
        return f"{text} {currency}" if currency else text
    text = f"{amount:,.4f}"
    while text.endswith("0") and len(text.rpartition(".")[2]) > 2:
        text = text[:-1]
    return f"{text} {currency}" if currency else text


def count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def flag(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "—"}[value]


def plural(amount: int, word: str, many: str | None = None) -> str:
    """ "1 bulk", "2 bulks", "1,200 messages": the count with the word that follows it, so no
    sentence says "1 bulks". ``many`` names an irregular plural ("copy", "copies")."""
    return f"{amount:,} {word if amount == 1 else (many or word + 's')}"


def span(seconds: float) -> str:
    """How long something took, in its two largest units: "45 s", "5 min 40 s", "3 h 2 min",
    "1 d 1 h"."""
    whole = max(0, round(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60), ("s", 1)):
        amount, whole = divmod(whole, size)
        if amount or (unit == "s" and not parts):
            parts.append(f"{amount} {unit}")
    return " ".join(parts[:2])


SPARKS: Final = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float], width: int = 40) -> str:
    """Values as a line of bars, highest █ (the last ``width`` of them): a curve in one line
    of text, for output that is not the dashboard (which has Textual's Sparkline)."""
    shown = list(values)[-width:]
    top = max(shown, default=0.0)
    if top <= 0:
        return SPARKS[0] * len(shown)
    return "".join(SPARKS[min(7, int(value / top * 7.999))] for value in shown)
