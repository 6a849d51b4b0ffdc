"""Every key binding of the dashboard by id, and the check of a person's ``[keys]`` table.

Textual applies the keymap itself (``App.set_keymap``); what it cannot know is that an id is
misspelt, or that two bindings active at the same time now share a key, in which case one of
them silently stops working. Both are said when the dashboard starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode

FOLLOWERS = {"undo": "undo.nothing", "main.cancel": "main.cancel.why"}
"""Bindings that share the key of another, by design: u answers "nothing to undo", and X says
why a bulk cannot be canceled, through a second, hidden binding. Remapping the first remaps the
second with it."""


@dataclass(frozen=True, slots=True)
class KeyBinding:
    binding_id: str | None
    """None for Textual's own bindings (arrows, enter…), which cannot be remapped here."""
    keys: str
    description: str
    where: str


def _groups() -> dict[str, list[type[DOMNode]]]:
    """The nodes whose bindings are active together: a key may mean one thing per group."""
    from lox24tui.tui.app import Lox24App
    from lox24tui.tui.screens.add_bulks import AddBulksScreen
    from lox24tui.tui.screens.damaged_list import DamagedListScreen
    from lox24tui.tui.screens.detail import DetailScreen
    from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
    from lox24tui.tui.screens.discover import DiscoverScreen
    from lox24tui.tui.screens.export import ExportScreen
    from lox24tui.tui.screens.main import MainScreen
    from lox24tui.tui.screens.messages import MessagesExportScreen, MessagesScreen
    from lox24tui.tui.screens.token import TokenScreen
    from lox24tui.tui.widgets.bulk_table import BulkTable
    from lox24tui.tui.widgets.detail_pane import DetailPane

    return {
        "the watch list": [Lox24App, MainScreen, BulkTable],
        "the detail pane": [Lox24App, MainScreen, DetailPane],
        "the detail screen": [Lox24App, DetailScreen, DetailPane],
        "the import screen": [Lox24App, DiscoverScreen],
        "the messages screen": [Lox24App, MessagesScreen],
        **{
            f"the {name} dialog": [Lox24App, dialog]
            for name, dialog in (
                ("add", AddBulksScreen),
                ("confirm", ConfirmScreen),
                ("label", LabelScreen),
                ("export", ExportScreen),
                ("messages export", MessagesExportScreen),
                ("token", TokenScreen),
                ("damaged list", DamagedListScreen),
            )
        },
    }


def _bindings_of(node: type[DOMNode]) -> Iterator[Binding]:
    """A class's bindings with those it inherits (Textual merges them the same way)."""
    for klass in reversed(node.__mro__):
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding):
                yield binding


def catalogue() -> list[KeyBinding]:
    """Every binding with an id, once, in the order a person meets them."""
    seen: dict[str, KeyBinding] = {}
    for where, nodes in _groups().items():
        for node in nodes:
            for binding in _bindings_of(node):
                if binding.id and binding.id not in seen:
                    description = binding.tooltip or binding.description
                    seen[binding.id] = KeyBinding(binding.id, binding.key, description, where)
    return list(seen.values())


def effective_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """The person's keymap, with the bindings that follow another remapped alongside it."""
    expanded = dict(keymap)
    for leader, follower in FOLLOWERS.items():
        if leader in keymap and follower not in keymap:
            expanded[follower] = keymap[leader]
    return expanded


def keymap_problems(keymap: Mapping[str, str]) -> list[str]:
    """Unknown ids, and keys that now mean two things at once, in plain words."""
    known = {entry.binding_id for entry in catalogue()}
    problems = [
        f"[keys] {binding_id!r} is not a binding of lox24tui (the README lists them all)."
        for binding_id in keymap
        if binding_id not in known
    ]
    expanded = effective_keymap(keymap)
    for where, nodes in _groups().items():
        meanings: dict[str, set[str]] = {}
        for node in nodes:
            for binding in _bindings_of(node):
                keys = expanded.get(binding.id or "", binding.key)
                name = binding.id or f"Textual's {binding.action!r}"
                for key in (part.strip() for part in keys.split(",")):
                    meanings.setdefault(key, set()).add(name)
        for key, names in meanings.items():
            names -= set(FOLLOWERS.values())
            remapped = any(name in keymap for name in names)
            if len(names) > 1 and remapped:
                listed = " and ".join(sorted(names))
                problems.append(f"[keys] {key!r} is bound to both {listed} in {where}.")
    return problems


def keys_of(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The keys that run a binding now: the person's keymap's, else the binding's own."""
    expanded = effective_keymap(keymap)
    if binding_id in expanded:
        return expanded[binding_id]
    return next((e.keys for e in catalogue() if e.binding_id == binding_id), binding_id)
