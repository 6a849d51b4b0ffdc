"""When a bulk's clicks and replies are read (again): for the pane, once it was last read five
minutes ago; for the table's columns, five minutes while it sends, then a twelfth of the time
since it ended, at most a day; never for a bulk that sent nothing, never twice at once."""

from __future__ import annotations

import json

import pytest

from lox24tui.api import BulkStatus, StatusCode, StatusReply
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.engagement import Engagement
from lox24tui.session.engagement_cache import MAX_AGE, QUIET_AGE, Engaged, EngagementCache

BULK = "5e7d0c00-4699-11ea-a637-96000028b339"
NOW = 1_764_150_000.0
HOUR = 3600.0
READ = Engagement(clicks=3, clicks_at_least=False, replies=1, checked=30, sent=30, requests=3)


def bulk(code: int, *, messages: int = 1000, ended: float | None = None) -> BulkState:
    body: dict[str, object] = {"uuid": BULK, "status_code": code, "msg_total_count": messages}
    if ended is not None:
        body["processed_at"] = int(ended)
    reply = StatusReply(BULK, BulkStatus.model_validate(body), None, json.dumps(body))
    return BulkState(BULK, reply)


def read_at(cache: EngagementCache, at: float) -> None:
    cache.keep(BULK, Engaged(at, READ))


@pytest.mark.parametrize(
    "state",
    [
        BulkState(BULK),  # not checked yet
        bulk(StatusCode.NEW),  # scheduled: nothing sent
        bulk(StatusCode.PROCESSED, messages=0),
        bulk(StatusCode.NO_RECIPIENTS),
    ],
)
def test_a_bulk_that_sent_nothing_is_never_due(state: BulkState) -> None:
    cache = EngagementCache()
    assert cache.due(state, NOW) is None
    assert not cache.claim_due(state, NOW) and not cache.claim(state, NOW)


@pytest.mark.parametrize("code", [StatusCode.IN_PROGRESS, StatusCode.CANCELED])
def test_a_bulk_never_read_is_due_at_once_and_claimed_once(code: int) -> None:
    cache = EngagementCache()
    state = bulk(code)
    assert cache.due(state, NOW) == NOW
    assert cache.claim_due(state, NOW) and cache.reading(BULK)
    assert cache.due(state, NOW) is None and not cache.claim_due(state, NOW)  # being read
    cache.release(BULK)
    assert cache.claim_due(state, NOW)


def test_while_it_sends_it_is_read_again_after_max_age() -> None:
    cache = EngagementCache()
    state = bulk(StatusCode.IN_PROGRESS)
    read_at(cache, NOW)
    assert not cache.reading(BULK) and cache.get(BULK) == Engaged(NOW, READ)
    assert cache.due(state, NOW) == NOW + MAX_AGE
    assert not cache.claim_due(state, NOW + MAX_AGE - 1)
    assert cache.claim_due(state, NOW + MAX_AGE)


@pytest.mark.parametrize(
    ("ended_ago", "again_after"),
    [
        (0.0, MAX_AGE),  # just ended: as while it sent
        (HOUR, MAX_AGE),  # a twelfth of an hour is five minutes
        (12 * HOUR, HOUR),
        (6 * 24 * HOUR, 12 * HOUR),
        (30 * 24 * HOUR, QUIET_AGE),  # at most once a day
    ],
)
def test_once_ended_the_longer_ago_the_less_often(ended_ago: float, again_after: float) -> None:
    cache = EngagementCache()
    state = bulk(StatusCode.PROCESSED, ended=NOW - ended_ago)
    read_at(cache, NOW)
    assert cache.due(state, NOW) == pytest.approx(NOW + again_after)
    assert not cache.claim_due(state, NOW + again_after - 1)
    assert cache.claim_due(state, NOW + again_after)


def test_the_pane_reads_again_after_max_age_whatever_the_bulk() -> None:
    cache = EngagementCache()
    state = bulk(StatusCode.PROCESSED, ended=NOW - 30 * 24 * HOUR)
    read_at(cache, NOW)
    assert not cache.claim(state, NOW + MAX_AGE - 1)
    assert cache.claim(state, NOW + MAX_AGE) and not cache.claim(state, NOW + MAX_AGE)


def test_showing_the_columns_wakes_the_side_work_and_forgetting_drops_what_was_read() -> None:
    woken: list[bool] = []
    cache = EngagementCache(lambda: woken.append(True))
    cache.show_in_table(True)
    assert cache.in_table and woken == [True]
    cache.show_in_table(False)
    assert not cache.in_table and woken == [True, True]
    read_at(cache, NOW)
    cache.forget(BULK)
    assert cache.get(BULK) is None and cache.due(bulk(StatusCode.IN_PROGRESS), NOW) == NOW
