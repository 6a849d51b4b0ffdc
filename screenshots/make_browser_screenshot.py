"""Regenerate the README's browser picture: python screenshots/make_browser_screenshot.py

Starts ``lox24tui serve --demo`` in throwaway XDG folders, opens it in Debian's headless
Chromium (as the browser test does) and saves the page as browser.png beside this script. The
demo runs on the real clock here, so times and counts differ from one run to the next.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (1280, 720)
"""The browser window, in pixels."""


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    from selenium.webdriver.common.keys import Keys

    from tests import browser
    from tests.serving import lox24tui_serve

    reason = browser.missing()
    if reason is not None:
        sys.exit(f"cannot take the picture: {reason}")
    with tempfile.TemporaryDirectory(prefix="lox24tui-shot-") as folder:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("LOX24_")},
            "TZ": "UTC",
            "XDG_CONFIG_HOME": f"{folder}/config",
            "XDG_DATA_HOME": f"{folder}/data",
            "XDG_STATE_HOME": f"{folder}/state",
        }
        with (
            lox24tui_serve("--demo", env=env, folder=Path(folder)) as served,
            browser.chromium(*SIZE) as driver,
        ):
            driver.get(served.open_url)
            browser.wait_for_text(driver, "Black Friday newsletter")
            browser.wait_for_text(driver, "in progress")
            # The footer lists the keys once the dashboard has had a key; Esc changes nothing.
            browser.press(driver, Keys.ESCAPE)
            browser.wait_for_text(driver, "? Keys")
            driver.save_screenshot(str(HERE / "browser.png"))
    print("wrote screenshots/browser.png")


if __name__ == "__main__":
    main()
