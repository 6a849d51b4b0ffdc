"""The one rule for server text: control characters become visible escapes, nothing else moves."""

from __future__ import annotations

import json

import pytest

from lox24tui.text.sanitise import csv_cell, json_text, one_line

CLEAR_AND_RED = "\x1b[2J\x1b[31m"


def test_an_escape_sequence_becomes_visible_text() -> None:
    assert one_line(CLEAR_AND_RED) == "\\x1b[2J\\x1b[31m"


CONTROLS = [
    ("\x00", "\\x00"),
    ("\x07", "\\x07"),
    ("\x08", "\\x08"),
    ("\x0b", "\\x0b"),
    ("\r", "\\x0d"),
    ("\x1b", "\\x1b"),
    ("\x1f", "\\x1f"),
    ("\x7f", "\\x7f"),
    ("\x80", "\\x80"),
    ("\x9b", "\\x9b"),
    ("\x9f", "\\x9f"),
]
"""Control characters other than tab and newline, each with the escape people see."""


@pytest.mark.parametrize(("raw", "shown"), [*CONTROLS, ("\t", "\\x09"), ("\n", "\\x0a")])
def test_every_control_character_is_escaped_on_one_line(raw: str, shown: str) -> None:
    assert one_line(f"a{raw}b") == f"a{shown}b"


@pytest.mark.parametrize(("raw", "shown"), CONTROLS)
def test_a_csv_cell_escapes_every_control_but_tab_and_newline(raw: str, shown: str) -> None:
    assert csv_cell(f"a{raw}b") == f"a{shown}b"


@pytest.mark.parametrize("text", [" ", "~", "\xa0", "203.0.113.7", "Grüße, 20 % €", "[b]x[/b]", ""])
def test_printable_text_is_left_as_it_is(text: str) -> None:
    assert one_line(text) == text
    assert csv_cell(text) == text


def test_a_csv_cell_keeps_tabs_and_newlines() -> None:
    raw = f"line one\tcolumn\nline two\r{CLEAR_AND_RED}\x9b\x7f\x00"
    assert csv_cell(raw) == "line one\tcolumn\nline two\\x0d\\x1b[2J\\x1b[31m\\x9b\\x7f\\x00"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_csv_cell_never_starts_as_a_formula(start: str) -> None:
    assert csv_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'


def test_a_csv_cell_starting_with_a_tab_or_return_is_quoted_too() -> None:
    assert csv_cell("\t=1") == "'\t=1"
    assert csv_cell("\r=1") == "'\\x0d=1"


def test_a_formula_sign_later_in_a_cell_is_harmless() -> None:
    assert csv_cell("a=b+c") == "a=b+c"
    assert csv_cell(f"{CLEAR_AND_RED}=1") == "\\x1b[2J\\x1b[31m=1"


def test_json_escapes_c1_and_del_and_keeps_the_value() -> None:
    value = {"ip": f"{CLEAR_AND_RED}\x9b\x80\x9f\x7f", "label": "Grüße"}
    dumped = json_text(json.dumps(value, ensure_ascii=False))
    assert dumped == (
        '{"ip": "\\u001b[2J\\u001b[31m\\u009b\\u0080\\u009f\\u007f", "label": "Grüße"}'
    )
    assert json.loads(dumped) == value


def test_json_leaves_printable_text_alone() -> None:
    assert json_text('{"a": "\\u00a0~ \xa0"}') == '{"a": "\\u00a0~ \xa0"}'


@pytest.mark.parametrize(
    "mark", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_a_bidirectional_override_becomes_visible_everywhere(mark: str) -> None:
    """U+202E then "POTS" would read as "STOP": the mark is shown, not obeyed."""
    shown = f"\\u{ord(mark):04x}"
    assert one_line(f"{mark}POTS") == f"{shown}POTS"
    assert csv_cell(f"{mark}POTS") == f"{shown}POTS"


def test_right_to_left_text_itself_is_left_as_it_is() -> None:
    assert one_line("שלום مرحبا") == "שלום مرحبا"
