"""The watch table's rows as the session knows them: which bulks a filter lets through, and the
cells of each. Pure reads of the session, so the view that draws them only decides when."""

from __future__ import annotations

from lox24tui.session.all_accounts import AllAccounts
from lox24tui.tui.cells import (
    Cell,
    Column,
    account_cell,
    engagement_cells,
    row_cells,
    status_text,
    stopped_cells,
    table_columns,
    time_cells,
)


class Rows:
    def __init__(self, session: AllAccounts) -> None:
        self._session = session

    def columns(self, engagement: bool) -> tuple[Column, ...]:
        """The table's columns: clicks and replies when shown, the account when several."""
        return table_columns(engagement, accounts=self._session.several)

    def cells(self, bulk_id: str) -> dict[str, Cell]:
        """Every cell of the bulk's row but the id's (the table makes that one)."""
        session = self._session
        state = session.states[bulk_id]
        sending = state.delivery is not None and state.delivery.waiting > 0
        samples = session.progress(bulk_id) if sending else ()
        now = session.clock.now()
        tag = session.tag_of(bulk_id)
        # amounts alone where the cost column's header names the one currency
        currency = None if tag is None or session.currency else session.currency_of(bulk_id)
        cells = row_cells(session.label_of(bulk_id), state, now, samples, currency=currency)
        if tag is not None:
            cells["account"] = account_cell(tag)
            stop = session.engine.stop_of(bulk_id)
            if stop is not None:
                cells |= stopped_cells(stop, state)
        if session.engagement.in_table:
            engagement = session.engagement
            coming = engagement.reading(bulk_id) or engagement.due(state, now) is not None
            cells |= engagement_cells(engagement.get(bulk_id), coming)
        return cells

    def time_cells(self, bulk_id: str) -> dict[str, Cell]:
        """The cells that age with the clock, redrawn on their own (nothing for a bulk that is
        gone; why not, for an account that checks nothing)."""
        session = self._session
        state = session.states.get(bulk_id)
        if state is None:
            return {}
        stop = session.engine.stop_of(bulk_id)
        if stop is not None:
            return stopped_cells(stop, state)
        return time_cells(state, session.clock.now())

    def match(self, bulk_id: str, text: str, *, archive_shown: bool) -> bool:
        """Whether the table shows this bulk: not archived (unless the archive is shown), and
        matching the filter's ``text`` (trimmed, lower case; ``@NAME`` first: that account's
        rows only, then the rest of the text)."""
        session = self._session
        if not archive_shown and session.is_archived(bulk_id):
            return False
        if not text:
            return True
        tag = session.tag_of(bulk_id)
        if text.startswith("@"):
            short, _, text = text[1:].partition(" ")
            if tag is None or tag.short != short:
                return False
            text = text.strip()
        label, _ = status_text(session.states[bulk_id], session.now())
        words = [session.label_of(bulk_id), bulk_id, label]
        if tag is not None:
            words.append(tag.label)
        return text in " ".join(words).lower()
