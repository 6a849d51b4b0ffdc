"""Masked phone numbers keep the country calling code and the last four digits, nothing more."""

from __future__ import annotations

import pytest

from lox24tui.text.phones import mask_phone


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("+4917012344567", "+49 ••• 4567"),
        ("+49 170 1234 4567", "+49 ••• 4567"),
        ("+447700900123", "+44 ••• 0123"),
        ("+12025550123", "+1 ••• 0123"),
        ("+35312345678", "+353 ••• 5678"),
        ("004917012344567", "+49 ••• 4567"),
        ("017012344567", "••• 4567"),  # national: no country code to keep
        ("12345", "••• 45"),  # too short to keep four digits of
        (None, "—"),
        ("", "—"),
    ],
)
def test_masking(phone: str | None, masked: str) -> None:
    assert mask_phone(phone) == masked
