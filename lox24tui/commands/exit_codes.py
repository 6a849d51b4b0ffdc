"""The exit statuses of every command, in one place, so scripts can rely on them."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means. Commands document which of these they use."""

    OK = 0
    """Everything asked for was done."""
    FAILED = 1
    """Some of it failed: an invalid id, a bulk LOX24 does not know or that could not be
    fetched, a watch-list file that cannot be read."""
    STOPPED = 2
    """Nothing (more) could be sent or started: the account guard stopped the requests (a
    refused token, an inactive account, a rate limit, protecting the IP, LOX24 unreachable), or
    lox24tui could not start (no token, a bad config file, words it does not understand)."""
    INTERRUPTED = 130
    """Ctrl+C."""

    # `status --watch` gives 0, 1 and 2 meanings of their own:
    ALL_PROCESSED = 0
    """Every watched bulk ended processed (10)."""
    SOME_ENDED_BADLY = 1
    """A watched bulk ended canceled (15), in a system error (20) or with no recipients (201)."""
    WATCH_STOPPED = 2
    """The watch could not go on: an invalid or unknown id, or the account guard stopped it."""
