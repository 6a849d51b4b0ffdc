"""``lox24tui`` and ``lox24tui --demo``: the live dashboard."""

from __future__ import annotations

from lox24tui.commands.output import complain
from lox24tui.config import ConfigError, Locations, load_settings
from lox24tui.exit_codes import ExitCode


def run_dashboard(*, demo: bool) -> int:
    locations = Locations.default()
    try:
        settings = load_settings(locations)
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    from lox24tui.tui.app import Lox24App
    from lox24tui.tui.setup import demo_setup, real_setup

    setup = demo_setup(settings, locations) if demo else real_setup(settings, locations)
    Lox24App(setup).run()
    return ExitCode.OK
