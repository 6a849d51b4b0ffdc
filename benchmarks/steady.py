"""A dashboard left open all day: steady-state CPU, memory, first paint, key and pane latency.

Every figure is printed beside its target, all in one run on this machine. The fake LOX24 runs in
a process of its own (``_fake_process.py``). How each figure is taken:

- pty: the dashboard as a user runs it, ``python -m lox24tui`` in a real pseudo-terminal of
  160×45 (``pty.fork`` + TIOCSWINSZ), its output drained as a terminal would; CPU from
  /proc/PID/stat (utime + stime) over a window after a warm-up, RSS from /proc/PID/status.
  The engine alone is ``lox24tui status --watch`` on the same ids, same server, in the same
  window (both run at once, interval 10 s, concurrency 20, each with its own config dirs).
- headless: key-press and detail-pane latency, in this process (``App.run_test``), as
  benchmarks/dashboard.py does: the time from the key to its handler, and for the pane from the
  key to the first frame drawn with the pane open (or closed).
- engine: one cycle of 1,000 ids through the engine (started, until it is idle) at c=20 and c=50
  (sharded over clients), and a bare ``httpx.AsyncClient.get`` loop for the CPU floor.

- 10,000 watched (target 3): the DEFAULT settings (no config file), 10 % in progress. RSS once
  the fake has answered a status request for every bulk (at concurrency 3, ~3 minutes).
- idle (target 2): 1,000 final bulks, CPU over a window from 65 s after start, once relative
  times age by the minute; this dashboard idles through its first minute while target 1 runs.
- LOX24's pace (target 6): 1,000 processed bulks, 5 % of their messages pending for ever
  (``fake-server --pending-forever 0.05``), the DEFAULT settings (no config file; read from
  ``Settings()`` and printed). CPU and the requests the fake received (it logs each one) over a
  10-minute window (2 with --quick), printed side by side. The window starts after the first
  pass, waited for in REAL time, not on a scaled clock: the pass is complete when the fake has
  answered a status request and a delivery count for every watched bulk (its progress, and the
  summary bar's "counting delivery: x of y" when shown, are printed each minute), or when
  --first-pass-limit minutes have passed: then the window falls within the first pass, when
  the side-work budget is spent in full, and the figures, an upper bound, say so.

benchmarks/README.md says what each figure is.

    python benchmarks/steady.py --quick    # short windows: about 10 minutes
    python benchmarks/steady.py            # full: about 20 minutes plus the first pass of 6
    python benchmarks/steady.py --only 36  # targets 3 and 6 only
    python benchmarks/steady.py --only 3 --python /tmp/user/bin/python  # a user's install

``--python`` runs the dashboard with another interpreter: a venv with ``pip install .`` alone
holds what a user's install holds. The test extra is heavier at run time: Selenium brings trio,
and httpcore imports trio whenever it is installed (~4.6 MiB of RSS).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import gc
import json
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _fake_process import fake_server, logged_requests
from dashboard import press_down
from refresh import all_ids

from lox24tui.api import Lox24ClientPool, Token
from lox24tui.commands.dashboard import calm_the_garbage_collector
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN
from lox24tui.session.config import Locations, Settings
from lox24tui.state.store import WatchList

COLS, ROWS = 160, 45
INTERVAL = 10.0
CONCURRENCY = 20
LATENCY = 0.05
TICK = os.sysconf("SC_CLK_TCK")

RESULTS: list[tuple[str, str, str, str]] = []


def report(what: str, figure: str, target: str, met: bool | None) -> None:
    verdict = "" if met is None else ("met" if met else "NOT met")
    RESULTS.append((what, figure, target, verdict))
    print(f"  {what}: {figure}   (target {target}) {verdict}", flush=True)


# ------------------------------------------------------------------ processes


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


DASHBOARD_PYTHON = sys.executable
"""The interpreter that runs lox24tui (``--python``)."""


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def env_for(root: Path, url: str) -> dict[str, str]:
    """The environment of one lox24tui process: its own config, data and state dirs."""
    env = dict(os.environ)
    env.update(
        XDG_CONFIG_HOME=str(root / "config-home"),
        XDG_DATA_HOME=str(root / "data-home"),
        XDG_STATE_HOME=str(root / "state-home"),
        LOX24_TOKEN=FAKE_TOKEN,
        LOX24_API_URL=url,
        TERM="xterm-256color",
        COLORTERM="truecolor",
    )
    env.pop("TMUX", None)
    return env


def prepare(
    root: Path, ids: list[str], concurrency: int = CONCURRENCY, *, defaults: bool = False
) -> None:
    """Config dirs and a watch list of ``ids`` for one lox24tui process; with ``defaults``, no
    config file at all: the settings a new user has."""
    config = root / "config-home" / "lox24tui"
    config.mkdir(parents=True, exist_ok=True)
    # Delivery counts off: the figures compare status refreshes with `status --watch`, which
    # counts none, and target 2 is "with delivery counts settled or switched off".
    # benchmarks/delivery.py measures the counts' own cost.
    if not defaults:
        (config / "config.toml").write_text(
            f"interval = {INTERVAL}\nconcurrency = {concurrency}\ndelivery = false\n",
            encoding="utf-8",
        )
    data = root / "data-home" / "lox24tui"
    WatchList(data / "watchlist.json").add_many(
        [(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)]
    )


@dataclass
class PtyDashboard:
    """``python -m lox24tui`` in a 160×45 pseudo-terminal; its output is drained (and kept, to
    look for texts) by a thread, as a terminal would read it."""

    pid: int
    fd: int
    started: float
    output: bytearray = field(default_factory=bytearray)
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_output: float = 0.0

    def drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    continue
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self.lock:
                self.output += chunk
                self.last_output = time.perf_counter()
                if len(self.output) > 4_000_000:  # keep the tail: it is searched for new texts
                    del self.output[:2_000_000]

    def wait_for(self, text: bytes, timeout: float, since: int = 0) -> float | None:
        """Seconds since start when ``text`` appeared in the output after offset ``since``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self.lock:
                if self.output.find(text, max(0, since - len(text))) >= 0:
                    return time.perf_counter() - self.started
            time.sleep(0.01)
        return None

    def mark(self) -> int:
        with self.lock:
            return len(self.output)

    def type(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def counting(self) -> str | None:
        """The last "counting delivery: x of y" the summary bar drew, if any."""
        with self.lock:
            found = re.findall(rb"counting delivery: [\d,]+ of [\d,]+", bytes(self.output))
        return found[-1].decode() if found else None


@contextlib.contextmanager
def pty_dashboard(root: Path, url: str) -> Iterator[PtyDashboard]:
    env = env_for(root, url)
    started = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child: the dashboard, as a person starts it
        os.execve(DASHBOARD_PYTHON, [DASHBOARD_PYTHON, "-m", "lox24tui"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    dashboard = PtyDashboard(pid, fd, started)
    thread = threading.Thread(target=dashboard.drain, daemon=True)
    thread.start()
    try:
        yield dashboard
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        for _ in range(50):
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)


@contextlib.contextmanager
def engine_alone(root: Path, url: str, ids: list[str]) -> Iterator[int]:
    """``lox24tui status --watch`` on the same ids: the engine with no screen."""
    env = env_for(root, url)
    process = subprocess.Popen(
        [DASHBOARD_PYTHON, "-m", "lox24tui", "status", "--watch", *ids],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------ 1, 2, 3: in a pty


def steady_cpu(n: int, fields: str, warmup: float, window: float) -> None:
    """Target 1: CPU per status refresh, dashboard vs engine alone, same ids, same window."""
    with (
        fake_server(n, LATENCY, 0.0, fields=fields) as url,
        tempfile.TemporaryDirectory() as folder,
    ):
        ids = asyncio.run(all_ids(url))
        dash_root, engine_root = Path(folder) / "dash", Path(folder) / "engine"
        prepare(dash_root, ids)
        prepare(engine_root, ids)
        with pty_dashboard(dash_root, url) as dashboard, engine_alone(engine_root, url, ids) as eng:
            time.sleep(warmup)
            before = cpu_seconds(dashboard.pid), cpu_seconds(eng)
            time.sleep(window)
            dash_cpu = cpu_seconds(dashboard.pid) - before[0]
            engine_cpu = cpu_seconds(eng) - before[1]
    refreshes = n * window / INTERVAL
    ratio = dash_cpu / engine_cpu if engine_cpu else float("inf")
    report(
        f"1. {n:,} in progress, fields {fields}: dashboard / engine alone",
        f"{ratio:.2f}× (dashboard {dash_cpu / window:.1%} of a core, "
        f"{dash_cpu / refreshes * 1000:.2f} ms/refresh; engine {engine_cpu / window:.1%}, "
        f"{engine_cpu / refreshes * 1000:.2f} ms/refresh; ≈{refreshes:,.0f} refreshes each)",
        "≤ 1.5×",
        ratio <= 1.5,
    )


@contextlib.contextmanager
def idle_dashboard(n: int) -> Iterator[PtyDashboard]:
    """Target 2's dashboard: ``n`` bulks all final, so nothing is fetched after the first
    answers. Started early: its relative times age by the second in the first minute (every row
    on screen changes at each tick), by the minute after, and the all-day figure is the latter."""
    with fake_server(n, LATENCY, 1.0) as url, tempfile.TemporaryDirectory() as folder:
        ids = asyncio.run(all_ids(url))
        prepare(Path(folder), ids)
        with pty_dashboard(Path(folder), url) as dashboard:
            yield dashboard


def idle_cpu(n: int, dashboard: PtyDashboard, window: float, after: float = 65.0) -> None:
    """Target 2: every bulk final, nothing to fetch; CPU over ``window`` seconds from ``after``
    seconds after start."""
    time.sleep(max(0.0, dashboard.started + after - time.perf_counter()))
    before = cpu_seconds(dashboard.pid)
    time.sleep(window)
    used = cpu_seconds(dashboard.pid) - before
    report(
        f"2. {n:,} watched, all final: CPU over {window:g} s, from {after:g} s after start",
        f"{used / window:.2%} of a core",
        "≤ 0.5 %",
        used / window <= 0.005,
    )


def big_list(n: int, settle: float) -> None:
    """Target 3 (pty part): first paint, whole list, RSS at 10,000 watched. RSS is read once
    the fake has answered a status request for every bulk (the first cycle: each bulk's
    state then holds its status) and ``settle`` seconds more."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "requests.log"
        with fake_server(n, LATENCY, 0.9, request_log=log) as url:
            ids = asyncio.run(all_ids(url))
            prepare(Path(folder), ids, defaults=True)
            with pty_dashboard(Path(folder), url) as dashboard:
                first = dashboard.wait_for(b"Bulk 30", timeout=30)
                mark = dashboard.mark()
                dashboard.type(b"\x1b[1;5F")  # ctrl+end: the last row
                last = dashboard.wait_for(f"Bulk {n}".encode(), timeout=30, since=mark)
                cycle = wait_for_requests(log, ids, dashboard.started, delivery=False, limit=600)
                time.sleep(settle)
                rss = rss_mib(dashboard.pid)
    report(
        f"3. {n:,} watched: first screenful painted",
        _seconds(first),
        "< 1 s",
        first is not None and first < 1,
    )
    report(
        f"3. {n:,} watched: whole list loaded (ctrl+end shows the last row)",
        _seconds(last),
        "< 3 s",
        last is not None and last < 3,
    )
    report(
        f"3. {n:,} watched, 10 % in progress, default settings: RSS {settle:g} s after every "
        f"bulk's first status ({_seconds(cycle)}; {_interpreter()})",
        f"{rss:.0f} MiB",
        "≤ 120 MiB",
        rss <= 120,
    )


def _interpreter() -> str:
    return DASHBOARD_PYTHON if sys.executable != DASHBOARD_PYTHON else "this venv"


def _status_id(target: str) -> str | None:
    match = _STATUS_PATH.match(target)
    return match.group(1) if match else None


def _counted_id(target: str) -> str | None:
    match = _COUNT_QUERY.search(target) if target.startswith("/sms?") else None
    return match.group(1) if match else None


_STATUS_PATH = re.compile(r"^/bulks/([^/?]+)/status")
_COUNT_QUERY = re.compile(r"[?&]bulk=([^&]+)")


def first_pass(log: Path, ids: list[str], since: float) -> tuple[int, int]:
    """How many of ``ids`` the fake has answered, since ``since``, a status request for, and
    how many a delivery count (a ``GET /sms?bulk=…``) for."""
    watched = set(ids)
    statuses: set[str] = set()
    counted: set[str] = set()
    for when, target in logged_requests(log):
        if when < since:
            continue
        status, count = _status_id(target), _counted_id(target)
        if status is not None and status in watched:
            statuses.add(status)
        elif count is not None and count in watched:
            counted.add(count)
    return len(statuses), len(counted)


def wait_for_requests(
    log: Path,
    ids: list[str],
    started: float,
    *,
    delivery: bool,
    limit: float,
    dashboard: PtyDashboard | None = None,
) -> float | None:
    """Seconds from ``started`` (perf_counter) until the fake has answered a status request
    for every id, and with ``delivery`` a delivery count for every id: the first pass, as
    LOX24 sees it. None if ``limit`` seconds pass first. Progress is printed every minute,
    with the dashboard's own "counting delivery: x of y" when its summary shows one."""
    since = time.time() - (time.perf_counter() - started)
    said = time.perf_counter()
    while True:
        statuses, counted = first_pass(log, ids, since)
        elapsed = time.perf_counter() - started
        if statuses == len(ids) and (counted == len(ids) or not delivery):
            return elapsed
        if elapsed > limit:
            return None
        if time.perf_counter() - said >= 60:
            said = time.perf_counter()
            shown = dashboard.counting() if dashboard is not None else None
            print(
                f"    first pass, {elapsed / 60:.0f} min: statuses {statuses:,} of {len(ids):,}"
                + (f", delivery counted {counted:,}" if delivery else "")
                + (f"; the summary says {shown!r}" if shown else ""),
                flush=True,
            )
        time.sleep(2)  # poll the fake's log: the condition is the requests, not the time


def polite_pace(n: int, window: float, limit: float, quick: bool) -> None:
    """Target 6: ``n`` bulks all processed within the last hours, 5 % of their messages with
    reports that stay pending for ever, the DEFAULT settings (no config file: delivery on, the
    default concurrency and intervals). After the first pass, CPU and requests over
    ``window`` seconds, both at once."""
    defaults = Settings()
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "requests.log"
        with fake_server(n, LATENCY, 1.0, pending_forever=0.05, request_log=log) as url:
            ids = asyncio.run(all_ids(url))
            prepare(Path(folder), ids, defaults=True)
            print(
                f"  6. defaults: concurrency {defaults.concurrency}, interval "
                f"{defaults.interval:g} s, delivery {'on' if defaults.delivery else 'off'} "
                f"every {defaults.delivery_interval:g} s; waiting for the first pass "
                f"(at most {limit / 60:.0f} min)",
                flush=True,
            )
            with pty_dashboard(Path(folder), url) as dashboard:
                done = wait_for_requests(
                    log, ids, dashboard.started, delivery=True, limit=limit, dashboard=dashboard
                )
                cpu_before, wall_before = cpu_seconds(dashboard.pid), time.time()
                time.sleep(window)
                used = cpu_seconds(dashboard.pid) - cpu_before
                wall_after = time.time()
        sent = [t for when, t in logged_requests(log) if wall_before <= when < wall_after]
    counts = {"status": 0, "delivery": 0, "other": 0}
    for target in sent:
        kind = "status" if _status_id(target) else "delivery" if _counted_id(target) else "other"
        counts[kind] += 1
    minutes = (wall_after - wall_before) / 60
    per_minute = len(sent) / minutes
    span = f"{window / 60:g} min" + (" (--quick: the target is over 10 min)" if quick else "")
    # Not finished in time: the window fell within the first pass, when the side-work budget is
    # spent in full and every processed bulk is final (no status polls), so its figures are an
    # upper bound of what follows; they are judged as such, and say so.
    after = (
        f"after the first pass ({done / 60:.1f} min)"
        if done is not None
        else f"first pass NOT complete after {limit / 60:.0f} min: measured during it, "
        "an upper bound"
    )
    report(
        f"6. {n:,} processed, 5 % pending for ever, default config: CPU over {span}, {after}",
        f"{used / window:.2%} of a core, beside {len(sent):,} requests",
        "≤ 0.5 %",
        used / window <= 0.005,
    )
    report(
        "6. the same window: requests a minute at the fake",
        f"{per_minute:,.0f} a minute ({counts['status']:,} status, {counts['delivery']:,} "
        f"delivery counts, {counts['other']:,} other, in {minutes:.1f} min)",
        "≤ 60 a minute",
        per_minute <= 60,
    )


def _seconds(value: float | None) -> str:
    return "never (timed out)" if value is None else f"{value:.2f} s after start"


# ------------------------------------------------------------------ 3, 4: headless


@contextlib.contextmanager
def gc_pauses() -> Iterator[dict[int, list[float]]]:
    """Milliseconds each garbage collection took, per generation, while inside."""
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


async def keys_during_cycle(url: str, ids: list[str], seconds: float) -> list[float]:
    from lox24tui.tui.app import DashboardSetup, Lox24App

    with tempfile.TemporaryDirectory() as folder:
        locations = Locations(Path(folder) / "c", Path(folder) / "d", Path(folder) / "s")
        watchlist = WatchList(locations.watchlist_file)
        watchlist.add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)])
        settings = Settings(concurrency=CONCURRENCY, interval=600)
        app = Lox24App(DashboardSetup(settings, watchlist, Token(FAKE_TOKEN), url, locations))
        calm_the_garbage_collector()
        latencies: list[float] = []
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause(2)
            app.desk.monitor.refresh()  # a cycle of every bulk
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                await press_down(app, latencies)
                await asyncio.sleep(0.1)
        return latencies


async def key_to_frame(app: Any, key: str, done: Callable[[], bool]) -> float:
    """Milliseconds from a key press (as the terminal delivers it) to the first frame drawn
    once ``done()`` holds: what the person sees."""
    frames: list[float] = []
    drawn = asyncio.Event()
    display = app._display

    def timed_display(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if done() and not frames:
            frames.append(time.perf_counter())
            drawn.set()

    app._display = timed_display
    try:
        pressed = time.perf_counter()
        app.simulate_key(key)
        await asyncio.wait_for(drawn.wait(), timeout=10)
    finally:
        app._display = display
    return (frames[0] - pressed) * 1000


async def pane_latency(url: str, ids: list[str], times: int) -> tuple[list[float], list[float]]:
    from lox24tui.tui.app import DashboardSetup, Lox24App

    with tempfile.TemporaryDirectory() as folder:
        locations = Locations(Path(folder) / "c", Path(folder) / "d", Path(folder) / "s")
        watchlist = WatchList(locations.watchlist_file)
        watchlist.add_many([(bulk_id, f"Bulk {n}") for n, bulk_id in enumerate(ids, 1)])
        settings = Settings(concurrency=CONCURRENCY, interval=5)
        app = Lox24App(DashboardSetup(settings, watchlist, Token(FAKE_TOKEN), url, locations))
        calm_the_garbage_collector()
        opened: list[float] = []
        closed: list[float] = []

        def pane_open() -> bool:
            view = getattr(app.screen, "view", None)  # the main screen's table and pane
            return bool(getattr(view, "pane_open", False))

        async with app.run_test(size=(COLS, ROWS)) as pilot:
            await pilot.pause(3)  # the first answers are in; more are on the wire
            for n in range(times):
                app.desk.monitor.refresh()  # keep requests in flight (2 s latency)
                await pilot.press("down")
                await pilot.pause(0.2)
                opened.append(await key_to_frame(app, "v", pane_open))
                await pilot.pause(0.1 + 0.05 * (n % 3))
                closed.append(await key_to_frame(app, "escape", lambda: not pane_open()))
                await pilot.pause(0.2)
        return opened, closed


def key_figure(n_big: int, cycle_seconds: float) -> None:
    with fake_server(n_big, LATENCY, 0.9) as url:
        ids = asyncio.run(all_ids(url))
        with gc_pauses() as pauses:
            latencies = asyncio.run(keys_during_cycle(url, ids, cycle_seconds))
    collections = ", ".join(
        f"gen{generation} {len(times)}× worst {max(times):.0f} ms"
        for generation, times in pauses.items()
        if times
    )
    print(f"    garbage collections meanwhile (start-up included): {collections}")
    report(
        f"3. {n_big:,} watched: key presses while a cycle runs (headless)",
        f"{len(latencies)} presses, median {statistics.median(latencies):.0f} ms, "
        f"worst {max(latencies):.0f} ms",
        "worst < 50 ms",
        max(latencies) < 50,
    )


def pane_figure(pane_times: int) -> None:
    with fake_server(50, 2.0) as url:
        ids = asyncio.run(all_ids(url))
        opened, closed = asyncio.run(pane_latency(url, ids, pane_times))
    both = opened + closed
    report(
        "4. detail pane open/close, 50 bulks, LOX24 at 2 s (headless)",
        f"open median {statistics.median(opened):.0f} ms worst {max(opened):.0f} ms; "
        f"close median {statistics.median(closed):.0f} ms worst {max(closed):.0f} ms",
        "worst < 50 ms",
        max(both) < 50,
    )


# ------------------------------------------------------------------ 5: the engine


async def engine_cycle(url: str, ids: list[str], concurrency: int) -> tuple[float, float]:
    async with Lox24ClientPool(Token(FAKE_TOKEN), url, max_connections=concurrency) as client:
        monitor = Monitor(client, ids, interval=3600, concurrency=concurrency)
        cpu, wall = time.process_time(), time.perf_counter()
        monitor.start()  # the dashboard's engine: one cycle of every id, then idle
        await monitor.wait_idle()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        await monitor.stop()
        states = monitor.states()
        if any(state.reply is None for state in states):
            raise SystemExit("some ids failed")
        return wall, cpu


async def bare_loop(url: str, ids: list[str], concurrency: int) -> tuple[float, float]:
    """httpx's floor: a bare AsyncClient.get per id, at most ``concurrency`` in flight."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits) as client:
        gate = asyncio.Semaphore(concurrency)
        headers = {"X-LOX24-AUTH-TOKEN": FAKE_TOKEN}

        async def one(bulk_id: str) -> None:
            async with gate:
                response = await client.get(f"/bulks/{bulk_id}/status", headers=headers)
                json.loads(response.content)

        cpu, wall = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(bulk_id) for bulk_id in ids))
        return time.perf_counter() - wall, time.process_time() - cpu


def engine_figures(n: int, repeats: int) -> None:
    with fake_server(n, LATENCY) as url:
        ids = asyncio.run(all_ids(url))
        asyncio.run(engine_cycle(url, ids[:100], 20))  # warm up imports and the server
        runs = {
            c: [asyncio.run(engine_cycle(url, ids, c)) for _ in range(repeats)] for c in (20, 50)
        }
        bare = [asyncio.run(bare_loop(url, ids, 20)) for _ in range(repeats)]
    ideal = n * LATENCY / 20
    wall20 = statistics.median(w for w, _ in runs[20])
    report(
        f"5. engine, {n:,} ids at 50 ms, c=20: one cycle",
        f"{wall20:.2f} s = {wall20 / ideal:.2f}× ideal {ideal:.2f} s",
        "≤ 1.1× ideal",
        wall20 <= 1.1 * ideal,
    )
    wall50 = statistics.median(w for w, _ in runs[50])
    report(
        f"5. engine, {n:,} ids at 50 ms, c=50 sharded: one cycle",
        f"{wall50:.2f} s",
        "≤ 1.5 s",
        wall50 <= 1.5,
    )
    per = {c: statistics.median(cpu for _, cpu in runs[c]) / n * 1000 for c in runs}
    floor = statistics.median(cpu for _, cpu in bare) / n * 1000
    bare_wall = statistics.median(wall for wall, _ in bare)
    report(
        "5. engine CPU per request",
        f"c=20 {per[20]:.2f} ms, c=50 {per[50]:.2f} ms; "
        f"bare AsyncClient.get loop (c=20) {floor:.2f} ms, its cycle {bare_wall:.2f} s",
        "reported beside the floor",
        None,
    )


# ------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short windows, about 10 minutes")
    parser.add_argument("--only", default="123456", help="which targets to measure (e.g. 12)")
    parser.add_argument(
        "--first-pass-limit",
        type=float,
        default=None,
        metavar="MIN",
        help="target 6: minutes to wait for the first pass at most (60; --quick 5)",
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        metavar="PATH",
        help="the interpreter that runs lox24tui (default: this one)",
    )
    args = parser.parse_args()
    global DASHBOARD_PYTHON
    DASHBOARD_PYTHON = args.python
    quick = args.quick
    warmup, window = (12.0, 20.0) if quick else (25.0, 60.0)
    started = time.perf_counter()
    print(f"steady.py {'--quick' if quick else '(full)'}: {os.cpu_count()} cores, {load()}")
    with contextlib.ExitStack() as stack:
        # Target 2's dashboard idles through its first minute while target 1 is measured.
        idle = stack.enter_context(idle_dashboard(1000)) if "2" in args.only else None
        if "1" in args.only:
            for fields in ("changing", "still"):
                steady_cpu(1000, fields, warmup, window)
        if idle is not None:
            idle_cpu(1000, idle, 20.0 if quick else 60.0)
    if "3" in args.only:
        big_list(10_000, 5.0 if quick else 20.0)
        key_figure(10_000, 6.0 if quick else 20.0)
    if "4" in args.only:
        pane_figure(6 if quick else 20)
    if "5" in args.only:
        engine_figures(1000, 1 if quick else 3)
    if "6" in args.only:
        limit = args.first_pass_limit or (5.0 if quick else 60.0)
        polite_pace(1000, 120.0 if quick else 600.0, limit * 60, quick)
    print(f"\nin {time.perf_counter() - started:.0f} s; {load()}")
    print("\n| target | figure | target | |\n| --- | --- | --- | --- |")
    for row in RESULTS:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
