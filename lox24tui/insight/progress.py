"""When will it finish? A sending bulk's progress and an estimate of its end, from the counts
sampled while it sends (:class:`lox24tui.state.history.ProgressSample`).

LOX24 has no rate or ETA: a bulk creates all its messages when it starts (``msg_total_count``)
and sends them over a while, so what is known is how many have gone through (sent, or held
back) at each delivery count, one a minute by default. The estimate says its doubt:

- "—" until :data:`MIN_SAMPLES` samples span :data:`MIN_SPAN` seconds: a single minute's pace
  says little about the next ten;
- "~4 min" from the pace over the last :data:`RATE_WINDOW` seconds: recent enough to follow a
  bulk that slows down, long enough not to jump with every sample;
- "stalled 12 min" once nothing has gone through for :data:`STALL_AFTER` seconds over two
  samples or more: an estimate from an old pace would be a promise nobody keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise
from typing import Final

from lox24tui.state.history import ProgressSample
from lox24tui.text import humanize

MIN_SAMPLES: Final = 3
MIN_SPAN: Final = 120.0
"""Seconds the samples behind an estimate must span at least."""
RATE_WINDOW: Final = 600.0
"""Seconds of samples the pace is taken over: the last ten minutes."""
STALL_AFTER: Final = 180.0
"""Seconds without any message going through before a sending bulk counts as stalled."""


class Outlook(StrEnum):
    UNKNOWN = "unknown"
    """Not enough samples yet, or nothing to send."""
    ESTIMATED = "estimated"
    STALLED = "stalled"
    DONE = "done"
    """Every message has gone through."""


@dataclass(frozen=True, slots=True)
class Estimate:
    outlook: Outlook
    seconds: float | None = None
    """ESTIMATED: seconds left from now; STALLED: seconds since the last message went."""
    per_minute: float | None = None
    """The recent pace, messages a minute (ESTIMATED)."""

    @property
    def text(self) -> str:
        """ "—", "~4 min", "stalled 12 min" or "done"."""
        if self.outlook is Outlook.DONE:
            return "done"
        if self.seconds is None:
            return "—"
        if self.outlook is Outlook.STALLED:
            return f"stalled {humanize.span(self.seconds)}"
        return f"~{_rounded(self.seconds)}"


def share_done(sample: ProgressSample) -> float | None:
    """The share of the bulk's messages that have gone through (0–1); None for an empty bulk."""
    return min(1.0, sample.done / sample.total) if sample.total > 0 else None


def estimate(samples: Sequence[ProgressSample], now: float) -> Estimate:
    """When the bulk will have sent everything, from its samples (oldest first)."""
    if not samples or samples[-1].total <= 0:
        return Estimate(Outlook.UNKNOWN)
    last = samples[-1]
    if last.done >= last.total:
        return Estimate(Outlook.DONE)
    still = [s for s in samples if s.done == last.done]
    moved_at = still[0].at  # the first sample that saw the count as it is (done never falls)
    if len(still) >= 2 and now - moved_at >= STALL_AFTER:
        return Estimate(Outlook.STALLED, now - moved_at)
    recent = [s for s in samples if s.at >= last.at - RATE_WINDOW]
    span = recent[-1].at - recent[0].at
    if len(recent) < MIN_SAMPLES or span < MIN_SPAN:
        return Estimate(Outlook.UNKNOWN)
    rate = (recent[-1].done - recent[0].done) / span
    if rate <= 0:
        return Estimate(Outlook.UNKNOWN)
    left = (last.total - last.done) / rate - (now - last.at)
    return Estimate(Outlook.ESTIMATED, max(0.0, left), rate * 60)


def rates(samples: Sequence[ProgressSample]) -> list[float]:
    """Messages a minute between each two samples, oldest first: the send rate's curve."""
    return [
        max(0, b.done - a.done) * 60 / (b.at - a.at) for a, b in pairwise(samples) if b.at > a.at
    ]


def _rounded(seconds: float) -> str:
    """A span as loosely as an estimate deserves: "1 min" at least, whole minutes below an
    hour, then hours and minutes."""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return f"{minutes} min"
    return humanize.span(minutes * 60)
