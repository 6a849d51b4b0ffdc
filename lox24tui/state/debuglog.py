"""The debug log for support cases (``--log FILE`` or ``LOX24TUI_LOG``): what lox24tui asked
LOX24, what came back, and what the engine and the account guard decided, in one file.

The modules log through :mod:`logging` under ``lox24tui.*``; this module only points those
records at the file. Every line is redacted on its way out, whoever wrote it: anything shaped
like a LOX24 token and anything shaped like a phone number is replaced, so a log can be sent
to support as it is. The records never propagate to the root logger, so nothing reaches the
terminal (the dashboard owns it), and httpx's own logger, which logs full URLs with their query
strings, is not attached at all.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Final

TOKEN: Final = re.compile(r"\d+:[0-9a-f]{32}", re.IGNORECASE)
"""A LOX24 API token: the account number, a colon, 32 hex digits."""
PHONE: Final = re.compile(r"(?<![\w-])\+?\d[\d \-]{7,}\d(?!\w)")
"""Nine or more digits, perhaps with a leading + and spaces or dashes between. Not inside a
word, so the digits within a request id or a UUID (which support needs) stay readable."""
TOKEN_MARK: Final = "[token]"
PHONE_MARK: Final = "[phone]"
FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` with every token and phone number replaced by a mark."""
    return PHONE.sub(PHONE_MARK, TOKEN.sub(TOKEN_MARK, text))


class RedactingFormatter(logging.Formatter):
    """Formats a record with its message, exception and stack redacted. The time stamp is left
    alone: ``2026-11-29 19:07:01`` would read as a phone number."""

    def format(self, record: logging.LogRecord) -> str:
        clean = logging.makeLogRecord(record.__dict__)
        clean.msg, clean.args = redact(record.getMessage()), None
        if record.exc_info:
            clean.exc_text = redact(self.formatException(record.exc_info))
            clean.exc_info = None
        elif record.exc_text:
            clean.exc_text = redact(record.exc_text)
        if record.stack_info:
            clean.stack_info = redact(record.stack_info)
        return super().format(clean)


def start_log(path: Path) -> logging.Handler:
    """Append every ``lox24tui.*`` record, debug level up, redacted, to ``path`` (made
    readable by its owner only, as it names the account's bulks). Returns the handler, so a
    caller can remove it again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(FORMAT))
    logger = logging.getLogger("lox24tui")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return handler
