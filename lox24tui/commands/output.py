"""What every scripting command shares: loading settings and token, the guarded client, and
writing lines for people and JSON lines for scripts, both through
:mod:`lox24tui.text.sanitise` (they quote server text)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, TextIO

from lox24tui.account.guard import AccountGuard, FileGuardState, GuardedClient, server_key
from lox24tui.api import InvalidBulkId, Lox24ClientPool, Token, parse_bulk_id
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.session.config import ConfigError, Locations, Settings, load_settings
from lox24tui.state.files import LOCK_WAIT
from lox24tui.text import exact_json, sanitise

NO_TOKEN = (
    "lox24tui: no LOX24 token. Set LOX24_TOKEN in the environment (or `token` in the config "
    "file); it is never taken from the command line."
)


def settings_or_exit(*, read_only: bool = False) -> tuple[Settings, Token] | int:
    """The settings and token, or the exit status after saying why there are none.
    ``read_only`` (the ``--read-only`` flag) makes this run read-only whatever the file says."""
    try:
        settings = load_settings()
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    if read_only:
        settings = settings.model_copy(update={"read_only": True})
    token = settings.api_token
    if token is None:
        if settings.account is not None:  # it says where its token is: say that place
            complain(
                f"no token for the account {settings.account}: {settings.token_source} holds none."
            )
        else:
            print_line(sys.stderr, NO_TOKEN)
        return ExitCode.STOPPED
    return settings, token


def bulk_id_or_exit(text: str) -> str | int:
    """``text`` as a bulk id, or the exit status after saying it is none (before any request)."""
    try:
        return parse_bulk_id(text)
    except InvalidBulkId as error:
        complain(error.message)
        return ExitCode.FAILED


def bulk_and_settings_or_exit(text: str) -> tuple[str, Settings, Token] | int:
    """For a command about one bulk: its id (refused before any request), the settings and
    the token; or the exit status after saying why not."""
    bulk_id = bulk_id_or_exit(text)
    if isinstance(bulk_id, int):
        return bulk_id
    loaded = settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    return bulk_id, *loaded


def shared_guard(
    settings: Settings, token: Token, locations: Locations, *, lock_wait: float | None = LOCK_WAIT
) -> AccountGuard:
    """The guard of ``token``, on the state every lox24tui process on this machine shares. What
    must be told about that state (a damaged file moved aside, a fault, a lock waited for) goes
    to stderr. ``lock_wait``: how long a one-shot command waits for a held lock before it gives
    up (None: ``status --watch``, which waits as long as the lock is held, and says so)."""
    return AccountGuard(
        token,
        state=FileGuardState(
            locations.guard_file,
            server_key(settings.api_url),
            tell=complain,
            lock_wait=lock_wait,
            concurrency=settings.concurrency,
        ),
        interval=settings.interval,
        timeout=settings.timeout,
    )


@asynccontextmanager
async def guarded_client(
    settings: Settings, token: Token, *, concurrency: int | None = None
) -> AsyncIterator[GuardedClient]:
    """The only way a command reaches LOX24: every call asks the shared account guard first."""
    async with Lox24ClientPool(
        token,
        settings.api_url,
        timeout=settings.timeout,
        max_connections=concurrency or settings.concurrency,
    ) as pool:
        guard = shared_guard(settings, token, Locations.default())
        yield GuardedClient(pool, guard, read_only=settings.read_only)


def print_line(out: TextIO, text: str) -> None:
    """One line for people, with any control character in it made visible."""
    print(sanitise.one_line(text), file=out, flush=True)


def complain(message: str) -> None:
    """``lox24tui: <message>`` on stderr."""
    print_line(sys.stderr, f"lox24tui: {message}")


def print_json(out: TextIO, record: dict[str, Any]) -> None:
    """One JSON line for scripts; non-ASCII stays readable, controls are JSON escapes, money
    keeps its exact digits."""
    text = exact_json.dumps(record, default=json_value)
    print(sanitise.json_text(text), file=out, flush=True)


def json_value(value: object) -> object:
    """Times as unix seconds, as LOX24 itself sends them (Decimals are exact_json's)."""
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
