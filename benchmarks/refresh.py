"""How fast one refresh cycle of N watched bulks is, and how much the adaptive schedule saves.

Runs the fake LOX24 in another process with injected latency, then measures in this process:
one full cycle through the engine (wall time, requests, CPU seconds, peak RSS), the same ids
fetched by a naive sequential loop (one request after another, as LOX24's code samples do), and a
steady state where most bulks are final.

    python benchmarks/refresh.py                 # 1,000 ids, 50 ms, concurrency 20
    python benchmarks/refresh.py --ids 200 --latency 0.02 --concurrency 10
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server

from lox24tui.api import Lox24Client, Lox24ClientPool, Token
from lox24tui.engine.discovery import BulkQuery, recent_bulks
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN


async def all_ids(url: str) -> list[str]:
    async with Lox24Client(Token(FAKE_TOKEN), url) as client:
        bulks = recent_bulks(client, BulkQuery(), limit=1_000_000)
        return [bulk.uuid async for bulk in bulks if bulk.uuid]


async def engine_cycle(url: str, ids: list[str], concurrency: int) -> tuple[float, int, float]:
    async with Lox24ClientPool(Token(FAKE_TOKEN), url, max_connections=concurrency) as client:
        monitor = Monitor(client, ids, interval=3600, concurrency=concurrency)
        cpu, wall = time.process_time(), time.perf_counter()
        monitor.start()  # the dashboard's engine: one cycle of every id, then idle
        await monitor.wait_idle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await monitor.stop()
        states = monitor.states()
        failed = [s for s in states if s.reply is None]
        if failed:
            raise SystemExit(f"{len(failed)} ids failed, e.g. {failed[0].error}")
        return wall, monitor.summary().requests_sent, cpu


def sequential_loop(url: str, ids: list[str]) -> tuple[float, int, float]:
    """LOX24's sample, in a for loop: one blocking request after another."""
    cpu, wall = time.process_time(), time.perf_counter()
    with httpx.Client(base_url=url) as http:
        for bulk_id in ids:
            response = http.get(
                f"/bulks/{bulk_id}/status", headers={"X-LOX24-AUTH-TOKEN": FAKE_TOKEN}
            )
            response.raise_for_status()
            response.json()
    return time.perf_counter() - wall, len(ids), time.process_time() - cpu


async def steady_state(url: str, ids: list[str], interval: float, cycles: int) -> list[int]:
    """Requests sent in each interval after the first full cycle."""
    async with Lox24ClientPool(Token(FAKE_TOKEN), url, max_connections=20) as client:
        monitor = Monitor(client, ids, interval=interval, concurrency=20)
        monitor.start()
        await monitor.wait_idle()  # the first full cycle
        counts = []
        for _ in range(cycles):
            before = monitor.summary().requests_sent
            await asyncio.sleep(interval)
            counts.append(monitor.summary().requests_sent - before)
        await monitor.stop()
        return counts


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--final-fraction", type=float, default=0.9)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    n, latency, concurrency = args.ids, args.latency, args.concurrency
    ideal = n * latency / concurrency

    print(f"{n:,} watched ids, {latency * 1000:g} ms server latency, concurrency {concurrency}")
    with fake_server(n, latency) as url:
        ids = asyncio.run(all_ids(url))
        wall, sent, cpu = asyncio.run(engine_cycle(url, ids, concurrency))
        print(
            f"engine, one full cycle:  {wall:6.2f} s wall  {sent:5,} requests  "
            f"{cpu:5.2f} s CPU  peak RSS {peak_rss_mib():.0f} MiB"
        )
        print(
            f"  ideal N × latency / concurrency = {ideal:.2f} s → {wall / ideal:.2f}× ideal "
            f"(target ≤ 1.25×)"
        )
        seq_wall, seq_sent, seq_cpu = sequential_loop(url, ids)
        print(
            f"sequential loop:         {seq_wall:6.2f} s wall  {seq_sent:5,} requests  "
            f"{seq_cpu:5.2f} s CPU"
        )
        print(f"  engine is {seq_wall / wall:.1f}× faster (target ≥ 15×)")

    final = args.final_fraction
    with fake_server(n, latency, final_fraction=final) as url:
        ids = asyncio.run(all_ids(url))
        counts = asyncio.run(steady_state(url, ids, args.interval, 3))
        changing = n - int(n * final)
        print(
            f"steady state, {final:.0%} of bulks final, interval {args.interval:g} s: "
            f"requests per interval {counts} (the {changing:,} that can change; "
            f"a poller that refetches everything: {n:,})"
        )


if __name__ == "__main__":
    main()
