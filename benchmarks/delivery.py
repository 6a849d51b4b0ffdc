"""What one delivery refresh costs: every watched bulk's messages counted by outcome.

Runs the fake LOX24 in another process (100 in-progress bulks of 50,000 messages each, 50 ms
latency by default), then counts every bulk's delivery once per round through the same pool the
dashboard uses, and prints the requests each bulk took (at most 7, whatever its size) and the
client's CPU per refresh of all bulks.

    python benchmarks/delivery.py
    python benchmarks/delivery.py --bulks 20 --messages 5000 --latency 0.02
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server

from lox24tui.api import BulkStatus, Lox24Client, Lox24ClientPool, MessagePage, Token
from lox24tui.api.sms import ALL_MESSAGES, MessageFilters
from lox24tui.engine.delivery import MAX_REQUESTS, count_delivery
from lox24tui.engine.discovery import BulkQuery, recent_bulks
from lox24tui.fake import FAKE_TOKEN


class CountingSource:
    """The pool, counting the requests each bulk costs."""

    def __init__(self, pool: Lox24ClientPool) -> None:
        self.pool = pool
        self.requests: Counter[str] = Counter()

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        self.requests[bulk_id] += 1
        return await self.pool.list_messages(bulk_id, page=page, filters=filters)


async def statuses(url: str) -> dict[str, BulkStatus]:
    async with Lox24Client(Token(FAKE_TOKEN), url) as client:
        found = [b async for b in recent_bulks(client, BulkQuery(), limit=1_000_000) if b.uuid]
        return {bulk.uuid: bulk for bulk in found if bulk.uuid}


async def refresh(
    url: str, bulks: dict[str, BulkStatus], concurrency: int
) -> tuple[float, float, Counter[str], int]:
    """One delivery refresh of every bulk: (wall s, CPU s, requests per bulk, messages)."""
    async with Lox24ClientPool(Token(FAKE_TOKEN), url, max_connections=concurrency) as pool:
        source = CountingSource(pool)
        cpu, wall = time.process_time(), time.perf_counter()
        results = await asyncio.gather(
            *(count_delivery(source, bulk_id, status=s) for bulk_id, s in bulks.items())
        )
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return wall, cpu, source.requests, sum(r.total for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulks", type=int, default=100)
    parser.add_argument("--messages", type=int, default=50_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(
        f"{args.bulks} in-progress bulks of {args.messages:,} messages, "
        f"{args.latency * 1000:g} ms latency, concurrency {args.concurrency}"
    )
    with fake_server(args.bulks, args.latency, messages=args.messages) as url:
        bulks = asyncio.run(statuses(url))
        rounds = [asyncio.run(refresh(url, bulks, args.concurrency)) for _ in range(args.rounds)]
    walls = [r[0] for r in rounds]
    cpus = [r[1] for r in rounds]
    per_bulk = [n for r in rounds for n in r[2].values()]
    print(
        f"requests per delivery refresh per bulk: max {max(per_bulk)}, "
        f"mean {statistics.mean(per_bulk):.2f} (limit {MAX_REQUESTS})"
    )
    print(
        f"messages counted per refresh: {rounds[-1][3]:,} "
        f"({sum(rounds[-1][2].values())} requests for {len(bulks)} bulks)"
    )
    print(
        f"one delivery refresh of {len(bulks)} bulks: median {statistics.median(walls):.2f} s "
        f"wall, {statistics.median(cpus):.2f} s CPU "
        f"({statistics.median(cpus) / len(bulks) * 1000:.1f} ms CPU per bulk), "
        f"medians of {args.rounds}"
    )


if __name__ == "__main__":
    main()
