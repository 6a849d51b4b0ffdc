"""``lox24tui`` and ``lox24tui --demo``: the live dashboard."""

from __future__ import annotations

import gc
import os

from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain
from lox24tui.session.config import ACCOUNT_ENV, ConfigError, Locations, Settings, load_settings

GC_YOUNG_THRESHOLD = 20_000
"""Allocations between young-generation collections (Python's default is 700)."""


def run_dashboard(*, demo: bool, read_only: bool = False) -> int:
    """The dashboard of the account ``--account`` picks, else of every account side by side;
    the demo's simulated accounts with ``--demo`` (``--account`` picks one of those)."""
    locations = Locations.default()
    from lox24tui.tui.app import Lox24App
    from lox24tui.tui.setup import demo_setup, real_setup

    try:
        if demo:  # the demo's accounts are its own, never the config's
            environ = {k: v for k, v in os.environ.items() if k != ACCOUNT_ENV}
            settings = _read_only(load_settings(locations, environ), read_only)
            setup = demo_setup(settings, locations, account=locations.account)
        else:
            settings = _read_only(load_settings(locations), read_only)
            setup = real_setup(settings, locations)
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    app = Lox24App(setup)
    calm_the_garbage_collector()  # after start-up's allocations, for the whole process
    app.run()
    return ExitCode.OK


def _read_only(settings: Settings, read_only: bool) -> Settings:
    """--read-only: the dashboard offers no action that writes to LOX24."""
    return settings.model_copy(update={"read_only": True}) if read_only else settings


def calm_the_garbage_collector() -> None:
    """Full collections of a process holding Textual and a thousand bulks took 100-130 ms,
    freezing key presses mid-refresh (benchmarks/dashboard.py). What exists at start-up is
    frozen out of collections, and young objects are collected less often."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, gen1, gen2)
