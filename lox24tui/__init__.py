"""lox24tui: a terminal dashboard that watches LOX24 SMS bulks live."""

import logging

__version__ = "0.1.0"

# lox24tui's log goes only where --log or LOX24TUI_LOG sends it (debuglog.py). Without this,
# Python's last-resort handler would print a logged error onto the dashboard's terminal.
logging.getLogger(__name__).addHandler(logging.NullHandler())
