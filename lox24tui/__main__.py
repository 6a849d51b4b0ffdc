"""Allows `python -m lox24tui`."""

from lox24tui.cli import main

raise SystemExit(main())
