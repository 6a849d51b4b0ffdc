"""What every scripting command shares: loading settings and token, and writing JSON lines."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from decimal import Decimal
from typing import Any, TextIO

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
        print(f"lox24tui: {error}", file=sys.stderr)
        return EXIT_USAGE
    token = settings.api_token
    if token is None:
        print(NO_TOKEN, file=sys.stderr)
        return EXIT_USAGE
    return settings, token


def print_json(out: TextIO, record: dict[str, Any]) -> None:
    print(json.dumps(record, default=json_value, ensure_ascii=False), file=out, flush=True)


def json_value(value: object) -> object:
    """Decimals as numbers and times as unix seconds, as LOX24 itself sends them."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return int(value.timestamp())
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
