"""What the default concurrency of 3 costs in throughput, beside 8 and 20.

Mid-burst, a key revoked in LOX24's web account costs as many refused requests as are in flight,
and LOX24 blocks the IP for ten minutes after more than three within a minute: hence the default
of 3. This prints, for each concurrency, one full refresh cycle of N bulks through the engine
(wall time, ids per second, requests) against the fake LOX24 in a process of its own with
injected latency, and what a key revoked mid-burst may cost.

    python benchmarks/concurrency.py                         # 200 ids, 50 ms: 3, 8, 20
    python benchmarks/concurrency.py --ids 1000 --latency 0.1
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server
from refresh import all_ids, engine_cycle

from lox24tui.account.guard import REFUSED_ALLOWED
from lox24tui.engine.monitor import DEFAULT_CONCURRENCY


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ids", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[DEFAULT_CONCURRENCY, 8, 20])
    args = parser.parse_args()
    print(
        f"{args.ids:,} watched ids, {args.latency * 1000:g} ms server latency "
        f"(default concurrency {DEFAULT_CONCURRENCY})"
    )
    with fake_server(args.ids, args.latency) as url:
        ids = asyncio.run(all_ids(url))
        for concurrency in args.concurrency:
            wall, sent, cpu = asyncio.run(engine_cycle(url, ids, concurrency))
            refused = concurrency
            risk = "within LOX24's rule" if refused <= REFUSED_ALLOWED else "IP blocked 10 min"
            print(
                f"concurrency {concurrency:3}: {wall:6.2f} s wall  {len(ids) / wall:7.1f} ids/s  "
                f"{sent:5,} requests  {cpu:5.2f} s CPU  key revoked mid-burst: up to "
                f"{refused} refused ({risk})"
            )


if __name__ == "__main__":
    main()
