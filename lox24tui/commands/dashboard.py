"""``lox24tui`` and ``lox24tui --demo``: the live dashboard."""

from __future__ import annotations

import gc

from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain
from lox24tui.session.config import ConfigError, Locations, load_settings

GC_YOUNG_THRESHOLD = 20_000
"""Allocations between young-generation collections (Python's default is 700)."""


def run_dashboard(*, demo: bool, read_only: bool = False) -> int:
    locations = Locations.default()
    try:
        settings = load_settings(locations)
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    if read_only:  # --read-only: the dashboard offers no action that writes to LOX24
        settings = settings.model_copy(update={"read_only": True})
    from lox24tui.tui.app import Lox24App
    from lox24tui.tui.setup import demo_setup, real_setup

    setup = demo_setup(settings, locations) if demo else real_setup(settings, locations)
    app = Lox24App(setup)
    calm_the_garbage_collector()  # after start-up's allocations, for the whole process
    app.run()
    return ExitCode.OK


def calm_the_garbage_collector() -> None:
    """Full collections of a process holding Textual and a thousand bulks took 100-130 ms,
    freezing key presses mid-refresh (benchmarks/dashboard.py). What exists at start-up is
    frozen out of collections, and young objects are collected less often."""
    gc.freeze()
    _, gen1, gen2 = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, gen1, gen2)
