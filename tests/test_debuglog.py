"""The debug log for support: what it holds (requests, answers, request ids, the guard's and the
engine's decisions) and what it never holds (tokens, phone numbers, query values)."""

from __future__ import annotations

import json
import logging
import stat
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, FaultKind
from lox24tui.state.debuglog import redact, start_log
from tests.cli_process import labelled, lox24tui

PHONE = "+49 170 1234567"
OTHER_TOKEN = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"


def test_a_command_logs_requests_answers_and_decisions_but_no_token_or_phone(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    good = labelled(live_fake, "Appointment reminders (voice)")
    bad = labelled(live_fake, "Black Friday newsletter")
    live_fake.fail(
        FaultKind.STATUS,
        status=500,
        bulk_id=bad,
        detail=f"recipient {PHONE} rejected for token {OTHER_TOKEN}",
    )
    log = tmp_path / "support.log"
    done = lox24tui("--log", str(log), "status", good, bad, "--json", url=live_url)
    assert done.returncode == 1, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    text = log.read_text(encoding="utf-8")
    assert f"GET /bulks/{good}/status" in text and f"GET /bulks/{bad}/status" in text
    request_ids = [answer.get("request_id") or answer["error"]["request_id"] for answer in answers]
    assert len(request_ids) == 2 and all(request_ids)
    for request_id in request_ids:
        assert f"request id {request_id}" in text
    assert "answer 200" in text and "answer 500" in text
    assert "guard lets one request out alone: the token is not proven yet" in text
    assert "[phone]" in text and "[token]" in text
    assert FAKE_TOKEN not in text and OTHER_TOKEN not in text and "1234567" not in text
    assert "DEBUG" not in done.stderr + done.stdout
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_the_environment_names_the_log_and_queries_stay_out(
    live_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "from-env.log"
    monkeypatch.setenv("LOX24TUI_LOG", str(log))
    done = lox24tui("bulks", "--status", "5", "--since", "24h", url=live_url)
    assert done.returncode == 0, done.stderr
    text = log.read_text(encoding="utf-8")
    assert "request GET /bulks\n" in text
    assert "status_code" not in text and "created_at" not in text and "?" not in text


def test_redact_keeps_ids_support_needs() -> None:
    line = (
        "GET /bulks/da0fa78c-4699-11ea-a637-960000283390/status, request id "
        "ca37feb2cfd80300931aece970715680"
    )
    assert redact(line) == line
    assert redact(f"to {PHONE}, 0170-1234567 and 491701234567.") == (
        "to [phone], [phone] and [phone]."
    )
    assert redact(f"token={FAKE_TOKEN}") == "token=[token]"


def test_every_record_is_redacted_and_none_reaches_the_terminal(
    package_logger: logging.Logger, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log"
    start_log(log)
    engine = logging.getLogger("lox24tui.engine.monitor")
    engine.debug("checking %s with %s", PHONE, FAKE_TOKEN)
    try:
        raise ValueError(f"refused {FAKE_TOKEN} for {PHONE}")
    except ValueError:
        engine.exception("a listener failed")
    text = log.read_text(encoding="utf-8")
    assert "checking [phone] with [token]" in text
    assert "ValueError: refused [token] for [phone]" in text
    assert FAKE_TOKEN not in text and PHONE not in text
    assert capfd.readouterr().err == ""
