"""Bulks in the three states whose words the vocabulary tests compare across front ends."""

from __future__ import annotations

from lox24tui.fake import SimBulk
from lox24tui.fake.account import time_uuid


def three_bulks(now: float) -> list[SimBulk]:
    """A scheduled bulk, a new one past its delivery time, and one with an undocumented code."""
    created = now - 7200
    return [
        SimBulk(time_uuid(created, 1), created, now + 86400, 10),
        SimBulk(time_uuid(created, 2), created, now - 3600, 10, status_code_override=0),
        SimBulk(
            time_uuid(created, 3),
            created,
            now - 3600,
            10,
            status_code_override=7,
            service_code="text2speech",
            voice_lang="XX",
        ),
    ]
