"""lox24tui: a terminal dashboard that watches LOX24 SMS bulks live."""

__version__ = "0.1.0"
