"""The ETA's honesty about doubt, sample by sample: "—" until three samples span two minutes,
then the recent pace (not the whole run's), "stalled" once two samples agree nothing moved for
three minutes, and "done" once everything went through."""

from __future__ import annotations

import pytest

from lox24tui.insight.progress import Outlook, estimate, rates
from lox24tui.state.history import ProgressSample

BULK = "73f43a80-ca52-11f0-8001-96000028b339"
T = 1_764_150_000.0


def at(minute: float, done: int, total: int = 10_000) -> ProgressSample:
    return ProgressSample(BULK, T + minute * 60, total, done, 0, 0, 0)


def test_too_few_samples_or_too_short_a_span_give_no_estimate() -> None:
    assert estimate([], T).text == "—"
    assert estimate([at(0, 100), at(1, 200)], T + 60).text == "—"  # two samples
    three_quick = [at(0, 100), at(0.5, 200), at(1, 300)]
    assert estimate(three_quick, T + 60).outlook is Outlook.UNKNOWN  # one minute apart only


def test_the_estimate_follows_the_recent_pace_and_counts_down_from_the_last_sample() -> None:
    samples = [at(m, 1_000 * m) for m in range(3)]  # 1,000 a minute, 2,000 sent
    assert estimate(samples, T + 120).text == "~8 min"
    assert estimate(samples, T + 120 + 180).text == "~5 min"  # three minutes later
    slower = [at(m, 500 * m, 50_000) for m in range(20)]
    slower += [at(20 + m, 9_500 + 100 * m, 50_000) for m in (1, 2, 3)]
    # the whole run averaged 426 a minute (~1 h 34 min left); the last ten minutes 330
    assert estimate(slower, T + 23 * 60).text == "~2 h 2 min"
    assert estimate(samples, T + 120).per_minute == pytest.approx(1_000)


def test_a_bulk_that_does_not_move_for_three_minutes_is_stalled_not_estimated() -> None:
    samples = [at(0, 0), at(1, 1_000), at(2, 2_000), at(3, 2_000)]
    assert estimate(samples, T + 4 * 60).outlook is Outlook.ESTIMATED  # 2 minutes still
    stalled = estimate([*samples, at(6, 2_000)], T + 6 * 60)
    assert stalled.outlook is Outlook.STALLED and stalled.text == "stalled 4 min"
    alone = estimate([at(0, 2_000)], T + 600)  # one sample: no proof it stood still
    assert alone.outlook is Outlook.UNKNOWN


def test_everything_gone_through_is_done_and_an_empty_bulk_has_no_estimate() -> None:
    assert estimate([at(0, 5), at(1, 10, total=10)], T + 60).text == "done"
    assert estimate([at(0, 0, total=0)], T).outlook is Outlook.UNKNOWN


def test_an_estimate_is_never_less_than_a_minute_nor_negative() -> None:
    samples = [at(m, 3_000 * m + 1_000) for m in range(4)]  # 10,000 at minute 3
    assert estimate(samples[:3], T + 180).text == "~1 min"  # 3,000 left at 3,000 a minute
    assert estimate(samples[:3], T + 3_600).text == "~1 min"  # late: never "in -57 min"


def test_rates_are_messages_a_minute_between_samples() -> None:
    assert rates([at(0, 0), at(1, 300), at(1, 300), at(3, 900)]) == [300.0, 300.0]
