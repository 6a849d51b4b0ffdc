"""``lox24tui serve --demo`` in a real browser: Debian's Chromium, headless, through Selenium.

Skipped where Chromium or its driver is not installed; under CI (the ``CI`` variable set) that
is a failure instead, since `.ci/run` installs both.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from lox24tui.fake import FAKE_TOKEN, FakeLox24
from tests import browser
from tests.serving import Served, lox24tui_serve


@pytest.fixture(autouse=True)
def _chromium() -> None:
    reason = browser.missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests, but {reason}")
        pytest.skip(reason)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The demo served on a free port, with the test's own XDG folders."""
    with lox24tui_serve("--demo", env=os.environ, folder=tmp_path) as served:
        yield served


def test_without_the_key_there_is_no_dashboard(served: Served) -> None:
    with browser.chromium() as driver:
        driver.get(served.url + "/")
        assert "needs its access key" in driver.find_element(By.TAG_NAME, "body").text
        driver.get(served.url + "/?key=not-the-key")
        assert "needs its access key" in driver.find_element(By.TAG_NAME, "body").text
        assert browser.screen_text(driver) == ""
    assert served.descendants() == []


def test_the_demo_dashboard_runs_in_a_browser(served: Served) -> None:
    with browser.chromium() as driver:
        driver.get(served.open_url)
        browser.wait_for_text(driver, "Black Friday newsletter")
        assert "DEMO" in browser.screen_text(driver)
        assert driver.current_url == served.url + "/"  # the key left the address bar
        assert served.key not in driver.page_source

        browser.press(driver, "?")
        browser.wait_for_text(driver, "Show every key")

        browser.press(driver, "?/")
        browser.wait_for_text(driver, "Filter: text or status")

        here = urlsplit(served.url).netloc
        asked = browser.resources(driver)
        assert asked and all(urlsplit(address).netloc == here for address in asked), asked


def test_a_served_dashboard_is_read_only_and_says_so(served: Served) -> None:
    """X on a bulk that could be canceled: no question, the read-only message, no cancel."""
    with browser.chromium() as driver:
        driver.get(served.open_url)
        mode = driver.find_element(By.ID, "mode").text
        assert mode.startswith("read-only: cancel is off") and "--allow-writes" in mode
        browser.wait_for_text(driver, "Tomorrow's morning promo")
        browser.filter_to(driver, "morning")
        browser.press(driver, "X")
        shown = browser.wait_for_text(driver, "Not canceled")
        assert "read-only" in shown and "at LOX24?" not in shown


@pytest.mark.waits
def test_with_allow_writes_the_page_says_so_and_x_asks(tmp_path: Path) -> None:
    with (
        lox24tui_serve("--demo", "--allow-writes", env=os.environ, folder=tmp_path) as served,
        browser.chromium() as driver,
    ):
        driver.get(served.open_url)
        assert driver.find_element(By.ID, "mode").text.startswith("writes allowed: cancel is on")
        browser.wait_for_text(driver, "Tomorrow's morning promo")
        browser.filter_to(driver, "morning")
        browser.press(driver, "X")
        browser.wait_for_text(driver, "at LOX24?")  # the question before a cancel


def test_with_a_token_each_tab_inherits_the_environment(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    """The token, the API address and the XDG folders reach the tab's dashboard through the
    environment alone: it fetches with the token, and proves it in the shared guard file."""
    bulk = next(b.uuid for b in live_fake.account if b.label == "Black Friday newsletter")
    env = {**os.environ, "LOX24_API_URL": live_url, "LOX24_TOKEN": FAKE_TOKEN}
    added = subprocess.run(
        [sys.executable, "-m", "lox24tui", "watch", "add", bulk, "--label", "Black Friday"],
        env=env,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    with lox24tui_serve(env=env, folder=tmp_path) as served, browser.chromium() as driver:
        driver.get(served.open_url)
        browser.wait_for_text(driver, "in progress")
        assert FAKE_TOKEN not in driver.page_source and FAKE_TOKEN not in driver.current_url
    assert any(entry.status == 200 for entry in live_fake.log)
    assert (tmp_path / "state" / "lox24tui" / "account-guard.json").exists()
