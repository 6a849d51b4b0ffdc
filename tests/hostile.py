"""Server text that tries to act on a terminal, and the check that it shows inert."""

from __future__ import annotations

import re

HOSTILE = "\x1b[2J\x1b[31m\x9b"
"""Clears the screen, turns the rest red, then a C1 CSI."""


SHOWN = "\\x1b[2J\\x1b[31m\\x9b"
"""What a person sees instead."""


_ACTIVE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def assert_inert(text: str) -> None:
    """No control character but newline: nothing a terminal would act on."""
    assert not _ACTIVE.findall(text), _ACTIVE.findall(text)
