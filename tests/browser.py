"""Debian's Chromium, headless, driven by Selenium through Debian's chromedriver.

Naming the driver's path keeps Selenium Manager (which would download a driver) out of it, and
the browser resolves no name but 127.0.0.1, so nothing a page asks for leaves the machine.

The terminal on textual-serve's page draws on a canvas, so its text is not in the DOM; and
textual-serve keeps its xterm.js ``Terminal`` in a closure. :func:`screen_text` finds that
object through the DevTools protocol (``Runtime.queryObjects``, what the console's
``queryObjects()`` does) and reads its buffer: the text exactly as the terminal holds it.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

FLAGS = (
    "--headless",
    "--no-sandbox",  # as root, Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
)

WAIT = 60.0
"""Seconds a page may take to show what a test waits for (a busy two-core machine)."""

READ_TERMINAL = """
function () {
  const terminals = this.filter((object) => {
    try {
      return object.buffer && object.buffer.active
        && typeof object.buffer.active.getLine === "function" && typeof object.write === "function";
    } catch (error) {
      return false;
    }
  });
  return terminals.map((terminal) => {
    const buffer = terminal.buffer.active;
    const rows = [];
    for (let y = 0; y < terminal.rows; y++) {
      const line = buffer.getLine(buffer.viewportY + y);
      rows.push(line ? line.translateToString(true) : "");
    }
    return rows.join("\\n");
  });
}
"""


def missing() -> str | None:
    """Why no browser test can run here, or None when Chromium and its driver are installed."""
    absent = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if absent:
        return f"{' and '.join(absent)} missing (apt-get install chromium chromium-driver)"
    return None


@contextmanager
def chromium(width: int = 1400, height: int = 900) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with an empty profile, closed afterwards."""
    with tempfile.TemporaryDirectory(prefix="lox24tui-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        try:
            yield driver
        finally:
            driver.quit()


def screen_text(driver: webdriver.Chrome) -> str:
    """The rows the page's terminal shows now, one line each ("" before it exists)."""
    prototype = driver.execute_cdp_cmd("Runtime.evaluate", {"expression": "Object.prototype"})
    found = driver.execute_cdp_cmd(
        "Runtime.queryObjects", {"prototypeObjectId": prototype["result"]["objectId"]}
    )
    answer: dict[str, Any] = driver.execute_cdp_cmd(
        "Runtime.callFunctionOn",
        {
            "functionDeclaration": READ_TERMINAL,
            "objectId": found["objects"]["objectId"],
            "returnByValue": True,
        },
    )
    screens: list[str] = answer["result"]["value"]
    return "\n".join(screens)


def wait_for_text(driver: webdriver.Chrome, text: str, timeout: float = WAIT) -> str:
    """The terminal's rows once ``text`` is among them; a timeout names what was there."""
    seen = [""]

    def shows(driver: webdriver.Chrome) -> bool:
        seen[0] = screen_text(driver)
        return text in seen[0]

    try:
        WebDriverWait(driver, timeout, poll_frequency=0.2).until(shows)
    except TimeoutException as error:
        raise AssertionError(f"{text!r} never appeared; the terminal shows:\n{seen[0]}") from error
    return seen[0]


def press(driver: webdriver.Chrome, keys: str) -> None:
    """Type into the terminal, as a user with the page focused does."""
    driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(keys)


def filter_to(driver: webdriver.Chrome, text: str) -> None:
    """/, ``text`` and Enter in the dashboard: once one bulk is left ("1 of …" in the bar)."""
    press(driver, "/")
    wait_for_text(driver, "Filter: text or status")
    press(driver, text + Keys.ENTER)
    wait_for_text(driver, "1 of")


def resources(driver: webdriver.Chrome) -> list[str]:
    """Every address the page has asked for, failed requests included."""
    names: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map((entry) => entry.name)"
    )
    return names
