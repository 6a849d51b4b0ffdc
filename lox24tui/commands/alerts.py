"""``lox24tui alerts``: the alert rules of ``config.toml``, checked (``check``), or one of them
fired once against the demo account (``test NAME``), its command run for real, so that a rule
can be tried before a campaign depends on it."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from typing import TYPE_CHECKING, TextIO

import httpx

from lox24tui.alerts.command import CommandResult, command_environment, run_command
from lox24tui.alerts.events import AlertEvent, account_event, bulk_event
from lox24tui.alerts.rules import ACCOUNT_WIDE, AlertRule, Condition
from lox24tui.api import Lox24Client, Lox24Error, Token, status_info
from lox24tui.commands import output
from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import count_delivery
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.insight.forecast import read_forecast
from lox24tui.session.config import ConfigError, Locations, Settings, load_settings
from lox24tui.tui.setup import DEMO_URL

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_check(*, out: TextIO) -> int:
    """Each rule in a line, or what is wrong with them (file and line), exit 2."""
    settings = _settings()
    if isinstance(settings, int):
        return settings
    where = Locations.default().config_file
    if not settings.alerts:
        output.print_line(
            out, f"No alerts in {where}. Add [[alerts]] tables: `lox24tui alerts --help`."
        )
        return ExitCode.OK
    output.print_line(out, f"{len(settings.alerts)} alerts in {where}, each as it will act:")
    for rule in settings.alerts:
        output.print_line(out, f"● {rule.name}: when {rule.threshold_words}")
        output.print_line(out, f"    for {_for_words(rule)}; then {_then_words(rule)}")
    return ExitCode.OK


def run_test(name: str, *, out: TextIO) -> int:
    """Fire rule ``name`` once against the demo account: its toast, bell and desktop words are
    printed, its command runs for real. Exit 1 when the command failed."""
    settings = _settings()
    if isinstance(settings, int):
        return settings
    rule = next((rule for rule in settings.alerts if rule.name == name), None)
    if rule is None:
        named = ", ".join(rule.name for rule in settings.alerts) or "none"
        output.complain(f'no alert is called "{name}" (the alerts: {named})')
        return ExitCode.FAILED
    event = asyncio.run(_demo_event(rule))
    output.print_line(out, f"Fired {rule.name} once against the demo: {event.text}")
    if rule.toast:
        output.print_line(out, "  toast: shown in the dashboard, logged by the monitor")
    if rule.bell:
        output.print_line(out, "  bell: rung in the dashboard")
    if rule.desktop:
        output.print_line(out, f"  desktop: a notification ({settings.notify} in the config)")
    if rule.command is None:
        return ExitCode.OK
    environment = command_environment(event.variables(), secrets=settings.token_variables)
    result = asyncio.run(run_command(rule.command, event.json(), environment, seconds=rule.timeout))
    _print_result(out, result)
    return ExitCode.OK if result.ok else ExitCode.FAILED


def _settings() -> Settings | int:
    try:
        return load_settings()
    except ConfigError as error:
        output.complain(str(error))
        return ExitCode.STOPPED


async def _demo_event(rule: AlertRule) -> AlertEvent:
    """The event the rule would send for the demo bulk it suits best (or the demo account)."""
    now = time.time()
    fake = FakeLox24(SimulatedAccount.demo(now))
    async with Lox24Client(
        Token(FAKE_TOKEN), DEMO_URL, transport=httpx.ASGITransport(app=fake)
    ) as client:
        if rule.when in ACCOUNT_WIDE:
            account = fake.account
            forecast = None
            if rule.when is Condition.SPEND_OVER_BALANCE:
                forecast = await read_forecast(client)
            balance = account.balance(now)
            return account_event(rule, balance, account.currency, now, forecast=forecast, test=True)
        bulk_id, label = _demo_bulk(rule, fake.account, now)
        try:
            reply = await client.get_bulk_status(bulk_id)
            delivery = await count_delivery(client, bulk_id, status=reply.status, now=time.time)
        except Lox24Error:  # the demo answers; a test fire still goes out, with less in it
            return bulk_event(rule, BulkState(bulk_id), label, now, test=True)
    return bulk_event(rule, BulkState(bulk_id, reply, delivery=delivery), label, now, test=True)


def _demo_bulk(rule: AlertRule, account: SimulatedAccount, now: float) -> tuple[str, str]:
    """The demo bulk the rule covers that best shows its condition; any it covers else; the
    first demo bulk when it covers none (its ids are not the demo's)."""
    demo = account.watched_demo_ids()
    covered = [(bulk_id, label) for bulk_id, label in demo if rule.covers(bulk_id, label)] or demo
    by_id = {bulk.uuid: bulk for bulk in account}
    wanted = {
        Condition.STALLED: "in progress",
        Condition.STATUS: rule.status,
        Condition.FAILURE_RATE: "processed",
        Condition.COUNTED: "processed",
    }.get(rule.when)
    for bulk_id, label in covered:
        code = by_id[bulk_id].state(now)[0]
        if wanted in {None, status_info(code).label}:
            return bulk_id, label
    return covered[0]


def _for_words(rule: AlertRule) -> str:
    if rule.when in ACCOUNT_WIDE:
        return "the account"
    if rule.ids is not None:
        return f"{len(rule.ids)} bulks ({', '.join(bulk_id[:8] + '…' for bulk_id in rule.ids)})"
    if rule.label is not None:
        return f'bulks whose label holds "{rule.label}"'
    return "every watched bulk"


def _then_words(rule: AlertRule) -> str:
    words = [action for action in rule.actions if action != "command"]
    if rule.command is not None:
        words.append(f"run {rule.command[0]} (stopped after {rule.timeout:g} s)")
    return ", ".join(words)


def _print_result(out: TextIO, result: CommandResult) -> None:
    output.print_line(out, f"  command {result.program}: {result.words}")
    for line in result.output.splitlines():
        output.print_line(out, f"    | {line}")
    if result.dropped:
        output.print_line(out, f"    ({result.dropped:,} more bytes of output not kept)")


SUMMARY = "check the alert rules, or fire one against the demo"
DESCRIPTION = (
    "Alerts are [[alerts]] tables in config.toml: when a condition holds (a bulk reaches a "
    "status, the failure rate passes a share, a bulk stalls, its delivery is counted, the "
    "balance runs low), for which bulks, and what to do (a toast, the bell, a desktop "
    "notification, a command that gets the event as JSON on stdin, never a token). "
    "`check` says how each rule reads, or what is wrong with it and where; `test NAME` fires "
    "one once against the demo account and runs its command for real."
)
EXAMPLES = (
    "lox24tui alerts check",
    "lox24tui alerts test failures",
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "alerts", SUMMARY, DESCRIPTION, epilog(EXAMPLES))
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="how each rule reads, or what is wrong and where")
    check.set_defaults(run=lambda _: run_check(out=sys.stdout))
    test = actions.add_parser("test", help="fire rule NAME once against the demo account")
    test.add_argument("name", metavar="NAME", help="the rule's name")
    test.set_defaults(run=lambda args: run_test(args.name, out=sys.stdout))


def run(args: argparse.Namespace) -> int:
    return int(args.run(args))
