"""The detail pane's clicks and replies, read in the background when someone looks at a bulk."""

from __future__ import annotations

from lox24tui.account.guard import GuardedClient
from lox24tui.api import Lox24Error
from lox24tui.insight.engagement import read_engagement
from lox24tui.session.engagement_cache import Engaged
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.files import os_reason
from lox24tui.text import sanitise


async def read_into(session: WatchSession, client: GuardedClient, bulk_id: str) -> None:
    """Read the bulk's clicks and replies through ``client`` and keep them in the session (which
    redraws the bulk); what stopped them is kept in words instead, and shown in the pane."""
    try:
        found = await read_engagement(client, bulk_id)
    except Lox24Error as error:
        engaged = Engaged(session.clock.now(), None, sanitise.one_line(str(error)))
    except OSError as error:
        engaged = Engaged(session.clock.now(), None, os_reason(error)[0])
    else:
        engaged = Engaged(session.clock.now(), found)
    session.keep_engagement(bulk_id, engaged)
