"""What campaign insight costs LOX24, in requests, for one big bulk: the failures by reason ×
country (``f``), the retry list (``export --retry``, ``r``), the report (``report``, ``p``,
which includes the failures and the clicks), the pane's clicks and replies, and progress; and
what the table's clicks and replies columns cost over a day when shown; and a day of the spend
forecast.

A bulk of 50,000 messages, every one final, at LOX24's page size (the fake's 30), read through the
guarded client as the command does, against the fake LOX24 in process. The fake fails 6 % of its
messages (expired, rejected, never sent); the issue's budget is phrased for 2 %, so the script also
prints what the same reading costs at 2 % (the requests grow with the failures: one page per 30).

The columns' figure replays a day of their schedule, minute by minute, with the dashboard's own
rules (:meth:`EngagementCache.due`, each read charged its three requests to the default
side-work budget, which here nothing else shares, so it is an upper bound) for 1,000 processed
bulks that ended at even steps over the last 30 days, and 10 still sending.

    python benchmarks/insight.py
    python benchmarks/insight.py --messages 10000
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time
from collections import Counter
from decimal import Decimal

import httpx

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.account.side_budget import DEFAULT_REQUESTS_PER_MINUTE, SideBudget
from lox24tui.api import BulkStatus, Lox24Client, StatusReply, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import MAX_REQUESTS
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.insight.engagement import Engagement, read_engagement
from lox24tui.insight.failures import failure_table, read_failures
from lox24tui.insight.forecast import read_forecast
from lox24tui.insight.report import gather_report
from lox24tui.insight.retry_list import retry_list
from lox24tui.session.engagement_cache import Engaged, EngagementCache
from lox24tui.session.engagement_rounds import REQUESTS
from lox24tui.session.forecast_rounds import FORECAST_EVERY, PRICES_FOR

BULK = "5e7d0c00-4699-11ea-a637-96000028b339"


async def measure(messages: int) -> None:
    clock = VirtualClock()
    account = SimulatedAccount.demo(clock.now(), history=0)
    account.add(
        SimBulk(
            uuid=BULK,
            created_at=clock.now() - 30 * 3600,
            delivery_at=clock.now() - 30 * 3600,
            recipients=messages,
            send_seconds=600,
            label="Big",
            countries=(("DE", 50), ("GB", 20), ("FR", 15), ("AT", 10), ("?DE", 5)),
        )
    )
    account.set_balance(Decimal("1000000"), clock.now() - 31 * 3600)  # sent whole, none unpaid
    fake = FakeLox24(account, clock=clock)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake", transport=transport) as client:
        guarded = GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock))
        await guarded.check_token()
        fake.log.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        table = failure_table(await read_failures(guarded, BULK))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        failures_asked = len(fake.log)
        print(f"insight.py: a bulk of {messages:,} messages, all final, page size {fake.page_size}")
        print(
            f"  failures by reason × country: {failures_asked} requests for {table.total:,} "
            f"failed messages, {len(table.reasons)} reasons × {len(table.countries)} countries; "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (fake included)"
        )
        fake.log.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        report = await gather_report(guarded, BULK, now=clock.now)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        report_asked = len(fake.log)
        print(
            f"  report: {report_asked} requests (status 1, delivery counts, the failures' pages, "
            f"clicks 1: {report.clicks:,}), plus 1 for the currency per run; "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU (fake included)"
        )
        fake.log.clear()
        engaged = await read_engagement(guarded, BULK)
        pane_asked = len(fake.log)
        print(
            f"  the pane's clicks and replies: {pane_asked} requests ({engaged.clicks:,} clicks; "
            f"{engaged.replies} replies among the first {engaged.checked} sent messages), once "
            "per bulk looked at in five minutes"
        )
        print(
            f"  progress and ETA: 0 requests of their own (the engine's delivery counts, "
            f"{MAX_REQUESTS} a minute while a bulk sends, are its samples)"
        )
        fake.log.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        made = await retry_list(guarded, BULK)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    by_path = Counter(entry.path for entry in fake.log)
    page = fake.page_size
    paths = ", ".join(f"{n} {p}" for p, n in by_path.items())
    print(
        f"  retry list: {made.requests} requests ({paths})"
        f" for {made.failures:,} failed messages ({made.failures / messages:.1%}); "
        f"{len(made.numbers):,} numbers to send again, {made.opted_out} opted out, "
        f"{made.repeated:,} repeated; {wall:.2f} s wall, {cpu:.2f} s CPU (fake included)"
    )
    at_two = math.ceil(0.02 * messages / page) + 1  # the pages of failures, and an empty last
    report_at_two = at_two + report_asked - failures_asked + 1  # + the currency
    opt_outs = made.requests - by_path.get("/sms", 0)
    print(
        f"  at 2 % failures ({0.02 * messages:,.0f}) the same reading takes about "
        f"{at_two + opt_outs} requests ({at_two} pages of failures + {opt_outs} for the opt-outs); "
        f"the failures table {at_two}, the report about {report_at_two}"
    )
    print(
        f"  together at 2 %: the report (failures and clicks included) {report_at_two} + the "
        f"pane {pane_asked} + progress 0 = {report_at_two + pane_asked} requests (budget 50)"
    )


def columns_day(ended: int = 1000, sending: int = 10, days: int = 30) -> None:
    """A day of the table's clicks and replies columns, shown all day."""
    start = 1_700_000_000.0
    bulks = [
        SimBulk(time_uuid(start - age, i), start - age - 3600, start - age - 3600, 2000)
        for i, age in enumerate(days * 86_400 * (k + 1) / ended for k in range(ended))
    ]
    bulks += [
        SimBulk(time_uuid(start, ended + i), start - 60, start - 60, 10**6, send_seconds=10**6)
        for i in range(sending)
    ]

    def state(bulk: SimBulk, now: float) -> BulkState:
        body = bulk.status_json(now)
        status = BulkStatus.model_validate(body)
        return BulkState(bulk.uuid, StatusReply(bulk.uuid, status, None, str(body)))

    processed = {bulk.uuid: state(bulk, start) for bulk in bulks[:ended]}  # they never change
    cache = EngagementCache()
    cache.show_in_table(True)
    budget = SideBudget(DEFAULT_REQUESTS_PER_MINUTE)
    read = Engagement(clicks=0, clicks_at_least=False, replies=0, checked=30, sent=None, requests=3)
    reads: list[float] = []
    for minute in range(24 * 60):
        now = start + minute * 60
        for bulk in bulks:
            if not budget.allows(REQUESTS, now):
                break
            if cache.claim_due(processed.get(bulk.uuid) or state(bulk, now), now):
                budget.charge(REQUESTS, now)
                cache.keep(bulk.uuid, Engaged(now, read))
                reads.append(now)
    first_pass = reads[len(bulks) - 1] - start
    settled = [at for at in reads if at >= start + 6 * 3600]
    print(
        f"  the table's clicks and replies columns, shown all day, for {ended:,} processed bulks "
        f"(ended over the last {days} days) and {sending} sending: {len(reads) * REQUESTS:,} "
        f"requests in 24 h ({len(reads):,} reads of {REQUESTS}); every bulk read once in the "
        f"first {first_pass / 60:.0f} min (the default side-work budget, "
        f"{DEFAULT_REQUESTS_PER_MINUTE} a minute, which nothing else shares here), then "
        f"{len(settled) * REQUESTS / (18 * 60):.1f} requests a minute (hours 6-24)"
    )


async def forecast_cost() -> None:
    """What one reading of the spend forecast costs on the demo account (measured, through the
    client against the fake), and a quiet day of them at the dashboard's schedule."""
    clock = VirtualClock()
    fake = FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        first = await read_forecast(client)
        with_prices = len(fake.log)
        await read_forecast(client, first.prices)
        kept = len(fake.log) - with_prices
    readings = 86_400 / FORECAST_EVERY
    day = readings * kept + 86_400 / PRICES_FOR * (with_prices - kept)
    print(
        f"  the spend forecast: {with_prices} requests a reading with the recent prices, {kept} "
        f"with them kept ({len(first.bulks)} bulks waiting); a quiet day at one reading every "
        f"{FORECAST_EVERY / 60:.0f} min and the prices every {PRICES_FOR / 3600:.0f} h: "
        f"{day:.0f} requests, plus one reading per watched bulk that starts or ends"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=50_000)
    asyncio.run(measure(parser.parse_args().messages))
    columns_day()
    asyncio.run(forecast_cost())


if __name__ == "__main__":
    main()
