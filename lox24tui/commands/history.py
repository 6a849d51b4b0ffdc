"""``lox24tui history [ID…] [--since AGE] [--json]``: the status changes lox24tui saw, from the
history file every process writes (the dashboard and ``status --watch``), and for the bulks
named, how they sent (the dashboard's progress samples). No request is sent."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import InvalidBulkId, parse_bulk_id, status_info
from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain, print_json, print_line
from lox24tui.engine.discovery import parse_age
from lox24tui.insight.progress import rates, share_done
from lox24tui.session.config import ConfigError, Locations, load_settings
from lox24tui.state.history import History, ProgressSample, StatusTransition
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_history(texts: list[str], *, since: str | None, as_json: bool, out: TextIO) -> int:
    try:
        start = time.time() - parse_age(since).total_seconds() if since else None
    except ValueError as error:
        complain(str(error))
        return ExitCode.STOPPED
    try:
        settings = load_settings()
    except ConfigError as error:
        complain(str(error))
        return ExitCode.STOPPED
    ids: list[str] = []
    failed = False
    for text in texts:
        try:
            ids.append(parse_bulk_id(text))
        except InvalidBulkId as error:
            complain(error.message)
            failed = True
    if failed and not ids:
        return ExitCode.FAILED
    path = Locations.default().history_file
    if not path.exists():  # nothing seen yet; reading must not create the file
        return ExitCode.FAILED if failed else ExitCode.OK
    with History(path, retention_days=settings.history_days) as history:
        transitions = history.transitions(ids, since=start)
        curves = {bulk_id: history.samples(bulk_id) for bulk_id in ids}
        notices = history.pop_notices()
    for notice in notices:
        complain(notice)
    previous: dict[str, str] = {}
    for transition in transitions:
        if as_json:
            print_json(out, _record(transition))
        else:
            print_line(out, _line(transition, previous.get(transition.bulk_id)))
        previous[transition.bulk_id] = transition.status
    for bulk_id, samples in curves.items():
        if samples and as_json:
            print_json(out, {"id": bulk_id, "progress": [_sample(s) for s in samples]})
        elif samples:
            print_line(out, f"{bulk_id}  progress  {curve_text(samples)}")
    return ExitCode.FAILED if failed or notices else ExitCode.OK


def curve_text(samples: list[ProgressSample]) -> str:
    """How a bulk sent, in one line: "12% → 100% in 18 min · 5,400 a minute at most ▂▅▇█▆▃▁"."""
    first, last = samples[0], samples[-1]
    shares = [share_done(s) for s in (first, last)]
    took = humanize.span(last.at - first.at)
    text = " → ".join(f"{share:.0%}" if share is not None else "—" for share in shares)
    text += f" in {took}"
    curve = rates(samples)
    if curve:
        text += (
            f" · {humanize.count(round(max(curve)))} a minute at most {humanize.sparkline(curve)}"
        )
    return text


def _sample(sample: ProgressSample) -> dict[str, object]:
    return {
        "at": datetime.fromtimestamp(sample.at, UTC).isoformat(),
        "total": sample.total,
        "sent": sample.sent,
        "not_sent": sample.not_sent,
        "delivered": sample.delivered,
        "failed": sample.failed,
    }


def _record(transition: StatusTransition) -> dict[str, object]:
    return {
        "id": transition.bulk_id,
        "label": transition.label,
        "from_code": transition.from_code,
        "to_code": transition.to_code,
        "status": transition.status,
        "at": transition.at_utc.isoformat(),
        "request_id": transition.request_id,
    }


def _line(transition: StatusTransition, earlier: str | None) -> str:
    """``2026-11-29 10:02:11  <id>  Black Friday  scheduled → in progress  (request 5f3…)``: the
    label before is the one this output showed for the bulk, or the code's own."""
    if transition.from_code is None:
        arrow = "now"
    else:
        arrow = f"{earlier or status_info(transition.from_code).label} →"
    at = humanize.local_time(datetime.fromtimestamp(transition.at, UTC))
    label = f"  {transition.label}" if transition.label else ""
    request = f"  (request {transition.request_id})" if transition.request_id else ""
    return f"{at}  {transition.bulk_id}{label}  {arrow} {transition.status}{request}"


# The command line
EXAMPLES = ("lox24tui history --since 36h", "lox24tui history ID --json")

EPILOG = """\
exit status:
  0  the changes were printed (none, if lox24tui has seen none yet)
  1  an id was invalid, or the history file could not be read (a damaged one is
     kept aside and a new one started; stderr says where)
  2  --since is not an age such as 90m, 36h or 7d, or the config file is bad

The history is written by the dashboard and by `status --watch`; no request is sent.
"""


SUMMARY = "print the status changes lox24tui has seen"

DESCRIPTION = (
    "Print the status changes the dashboard and `status --watch` have seen "
    "(kept for `history_days`, 90 by default), oldest first. For each ID named, then "
    "how it sent, as the dashboard counted it: share sent, time taken, and the send rate."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "history", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument("ids", nargs="*", metavar="ID", help="only these bulks (default: all)")
    parser.add_argument("--since", metavar="AGE", help="only changes within AGE: 90m, 36h, 7d")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


def run(args: argparse.Namespace) -> int:
    return run_history(args.ids, since=args.since, as_json=args.json, out=sys.stdout)
