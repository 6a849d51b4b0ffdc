"""Profile the dashboard as a user runs it: ``python -m lox24tui`` in a 160×45 pseudo-terminal,
watching 1,000 bulks of the fake LOX24 (its own process), sampled by py-spy in steady state.

    python benchmarks/profile_dashboard.py in-progress   # 1,000 bulks sending, fields changing
    python benchmarks/profile_dashboard.py final         # 1,000 bulks all final, nothing to fetch

Needs py-spy (``pip install py-spy``) and the right to ptrace the child (root, or
kernel.yama.ptrace_scope=0). Prints (and with ``--out FILE`` writes) the top functions by own
samples and by samples including callees.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server
from refresh import all_ids
from steady import LATENCY, cpu_seconds, prepare, pty_dashboard

IDLE_LEAVES = (
    "SelectSelector.select",
    "EpollSelector.select",
    "Condition.wait",
    "Queue.get",
    "Event.wait",
)
"""Frames where a thread waits (py-spy's idle detection misses some of them): not CPU."""


def summarise(collapsed: str, top: int = 25) -> str:
    """Own and inclusive sample counts per function, from py-spy's collapsed stacks, leaving
    out samples of threads that were waiting."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = idle = 0
    for line in collapsed.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack:
            continue
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        if frames[-1].startswith(IDLE_LEAVES):
            idle += count
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    lines = [f"{total} samples on CPU ({idle} samples of waiting threads left out)"]
    for title, counter, shown in (
        ("own", own, top),
        ("inclusive (with callees)", inclusive, 2 * top),
    ):
        lines += ["", f"top {shown} by {title}:", f"{'%':>6}  function"]
        for frame, count in counter.most_common(shown):
            lines.append(f"{count / total:6.1%}  {frame}")
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    """'render (textual/widget.py:123)' with the path from site-packages or the project on."""
    for marker in ("site-packages/", "/lox24tui/", "/python3."):
        at = frame.find(marker)
        if at >= 0:
            open_at = frame.rfind("(", 0, at)
            return frame[: open_at + 1] + frame[at + len(marker) :]
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("in-progress", "final"))
    parser.add_argument("--bulks", type=int, default=1000)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--out", type=Path, help="write the summary here too")
    args = parser.parse_args()
    final = 1.0 if args.kind == "final" else 0.0
    fields = "natural" if final else "changing"
    with (
        fake_server(args.bulks, LATENCY, final, fields=fields) as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        ids = asyncio.run(all_ids(url))
        prepare(Path(folder), ids)
        with pty_dashboard(Path(folder), url) as dashboard:
            time.sleep(args.warmup)
            raw = Path(folder) / "profile.txt"
            cpu = cpu_seconds(dashboard.pid)
            subprocess.run(
                [
                    "py-spy",
                    "record",
                    "--pid",
                    str(dashboard.pid),
                    "--format",
                    "raw",
                    "--rate",
                    "250",
                    "--duration",
                    str(int(args.seconds)),
                    "--output",
                    str(raw),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"},
            )
            cpu = cpu_seconds(dashboard.pid) - cpu
            text = summarise(raw.read_text(encoding="utf-8"))
    header = (
        f"dashboard in a 160×45 pty, {args.bulks:,} bulks {args.kind}, interval 10 s, "
        f"concurrency 20, py-spy at 250 Hz for {args.seconds:g} s "
        f"(CPU {cpu / args.seconds:.1%} of a core while sampled, sampling included; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})\n"
        "py-spy samples only when the process is on CPU (idle frames dropped)\n"
    )
    print(header + text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    main()
