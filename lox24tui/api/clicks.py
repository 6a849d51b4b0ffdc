"""Clicks on a bulk's short links (``GET /bulks/{id}/requests``). LOX24 counts requests to the
short link, not people: a link previewer (a messenger fetching the page to show it) is one too.

A click's ``ip``, ``user_agent`` and ``referer`` are personal data: they are never read into
a :class:`Click` at all, so no screen, report, export or log can hold them."""

from __future__ import annotations

from pydantic import ConfigDict

from lox24tui.api.models import Integer, Timestamp, TolerantModel
from lox24tui.api.page import Page


class Click(TolerantModel):
    """One click: when, from which country, with which browser and system."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    id: Integer | None = None
    date: Timestamp | None = None
    country: str | None = None
    """ISO 3166 alpha-2, as LOX24 located it."""
    browser: str | None = None
    browser_version: str | None = None
    os: str | None = None
    os_version: str | None = None
    software_type: str | None = None
    """"browser", "link previewer"… (LOX24's words)."""
    hardware_type: str | None = None
    """"mobile", "desktop"…"""


ClickPage = Page[Click]
"""A page of clicks, newest first; ``total`` counts every click on the bulk's links."""
