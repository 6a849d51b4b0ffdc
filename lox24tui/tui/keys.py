"""Every key binding of the dashboard by id, and the check of a person's ``[keys]`` table.

Textual applies the keymap itself (``App.set_keymap``); what it cannot know is that an id is
misspelt, or that two bindings active at the same time now share a key, in which case one of
them silently stops working. Both are said when the dashboard starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from textual.binding import Binding
from textual.dom import DOMNode

PALETTE: Final = "palette"
"""What ``key_name`` takes for the command palette's key: Textual's own binding, with no id."""

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


Groups = Mapping[str, Sequence[type[DOMNode]]]
"""The nodes whose bindings are active together, by where a person meets them: a key may mean
one thing per group. The App names them (:meth:`lox24tui.tui.app.Lox24App.binding_groups`), so
this module knows no screen."""


def _bindings_of(node: type[DOMNode]) -> Iterator[Binding]:
    """A class's bindings with those it inherits (Textual merges them the same way)."""
    for klass in reversed(node.__mro__):
        for binding in vars(klass).get("BINDINGS", ()):
            if isinstance(binding, Binding):
                yield binding


def catalogue(groups: Groups) -> list[KeyBinding]:
    """Every binding with an id, once, in the order a person meets them."""
    seen: dict[str, KeyBinding] = {}
    for where, nodes in groups.items():
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


def keymap_problems(keymap: Mapping[str, str], groups: Groups) -> list[str]:
    """Unknown ids, and keys that now mean two things at once, in plain words."""
    known = {entry.binding_id for entry in catalogue(groups)}
    problems = [
        f"[keys] {binding_id!r} is not a binding of lox24tui (the README lists them all)."
        for binding_id in keymap
        if binding_id not in known
    ]
    expanded = effective_keymap(keymap)
    for where, nodes in groups.items():
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


def keys_of(binding_id: str, keymap: Mapping[str, str], groups: Groups) -> str:
    """The keys that run a binding now: the person's keymap's, else the binding's own."""
    expanded = effective_keymap(keymap)
    if binding_id in expanded:
        return expanded[binding_id]
    return next((e.keys for e in catalogue(groups) if e.binding_id == binding_id), binding_id)
