"""The command palette's entries of the main screen (ctrl+p): the sort picker, the columns of
clicks and replies, each account's scheduled spend and filter, then the screen's bindings, each
written from its binding so the palette names the key the footer names."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Final

from textual.app import SystemCommand
from textual.binding import Binding

from lox24tui.tui.screens.main import MainScreen
from lox24tui.tui.widgets.filter_field import FilterField

PALETTE_BINDINGS: Final = (
    "main.add",
    "main.refresh_all",
    "main.pause",
    "main.filter",
    "main.detail",
    "table.remove",
    "table.label",
    "table.refresh",
    "table.copy_id",
    "undo",
    "main.token",
    "main.export",
    "main.import",
    "main.archived",
    "main.messages",
    "main.cancel",
    "main.raw_json",
    "main.copy_request_id",
    "main.alerts",
)
"""The main screen's and the watch table's bindings offered in the command palette, in its
order. Each entry's title, help and key come from the binding itself (see main_palette)."""


def main_palette(screen: MainScreen) -> Iterator[SystemCommand]:
    """The sort picker, then a palette entry per binding in PALETTE_BINDINGS, written from
    the binding: its description, its tooltip and the key that runs it now (the keymap's,
    if it rebinds it), so the palette cannot name another key than the footer and the keys
    panel. An action its node disables (check_action) is left out, as the footer leaves it
    out; a key that does not reach it from the focused widget (typing in the filter) is not
    named."""
    yield SystemCommand(
        "Sort by…", "Pick a column, or the watch-list order (s, S)", screen.table.action_pick_sort
    )
    shown = screen.view.engagement_shown
    yield SystemCommand(
        "Hide clicks and replies" if shown else "Show clicks and replies",
        "The table's clicks and replies columns"
        + ("" if shown else ": read for every bulk that sent, at the side-work pace"),
        screen.view.toggle_engagement,
    )
    for account in screen.session.accounts:
        balance = account.session.balance
        if balance.forecast is None:  # in words: the bar has room for its figure only
            continue
        of = f" of {account.tag.label}" if screen.session.several else ""
        yield SystemCommand(
            f"Scheduled spend{of}",
            "What the bulks waiting to send will cost, against the balance, and on what basis",
            partial(screen.notify, balance.spend_words(), title=f"Scheduled spend{of}"),
        )
    if screen.session.several:
        field = screen.query_one(FilterField)
        for account in screen.session.accounts:
            yield SystemCommand(
                f"Show only {account.tag.label}",
                f"Filter the table by account: @{account.tag.short} (Esc shows all)",
                partial(field.open, f"@{account.tag.short}"),
            )
    declared = {
        binding.id: (node, binding)
        for node in (screen, screen.view, screen.table)
        for binding in node.BINDINGS
        if isinstance(binding, Binding)
    }
    active = {
        found.binding.id: found.binding
        for found in screen.active_bindings.values()
        if found.binding.id
    }
    for binding_id in PALETTE_BINDINGS:
        node, binding = declared[binding_id]
        if node.check_action(binding.action, ()) is False:
            continue
        help_text = binding.tooltip
        if binding_id in active:
            help_text += f" ({screen.app.get_key_display(active[binding_id])})"
        yield SystemCommand(
            binding.description, help_text, partial(screen.app.run_action, binding.action, node)
        )
