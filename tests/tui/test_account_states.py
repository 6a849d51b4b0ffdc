"""What the summary bar says when the account guard holds requests back."""

from __future__ import annotations

import re
from collections.abc import Callable

from lox24tui.tui.app import Lox24App

from .conftest import advance, fake_of, settle
from .test_dashboard import WIDE, summary_text


async def test_an_outage_reads_unreachable_not_live_and_clears_when_lox24_answers(
    demo: Callable[..., Lox24App],
) -> None:
    app = demo()
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        await settle(app, pilot)
        assert "● Live" in summary_text(app)
        fake = fake_of(app)
        fake.fail("status", status=503)
        for _ in range(6):
            await advance(app, pilot, 5)
        text = summary_text(app)
        assert re.search(r"LOX24 unreachable since \d\d:\d\d", text) and "● Live" not in text
        assert "retrying in" in text or "probing now" in text
        fake.clear_faults()
        for _ in range(4):
            await advance(app, pilot, 20)
        assert "● Live" in summary_text(app)
        assert "unreachable" not in summary_text(app)
