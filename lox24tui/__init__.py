"""lox24tui: a terminal dashboard that watches LOX24 SMS bulks live."""

import logging
import sys

__version__ = "0.1.0"

# lox24tui's log goes only where --log or LOX24TUI_LOG sends it (debuglog.py). Without this,
# Python's last-resort handler would print a logged error onto the dashboard's terminal.
logging.getLogger(__name__).addHandler(logging.NullHandler())

# httpx imports its own command line (click, pygments, rich's syntax and progress) whenever
# those are installed, and here they are: uvicorn needs click, Textual needs rich. lox24tui
# never runs httpx's command line, which cost every lox24tui process ~40 ms at start and
# ~1.6 MiB. Marking the module absent is Python's own way to say so (httpx then defines a stub
# ``main`` that explains what to install).
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
