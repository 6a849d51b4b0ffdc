"""The spend forecast: what the account's scheduled bulks will cost, against its balance.

LOX24 has no quote or price list, and calling the dry run would create a (test) bulk: a write,
which a monitor never sends. So the forecast reads what is there. A scheduled bulk's own
``price`` is used where LOX24 sets it before sending (unconfirmed, hence never assumed). Else
its size (``msg_total_count``, also unconfirmed before sending) times the price per message the
account paid on its recent bulks of the same service (SMS and voice cost differently), said to
be an estimate. A bulk whose size is not known yet is counted apart, never guessed.

Cost: one ``GET /bulks`` page of the bulks waiting to send (``status_code`` 0), up to
:data:`MAX_PAGES`; and, only when some bulk needs an estimate, one page of recently processed
bulks for the prices, which a caller may keep for a while (:class:`Prices`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

from lox24tui.api import BulkStatus, StatusCode
from lox24tui.api.client import BulkFilters
from lox24tui.api.protocol import BulkLister
from lox24tui.text import humanize

MAX_PAGES: Final = 3
"""Pages of waiting bulks read at the most (LOX24's pages hold 30): beyond, the forecast says
"at least"."""
REQUESTS: Final = MAX_PAGES + 1
"""The most one reading sends: the waiting bulks' pages and one page of recent prices."""
CENT_FRACTION: Final = Decimal("0.0001")
"""LOX24 prices messages in fractions of a cent: an estimate's price per message is rounded to
that, so the estimate reads like a price and its total is exact."""
WAITING: Final = BulkFilters(status_codes=(StatusCode.NEW,))
RECENT: Final = BulkFilters(status_codes=(StatusCode.PROCESSED,))


class Basis(StrEnum):
    """Where a scheduled bulk's cost comes from."""

    PRICED = "LOX24's price"
    ESTIMATE = "estimate"
    UNKNOWN = "size not known yet"


@dataclass(frozen=True, slots=True)
class Prices:
    """What one message cost the account lately: per service, and over all of them."""

    per_service: dict[str, Decimal]
    overall: Decimal | None
    bulks: int
    """How many recent bulks the prices come from."""

    def for_service(self, service: str | None) -> Decimal | None:
        if service is not None and service in self.per_service:
            return self.per_service[service]
        return self.overall


NO_PRICES: Final = Prices({}, None, 0)


def recent_prices(bulks: Iterable[BulkStatus]) -> Prices:
    """The price per message of processed bulks that were really sent (no dry runs, no empty
    or unpriced ones): the sum of their prices over the sum of their messages, so a large bulk
    weighs as much as its messages."""
    spent: dict[str, tuple[Decimal, int]] = {}
    total_price, total_count, used = Decimal(0), 0, 0
    for bulk in bulks:
        price, count = bulk.price, bulk.msg_total_count
        if bulk.status_code != StatusCode.PROCESSED or bulk.is_dryrun:
            continue
        if price is None or price <= 0 or count is None or count <= 0:
            continue
        used += 1
        total_price += price
        total_count += count
        service = bulk.service_code or ""
        was_price, was_count = spent.get(service, (Decimal(0), 0))
        spent[service] = (was_price + price, was_count + count)
    per_service = {service: price / count for service, (price, count) in spent.items()}
    return Prices(per_service, total_price / total_count if total_count else None, used)


@dataclass(frozen=True, slots=True)
class ScheduledCost:
    """One bulk waiting to send, and what it will cost (None: not known)."""

    bulk_id: str
    delivery_at: datetime | None
    messages: int | None
    cost: Decimal | None
    basis: Basis
    service: str | None = None
    per_message: Decimal | None = None
    """The price per message an estimate took."""


def scheduled_cost(bulk: BulkStatus, prices: Prices) -> ScheduledCost:
    count = bulk.msg_total_count if bulk.msg_total_count and bulk.msg_total_count > 0 else None
    bulk_id, service = bulk.uuid or "", bulk.service_code
    if bulk.price is not None and bulk.price > 0:
        return ScheduledCost(bulk_id, bulk.delivery_at, count, bulk.price, Basis.PRICED, service)
    per_message = prices.for_service(service)
    if count is None or per_message is None:
        return ScheduledCost(bulk_id, bulk.delivery_at, count, None, Basis.UNKNOWN, service)
    per_message = per_message.quantize(CENT_FRACTION, ROUND_HALF_UP)
    return ScheduledCost(
        bulk_id,
        bulk.delivery_at,
        count,
        per_message * count,
        Basis.ESTIMATE,
        service,
        per_message,
    )


def needs_prices(bulk: BulkStatus) -> bool:
    """Whether the bulk's cost can only be estimated (it has a size, not a price)."""
    return not (bulk.price is not None and bulk.price > 0) and bool(
        bulk.msg_total_count and bulk.msg_total_count > 0
    )


def waiting_to_send(bulk: BulkStatus) -> bool:
    """A bulk that will spend money when it sends: new or scheduled (0), not a dry run."""
    return bulk.status_code == StatusCode.NEW and not bulk.is_dryrun


@dataclass(frozen=True, slots=True)
class Forecast:
    """What the bulks waiting to send will cost, and on what basis."""

    bulks: tuple[ScheduledCost, ...]
    prices: Prices
    complete: bool = True
    """False: more bulks wait than were read (the cost is a lower bound)."""

    @property
    def cost(self) -> Decimal:
        """The cost of the bulks whose cost is known (priced or estimated)."""
        return sum((b.cost for b in self.bulks if b.cost is not None), Decimal(0))

    @property
    def estimated(self) -> bool:
        return any(b.basis is Basis.ESTIMATE for b in self.bulks)

    @property
    def unknown(self) -> int:
        """Bulks whose cost cannot be told yet."""
        return sum(1 for b in self.bulks if b.basis is Basis.UNKNOWN)

    @property
    def known(self) -> int:
        return len(self.bulks) - self.unknown

    def exceeds(self, balance: Decimal | None) -> bool:
        """Whether the bulks whose cost is known would already cost more than the balance."""
        return balance is not None and self.known > 0 and self.cost > balance

    def amount(self, currency: str | None) -> str:
        """ "about 1,875.00 EUR" (an estimate), "150.00 EUR" (LOX24's prices), "at least…"
        when some bulks were not read or not known."""
        money = humanize.money(self.cost, currency, places=humanize.COLUMN_PLACES)
        if not self.complete or self.unknown:
            return f"at least {money}"
        return f"about {money}" if self.estimated else money

    def sentence(self, balance: Decimal | None, currency: str | None) -> str:
        """ "2 scheduled bulks need about 2,025.00 EUR; balance 12.30 EUR", with the bulks not
        counted said."""
        if not self.bulks:
            return "no scheduled bulks"
        waiting = humanize.plural(len(self.bulks), "scheduled bulk")
        if not self.complete:
            waiting = f"more than {waiting}"
        if not self.known:
            text = f"{waiting}, of a size LOX24 has not said yet"
        else:
            need = "needs" if len(self.bulks) == 1 else "need"
            text = f"{waiting} {need} {self.amount(currency)}"
            if self.unknown:
                why = "of a size not known yet" if not self._unpriced else "not costed yet"
                text += f" ({self.unknown} {why})"
        if balance is not None:
            text += f"; balance {humanize.money(balance, currency, places=2)}"
        return text

    def basis(self, currency: str | None) -> str:
        """Where the figure comes from, for people."""
        priced = sum(1 for b in self.bulks if b.basis is Basis.PRICED)
        parts = []
        if priced:
            parts.append(f"{humanize.plural(priced, 'bulk')} priced by LOX24")
        rates = {
            b.service or "?": b.per_message
            for b in self.bulks
            if b.basis is Basis.ESTIMATE and b.per_message is not None
        }
        if rates:
            each = ", ".join(
                f"{service} {humanize.money(per, currency, places=humanize.PRICE_PLACES)}"
                for service, per in sorted(rates.items())
            )
            last = (
                "processed bulk"
                if self.prices.bulks == 1
                else humanize.plural(self.prices.bulks, "processed bulk")
            )
            parts.append(f"estimate at the price per message of the last {last} ({each})")
        sizeless = self.unknown - self._unpriced
        if sizeless:
            parts.append(f"{sizeless} not counted: LOX24 gives no size or price before sending")
        if self._unpriced:
            parts.append(
                f"{self._unpriced} not counted: no recent processed bulk to price a message by"
            )
        return "; ".join(parts) or "nothing scheduled"

    @property
    def _unpriced(self) -> int:
        """Bulks of a known size that no recent price per message can cost."""
        return sum(1 for b in self.bulks if b.basis is Basis.UNKNOWN and b.messages is not None)


def forecast_json(forecast: Forecast, balance: Decimal | None) -> dict[str, object]:
    """The forecast for ``account --json``: amounts exact, as text (money is never a float)."""
    return {
        "scheduled_bulks": len(forecast.bulks),
        "cost": str(forecast.cost),
        "estimated": forecast.estimated,
        "unknown_size": forecast.unknown,
        "complete": forecast.complete,
        "over_balance": forecast.exceeds(balance),
        "bulks": [
            {
                "uuid": bulk.bulk_id,
                "delivery_at": bulk.delivery_at.isoformat() if bulk.delivery_at else None,
                "messages": bulk.messages,
                "cost": None if bulk.cost is None else str(bulk.cost),
                "basis": bulk.basis.name.lower(),
            }
            for bulk in forecast.bulks
        ],
    }


def forecast_of(waiting: Sequence[BulkStatus], prices: Prices, *, complete: bool) -> Forecast:
    bulks = tuple(scheduled_cost(bulk, prices) for bulk in waiting if waiting_to_send(bulk))
    return Forecast(bulks, prices, complete)


async def read_waiting(client: BulkLister) -> tuple[list[BulkStatus], bool]:
    """The bulks waiting to send, up to :data:`MAX_PAGES` pages; and whether that was all."""
    found: list[BulkStatus] = []
    page: int | None = 1
    while page is not None and page <= MAX_PAGES:
        answer = await client.list_bulks(page=page, filters=WAITING)
        found += [bulk for bulk in answer.items if waiting_to_send(bulk)]
        page = answer.next_page
    return found, page is None


async def read_prices(client: BulkLister) -> Prices:
    """One page of recently processed bulks (newest first), for the price per message."""
    return recent_prices((await client.list_bulks(page=1, filters=RECENT)).items)


async def read_forecast(client: BulkLister, prices: Prices | None = None) -> Forecast:
    """The forecast in one or two requests (more only for many scheduled bulks). ``prices``
    kept from an earlier reading saves the second request; it is read only when needed."""
    waiting, complete = await read_waiting(client)
    if prices is None and any(needs_prices(bulk) for bulk in waiting):
        prices = await read_prices(client)
    return forecast_of(waiting, prices or NO_PRICES, complete=complete)
