"""``lox24tui status ID…``: a one-shot look-up for people and scripts: each id is asked for once,
one request per id, through the account guard, and a failure is reported, never retried.
Delivery counts (up to 7 more requests per bulk) only with ``--delivery``."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from lox24tui.account.guard import REFUSED_ALLOWED, GuardStopped, stops_everything
from lox24tui.api import (
    InvalidBulkId,
    Lox24Error,
    label_with_code,
    parse_bulk_id,
    voice_language_with_code,
)
from lox24tui.api.records import error_record, reply_record
from lox24tui.commands import output
from lox24tui.commands.arguments import (
    STOPPED,
    UsageError,
    add_command,
    epilog,
    positive,
)
from lox24tui.commands.completion import add_bulk_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.monitor import check_each_once
from lox24tui.engine.status_delivery import Delivery, deliveries, delivery_fields, delivery_text
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_status(
    texts: list[str],
    *,
    as_json: bool,
    watch: bool = False,
    delivery: bool = False,
    concurrency: int | None = None,
    out: TextIO,
) -> int:
    ids, invalid = _refuse_invalid(texts, as_json=as_json, out=out)
    if watch and invalid:
        return ExitCode.WATCH_STOPPED
    if not ids:
        return ExitCode.FAILED
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    if watch:
        from lox24tui.commands.watch_status import watch_until_final

        return watch_until_final(ids, settings, token, as_json=as_json, out=out)

    async def fetch() -> tuple[list[BulkState], dict[str, Delivery]]:
        limit = concurrency or settings.concurrency
        async with output.guarded_client(settings, token, concurrency=concurrency) as client:
            states = await check_each_once(client, ids, concurrency=limit)
            if not delivery:
                return states, {}
            return states, await deliveries(client, states, concurrency=limit)

    states, counts = asyncio.run(fetch())
    now = datetime.now(UTC)
    stopped: Lox24Error | None = None
    failed = bool(invalid)
    for state in states:
        if state.reply is not None:
            counted = counts.get(state.bulk_id)
            if isinstance(counted, Lox24Error):
                failed = True
                if stops_everything(counted):
                    stopped = stopped or counted
            if as_json:
                record = reply_record(state.reply, now)
                if delivery:
                    record.update(delivery_fields(counted))
                output.print_json(out, record)
            else:
                _print_human(out, state, now)
                if counted is not None:
                    output.print_line(out, f"    {'outcomes':<13} {delivery_text(counted)}")
            continue
        assert state.error is not None
        failed = True
        if stops_everything(state.error):
            stopped = stopped or state.error
        if as_json:
            output.print_json(out, error_record(state.bulk_id, state.error))
        else:
            problem = state.error
            if isinstance(problem, GuardStopped) and stopped is not None and stopped is not problem:
                # the stop is said once, in full, on stderr: each row held back says only that
                output.print_line(
                    out, f"✗ {state.bulk_id}  {problem.title}: held back by the stop above"
                )
            else:
                output.print_line(out, f"✗ {state.bulk_id}  {problem.title}: {problem}")
    stopped = stopped or stopped_by(state.error for state in states)  # LOX24 unreachable
    if stopped is not None:
        output.complain(f"stopped: {stopped.message}")
        return ExitCode.STOPPED
    return ExitCode.FAILED if failed else ExitCode.OK


def _refuse_invalid(
    texts: list[str], *, as_json: bool, out: TextIO
) -> tuple[list[str], list[InvalidBulkId]]:
    """The ids, each once, and those that are not bulk ids, each said on ``out`` before any
    request goes out."""
    ids: list[str] = []
    invalid: list[InvalidBulkId] = []
    for text in texts:
        try:
            bulk_id = parse_bulk_id(text)
        except InvalidBulkId as error:
            invalid.append(error)
            continue
        if bulk_id not in ids:
            ids.append(bulk_id)
    for refused in invalid:
        if as_json:
            output.print_json(out, error_record(refused.text, refused))
        else:
            output.print_line(out, f"✗ {refused.message}")
    return ids, invalid


def _print_human(out: TextIO, state: BulkState, now: datetime) -> None:
    assert state.reply is not None
    status = state.reply.status
    info = status.status
    dry = "  [dry run]" if status.is_dryrun else ""
    shown = label_with_code(status.label_at(now), status.status_code)
    output.print_line(out, f"● {state.bulk_id}  {shown}{dry}")
    rows = [
        ("meaning", info.meaning),
        ("messages", humanize.count(status.msg_total_count)),
        ("price", humanize.money(status.price, None)),
        ("delivery", humanize.local_time_relative(status.delivery_at, now)),
        ("created", humanize.local_time_relative(status.created_at, now)),
        ("processed", humanize.local_time_relative(status.processed_at, now)),
        ("service", status.service_code or "—"),
        ("voice", voice_language_with_code(status.voice_lang)),
        ("unicode", humanize.flag(status.is_unicode)),
        ("dry run", humanize.flag(status.is_dryrun)),
        ("text deleted", humanize.flag(status.is_text_deleted)),
        ("key id", "—" if status.key_id is None else str(status.key_id)),
        ("source", "—" if status.source is None else str(status.source)),
        ("ip", status.ip or "—"),
        ("request id", state.reply.request_id or "—"),
    ]
    for key, value in status.unreadable_fields.items():
        rows.append((key, f"unreadable: {value!r}"))
    for key, value in status.extra_fields.items():
        rows.append((key, f"{value!r} (not in the contract)"))
    for label, value in rows:
        output.print_line(out, f"    {label:<13} {value}")


# The command line
EXAMPLES = (
    "lox24tui status da0fa78c-4699-11ea-a637-96000028b339",
    "lox24tui status ID1 ID2 --json",
    'lox24tui status "$ID" --watch && echo delivered',
)

EPILOG = f"""\
exit status:
  0  every id was fetched
  1  at least one id was invalid, unknown to LOX24, or could not be fetched, or
     (with --delivery) a bulk's delivery could not be counted
{STOPPED}

exit status with --watch:
  0  every bulk ended processed (10)
  1  a bulk ended canceled (15), in a system error (20) or with no recipients
     (201)
  2  the watch was stopped: an invalid or unknown id, a refused token, an
     inactive account, or a rate limit / IP block (also: no token, bad config
     file)

The token comes from LOX24_TOKEN (or the config file), never from the command line.
"""


SUMMARY = "look up bulks once and print their status"

DESCRIPTION = (
    "Look up the status of one or more bulks: one request per id, never "
    "retried, under the same account rules as the dashboard (with a token not yet seen to "
    "work, one request first; then at most --concurrency at a time). With --delivery, each "
    "bulk found also has its messages counted by delivery outcome: at most one request per "
    "outcome, seven per bulk."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "status", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    add_bulk_ids(parser)
    parser.add_argument("--json", action="store_true", help="one JSON object per line, for scripts")
    parser.add_argument(
        "--concurrency",
        type=positive,
        default=None,
        metavar="N",
        help=(
            "at most N requests in flight at once (default: the `concurrency` setting, "
            f"{REFUSED_ALLOWED}). Above {REFUSED_ALLOWED}, a key revoked mid-burst may cost N "
            "refused requests, and LOX24 then blocks this IP for ten minutes"
        ),
    )
    parser.add_argument(
        "--delivery",
        action="store_true",
        help="also count each bulk's messages by delivery outcome (up to 7 more requests per "
        "bulk; not with --watch)",
    )
    parser.add_argument(
        "--watch",
        action="store_true",
        help="keep refreshing until every bulk is final, printing each status change "
        "(one JSON line per change with --json)",
    )


def run(args: argparse.Namespace) -> int:
    if args.watch and args.delivery:
        raise UsageError("status: --delivery counts once; it does not go with --watch")
    return run_status(
        args.ids,
        as_json=args.json,
        watch=args.watch,
        delivery=args.delivery,
        concurrency=args.concurrency,
        out=sys.stdout,
    )
