"""Did anyone click or answer? A bulk's clicks and replies as two counts for its detail pane, in
about three requests: LOX24 counts the requests on the bulk's short links
(``/bulks/{id}/requests``, ``hydra:totalItems``); replies have no bulk filter, so they are
counted among the first page of its sent messages only (:mod:`lox24tui.insight.replies`), and
the pane says so. The clicks and replies screens list them in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lox24tui.api.protocol import ClickSource
from lox24tui.insight.replies import RepliesSource, replies_among


class EngagementSource(RepliesSource, ClickSource, Protocol):
    pass


@dataclass(frozen=True, slots=True)
class Engagement:
    clicks: int
    clicks_at_least: bool
    """LOX24 gave no total: the clicks of the first page, a lower bound."""
    replies: int
    checked: int
    """Sent messages whose replies were asked for (the first page of them)."""
    sent: int | None
    """The bulk's sent messages in all, when LOX24 says."""
    requests: int

    @property
    def clicks_text(self) -> str:
        at_least = "at least " if self.clicks_at_least else ""
        return f"{at_least}{self.clicks:,} on its short links"

    @property
    def replies_complete(self) -> bool:
        """Every sent message's replies were asked for: the count is the bulk's whole."""
        return self.sent is not None and self.checked >= self.sent

    @property
    def replies_text(self) -> str:
        if self.replies_complete:
            return f"{self.replies:,} to its {self.checked:,} sent messages"
        return f"{self.replies:,} to the first {self.checked:,} sent messages (more: a on messages)"


async def read_engagement(client: EngagementSource, bulk_id: str) -> Engagement:
    """The bulk's clicks and replies, every request through ``client`` (the guarded one)."""
    clicks = await client.list_clicks(bulk_id, page=1)
    among = await replies_among(client, bulk_id, page=1)
    counted = clicks.total
    return Engagement(
        clicks=len(clicks.items) if counted is None else counted,
        clicks_at_least=counted is None and clicks.next_page is not None,
        replies=len(among.replies),
        checked=among.checked,
        sent=among.sent,
        requests=1 + among.requests,
    )
