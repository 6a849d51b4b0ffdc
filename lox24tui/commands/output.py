"""What every scripting command shares: loading settings and token, and writing lines for people
and JSON lines for scripts, both through :mod:`lox24tui.sanitise` (they quote server text)."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

from lox24tui import sanitise
from lox24tui.api import Token
from lox24tui.config import ConfigError, Settings, load_settings

EXIT_USAGE = 2
NO_TOKEN = (
    "lox24tui: no LOX24 token. Set LOX24_TOKEN in the environment (or `token` in the config "
    "file); it is never taken from the command line."
)


def settings_or_exit() -> tuple[Settings, Token] | int:
    """The settings and token, or the exit status after saying why there are none."""
    try:
        settings = load_settings()
    except ConfigError as error:
        complain(str(error))
        return EXIT_USAGE
    token = settings.api_token
    if token is None:
        print_line(sys.stderr, NO_TOKEN)
        return EXIT_USAGE
    return settings, token


def print_line(out: TextIO, text: str) -> None:
    """One line for people, with any control character in it made visible."""
    print(sanitise.one_line(text), file=out, flush=True)


def complain(message: str) -> None:
    """``lox24tui: <message>`` on stderr."""
    print_line(sys.stderr, f"lox24tui: {message}")


def print_json(out: TextIO, record: dict[str, Any]) -> None:
    """One JSON line for scripts; non-ASCII stays readable, controls are JSON escapes."""
    text = json.dumps(record, default=json_value, ensure_ascii=False)
    print(sanitise.json_text(text), file=out, flush=True)


def json_value(value: object) -> object:
    """Decimals as numbers and times as unix seconds, as LOX24 itself sends them."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
