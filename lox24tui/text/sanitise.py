"""The one rule for showing text that came from a server (or from an error quoting one): control
characters are made visible and inert.

A bulk's ``ip`` of ``"\\x1b[2J\\x1b[31m"`` printed raw would clear the terminal and turn what
follows red; C1 characters such as ``\\x9b`` (a one-byte CSI) do the same on many terminals. So
every control character (C0, DEL and C1) is written as a Python-style escape such as ``\\x1b``:
the value stays recognisable, and the terminal receives only printable text. The table, the
detail pane, toasts, the CLI's lines and CSV all go through here; JSON keeps its own escaping,
completed by :func:`json_text`.
"""

from __future__ import annotations

import re
from typing import Final

_BIDI: Final = "\u202a-\u202e\u2066-\u2069"
"""Bidirectional embeddings, overrides and isolates: text after U+202E reads right to left, so a
reply of U+202E then "POTS" would show as "STOP" and pass for what it is not. Made visible
(``\\u202e``) like the control characters."""
_CONTROL: Final = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_BIDI}]")
_CONTROL_BUT_TAB_AND_NEWLINE: Final = re.compile(f"[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f{_BIDI}]")
_RAW_IN_JSON: Final = re.compile(r"[\x7f-\x9f]")
"""What ``json.dumps(..., ensure_ascii=False)`` leaves unescaped although it is a control."""
FORMULA_STARTS: Final = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet read a cell as a formula."""


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """Text for one line of a terminal, a table cell or a toast: every control character, tab
    and newline included, becomes a visible escape (``\\x1b``, ``\\x09``, ``\\x0a``), and so
    does every bidirectional override (``\\u202e``)."""
    return _CONTROL.sub(_visible, text)


def lines(text: str) -> str:
    """Text of several lines (a program's output): newlines and tabs stay, every other control
    character and bidirectional override becomes a visible escape."""
    return _CONTROL_BUT_TAB_AND_NEWLINE.sub(_visible, text)


def csv_cell(text: str) -> str:
    """A CSV cell: a formula-like start gets a leading quote (a label like ``=HYPERLINK(…)``
    must not run in a spreadsheet), then every control character but tab and newline, which a
    quoted cell holds harmlessly, becomes a visible escape."""
    guarded = "'" + text if text[:1] in FORMULA_STARTS else text
    return _CONTROL_BUT_TAB_AND_NEWLINE.sub(_visible, guarded)


def json_text(dumped: str) -> str:
    """JSON from ``json.dumps(..., ensure_ascii=False)``, which escapes C0 but leaves DEL and C1
    raw, with those written as ``\\u009b`` too: the same value for a program, inert on a
    terminal. (Outside strings JSON is ASCII, so only string contents change.)"""
    return _RAW_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", dumped)
