"""The session's side of the status history: each watched bulk's timeline as the history file
has it (earlier runs and other lox24tui processes included), what this run adds to it, and what
changed while no dashboard was open."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Final

from lox24tui.engine.bulk_state import BulkState, transition_from
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.session.events import EventBus, Notice
from lox24tui.state.history import (
    MAX_SAMPLES_READ,
    AwaySummary,
    History,
    ProgressSample,
    StatusTransition,
)

DASHBOARD_READER: Final = "dashboard"
"""Whose last look "While you were away" counts from, in the history."""
SAMPLES_KEPT: Final = MAX_SAMPLES_READ
"""Progress samples kept in memory per bulk (the latest): as many as are read from the file."""


def sample_of(bulk_id: str, delivery: DeliveryBreakdown) -> ProgressSample:
    """A delivery count as a point of the bulk's progress curve."""
    return ProgressSample(
        bulk_id,
        delivery.taken_at,
        delivery.total,
        delivery.sent,
        delivery.not_sent,
        delivery.delivered,
        delivery.failed,
    )


@dataclass(frozen=True, slots=True)
class TimelineStep:
    """One status a bulk was seen in, labelled as it read then."""

    at: float
    label: str


class StatusHistory:
    """The history file as the dashboard uses it; without a file (None), nothing is kept and
    every answer is "not known"."""

    def __init__(self, history: History | None, events: EventBus) -> None:
        self.file = history
        """Where status changes are recorded, so that a restart keeps the timeline (and what
        other lox24tui processes saw shows too); None keeps only this run's."""
        self._events = events
        self._recorded: dict[str, list[StatusTransition]] = {}
        self._unrecorded: list[StatusTransition] = []
        """Changes the history could not take yet (busy, or failing): tried again next flush."""
        self._samples: dict[str, list[ProgressSample]] = {}
        self._unrecorded_samples: list[ProgressSample] = []

    def load(self, ids: Sequence[str]) -> None:
        """Read the timelines of bulks this run has not read yet."""
        ids = [bulk_id for bulk_id in ids if bulk_id not in self._recorded]
        if self.file is None or not ids:
            return
        for transition in self.file.transitions(ids):
            self._recorded.setdefault(transition.bulk_id, []).append(transition)
        self.pass_on_notices()

    def timeline(self, bulk_id: str) -> list[TimelineStep] | None:
        """Each status the bulk was seen in, oldest first; None without a history file."""
        if self.file is None:
            return None
        return [TimelineStep(t.at, t.status) for t in self._recorded.get(bulk_id, [])]

    def worth_recording(self, state: BulkState, label: str) -> list[StatusTransition]:
        """The change to record, if it is one: the first status this run sees is no change when
        the history already ends in it (a restart), and when it ends in another one, the change
        happened while no lox24tui watched."""
        transition = transition_from(state, label)
        if self.file is None or transition is None:
            return []
        known = self._recorded.get(state.bulk_id)
        if transition.from_code is None and known:
            if known[-1].to_code == transition.to_code:
                return []
            transition = replace(transition, from_code=known[-1].to_code)
        return [transition]

    def progress(self, bulk_id: str) -> list[ProgressSample]:
        """The bulk's progress samples, oldest first: those of earlier runs and other processes
        (read once), then this run's."""
        known = self._samples.get(bulk_id)
        if known is None:
            known = self._samples[bulk_id] = [] if self.file is None else self.file.samples(bulk_id)
        return known

    def worth_sampling(self, state: BulkState) -> list[ProgressSample]:
        """The bulk's new delivery count as a progress sample, while it has messages left to
        send, and the one that finds them all gone through (the curve's end)."""
        if state.delivery is None or state.delivery.partial:
            return []
        sample = sample_of(state.bulk_id, state.delivery)
        known = self.progress(state.bulk_id)
        if known and (known[-1].at >= sample.at or known[-1].same_counts(sample)):
            return []
        sending = sample.done < sample.total
        if not sending and not (known and known[-1].done < known[-1].total):
            return []
        known.append(sample)
        del known[:-SAMPLES_KEPT]
        return [sample]

    def record(
        self, transitions: list[StatusTransition], samples: Sequence[ProgressSample] = ()
    ) -> None:
        """One transaction per flush, however many bulks changed. What the history could not
        take is shown in the timeline all the same, and offered to it again next flush."""
        if self.file is None:
            return
        for transition in transitions:
            self._recorded.setdefault(transition.bulk_id, []).append(transition)
        batch = self._unrecorded + transitions
        counts = self._unrecorded_samples + list(samples)
        if not batch and not counts:
            return
        if self.file.record(batch, counts):
            self._unrecorded, self._unrecorded_samples = [], []
            self.file.mark_seen(DASHBOARD_READER)
        else:
            self._unrecorded, self._unrecorded_samples = batch, counts[-SAMPLES_KEPT:]
        self.pass_on_notices()

    def away_summary(self, ids: Sequence[str]) -> AwaySummary | None:
        """What changed since a dashboard last ran ("While you were away: 3 bulks finished");
        None without a history."""
        if self.file is None:
            return None
        summary = self.file.away_summary(DASHBOARD_READER, ids)
        self.pass_on_notices()
        return summary

    def pass_on_notices(self) -> None:
        """The history's problems, to whoever listens; kept until someone does (the timelines
        are read before the dashboard listens, and a damaged file is found right then)."""
        if self.file is not None and self._events.heard:
            for text in self.file.pop_notices():
                self._events.emit(Notice(text, "warning", 15, about="History"))

    def close(self) -> None:
        """The dashboard is closing: what it saw counts as seen; the history file is closed."""
        if self.file is not None:
            self.file.mark_seen(DASHBOARD_READER)
            self.file.close()
