"""The watch list with every status field, or a bulk's messages, as CSV for spreadsheets or JSON
for programs.

CSV opens cleanly in a spreadsheet: a header row, ISO-8601 times in UTC, dot decimals, true/false.
Server text in either is made inert by :mod:`lox24tui.text.sanitise`: CSV shows control characters
as visible escapes (``\\x1b``) and never starts a cell as a formula; JSON escapes them
(``\\u001b``). An export printed to a terminal cannot act on it.

Nothing here can hold the token: rows are built from statuses and from error messages, which the
client never lets the token into.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from lox24tui.api import MESSAGE_FIELDS, Message
from lox24tui.api.records import CONTRACT_FIELDS
from lox24tui.state.files import os_reason, write_atomically
from lox24tui.text import exact_json, sanitise
from lox24tui.text.phones import mask_phone

COLUMNS: Final = (
    "label",
    "id",
    "status",
    *CONTRACT_FIELDS,
    "voice_language",
    "request_id",
    "last_checked",
    "last_error_kind",
    "last_error",
)


def message_record(message: Message, *, mask: bool = False) -> dict[str, Any]:
    """A message with LOX24's field names and values (times as datetimes, money exact), and any
    key LOX24 adds; without the JSON-LD keys (``@id``, ``@type``), which only say where it came
    from. ``mask`` hides the phone number but for its country code and last four digits."""
    record = message.model_dump(by_alias=True, exclude_none=False)
    record = {key: value for key, value in record.items() if not key.startswith("@")}
    if mask:
        record["phone"] = mask_phone(message.phone)
    if message.unreadable_fields:
        record["unreadable"] = {k: repr(v) for k, v in message.unreadable_fields.items()}
    return record


def message_columns(rows: Iterable[dict[str, Any]]) -> tuple[str, ...]:
    """The CSV columns of message records: LOX24's fields in the contract's order, then any
    other key some record has (a field LOX24 added, ``unreadable``), so none is lost."""
    extra = dict.fromkeys(key for row in rows for key in row if key not in MESSAGE_FIELDS)
    return (*MESSAGE_FIELDS, *extra)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return sanitise.csv_cell(value)
    if isinstance(value, dict | list):  # a message's callback data, clicks…: as JSON text
        return sanitise.csv_cell(json.dumps(value, ensure_ascii=False, default=str))
    return _plain(value)


def to_csv(
    rows: Iterable[dict[str, Any]], *, bom: bool = False, columns: Sequence[str] = COLUMNS
) -> str:
    """CSV text; ``bom`` starts it with a UTF-8 byte order mark, which spreadsheet programs need
    to read non-ASCII labels right (for files; a pipe to another program does without).
    ``columns`` are the watch list's unless told (:func:`message_columns` for messages)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return ("\ufeff" if bom else "") + buffer.getvalue()


def to_json(rows: Iterable[dict[str, Any]]) -> str:
    """A JSON array of the rows; prices are exact numbers, never passed through float."""
    records = [
        {key: item if isinstance(item, Decimal) else _plain(item) for key, item in row.items()}
        for row in rows
    ]
    return sanitise.json_text(exact_json.dumps(records, indent=2)) + "\n"


def render(
    rows: list[dict[str, Any]],
    fmt: str,
    *,
    for_file: bool = False,
    columns: Sequence[str] = COLUMNS,
) -> str:
    if fmt == "csv":
        return to_csv(rows, bom=for_file, columns=columns)
    if fmt == "json":
        return to_json(rows)
    raise ValueError(f"unknown export format {fmt!r}: csv or json")


def write_export(
    path: str,
    rows: list[dict[str, Any]],
    *,
    fmt: str | None = None,
    columns: Sequence[str] = COLUMNS,
    personal: bool = False,
) -> None:
    """Every export file, from every front end: ``rows`` to ``path`` (``~`` expanded) in
    ``fmt`` or the format its name asks for, whole or not at all, readable by its owner only
    when it holds ``personal`` data (phone numbers). Raises OSError; :func:`why_not_written`
    says it in words."""
    text = render(rows, fmt or format_for(path), for_file=True, columns=columns)
    write_atomically(Path(path).expanduser(), text, mode=0o600 if personal else 0o644)


def why_not_written(error: OSError) -> str:
    """Why, and what to do, in the words every state file's fault uses (never an errno number,
    never the name of the temporary file the write went through)."""
    why, todo = os_reason(error)
    return f"{why}; {todo}"


def format_for(path: str, default: str = "csv") -> str:
    """The format a file name asks for: .json → json, anything else → csv."""
    return "json" if path.lower().endswith(".json") else default


E164: Final = re.compile(r"\+[1-9][0-9]{3,14}")


def write_number_list(path: str, numbers: Iterable[str]) -> None:
    """A list of phone numbers for an SMS tool to import (the retry list): a ``phone`` header,
    then one E.164 number a line; readable by its owner only. No byte order mark and no
    spreadsheet escaping (a leading ``+`` would gain a quote): importers read the cells as
    they are, and a number that is not E.164 is refused (ValueError) before anything is
    written, so no cell can hold anything else. Raises OSError as :func:`write_export`."""
    lines = ["phone"]
    for number in numbers:
        if not E164.fullmatch(number):
            raise ValueError("not an E.164 phone number")
        lines.append(number)
    write_atomically(Path(path).expanduser(), "\n".join(lines) + "\n", mode=0o600)


def write_report(path: str, text: str) -> None:
    """A campaign report (Markdown, JSON or HTML), whole or not at all. It holds nothing
    personal, so it is readable as any document. Raises OSError as :func:`write_export`."""
    write_atomically(Path(path).expanduser(), text)
