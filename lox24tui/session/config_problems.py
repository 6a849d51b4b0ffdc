"""What is wrong with a setting, in lox24tui's words and with the file and line where it is.

pydantic explains a value in its own terms ("Extra inputs are not permitted", "Input should be
greater than or equal to 2"), and tomllib keeps no line numbers. A person fixing the file needs
the key, the line, what the value must be, and for a misspelt key the name it probably meant:
:func:`describe` says that, from pydantic's error records and a small scan of the file text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic_core import ErrorDetails

_TABLE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ARRAY = re.compile(r"^\s*\[\[\s*([^\[\]]+?)\s*\]\]\s*(?:#.*)?$")
"""An array of tables' header, ``[[alerts]]``: each starts the next of its list."""
_KEY = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")

_KINDS: Mapping[str, str] = {
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "bool_parsing": "must be true or false",
    "bool_type": "must be true or false",
    "string_type": 'must be text in quotes, like "this"',
    "dict_type": "must be a table of its own, like [keys]",
    "finite_number": "must be a finite number",
}


def line_of(text: str, key: tuple[str, ...]) -> int | None:
    """The 1-based line where ``key`` (``("interval",)``, ``("keys", "main.add")``, or
    ``("alerts", "1", "when")`` for the second ``[[alerts]]``) is set in the TOML ``text``, or
    None when the scan cannot find it (an inline table, say)."""
    table: tuple[str, ...] = ()
    arrays: dict[str, int] = {}
    """Tables seen so far of each array: ``[[alerts]]`` number i is ``("alerts", "i")``."""
    for number, line in enumerate(text.splitlines(), start=1):
        array = _ARRAY.match(line)
        if array is not None:
            name = _unquote(array.group(1))
            table = (name, str(arrays.get(name, 0)))
            arrays[name] = arrays.get(name, 0) + 1
            if table == key:
                return number
            continue
        header = _TABLE.match(line)
        if header is not None:
            table = tuple(_unquote(part) for part in _split_dotted(header.group(1)))
            if table == key:
                return number
            continue
        found = _KEY.match(line)
        if found is not None and (*table, *_split_dotted(found.group(1))) == key:
            return number
    return None


def _split_dotted(name: str) -> list[str]:
    """``a.b`` → ``a``, ``b``; a quoted name stays whole."""
    if name[:1] in "\"'":
        return [_unquote(name)]
    return [part.strip() for part in name.split(".")]


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        return name[1:-1]
    return name


def where(path: Path, text: str | None, key: tuple[str, ...]) -> str:
    """``/…/config.toml, line 3`` (or the file alone when the line is not found)."""
    line = line_of(text, key) if text is not None else None
    return f"{path}, line {line}" if line is not None else str(path)


def in_our_words(error: ErrorDetails, known: Collection[str], owner: str = "lox24tui") -> str:
    """What the value must be (or that ``owner`` has no such key, with the name it may have
    meant)."""
    kind = error["type"]
    context: dict[str, Any] = dict(error.get("ctx") or {})
    loc = error["loc"]
    if kind == "extra_forbidden":
        name = str(loc[-1]) if loc else "?"
        close = difflib.get_close_matches(name, list(known), n=1)
        guess = f"; did you mean {close[0]}?" if close else ""
        return f"{owner} has no setting called {name}{guess}"
    bounds = {
        "greater_than_equal": "must be at least {ge}",
        "greater_than": "must be more than {gt}",
        "less_than_equal": "must be at most {le}",
        "less_than": "must be less than {lt}",
    }
    if kind in bounds:
        return bounds[kind].format(**context)
    if kind == "enum":
        return f"must be one of {context.get('expected', '')}".replace("'", '"')
    if kind in _KINDS:
        return _KINDS[kind]
    message = error["msg"]
    return message.removeprefix("Value error, ").removeprefix("Assertion failed, ")


def describe(
    errors: Iterable[ErrorDetails],
    path: Path,
    text: str | None,
    *,
    known: Collection[str],
    from_environment: Mapping[str, str],
    known_in: Mapping[str, Collection[str]] | None = None,
) -> str:
    """One sentence per problem, ``<where>: <key> <what>.``, on one line. A key set by the
    environment (``from_environment``: key → variable) names the variable, not the file.
    ``known_in``: the keys of each array of tables (``alerts``), for a misspelt one there."""
    sentences = []
    named_file = False
    for error in errors:
        key = tuple(str(part) for part in error["loc"])
        shown = _shown(key)
        if len(key) > 2 and key[1].isdigit() and known_in and key[0] in known_in:
            said = in_our_words(error, known_in[key[0]], _shown(key[:2]).rstrip(":"))
        else:
            said = in_our_words(error, known)
        if key and key[0] in from_environment:
            place = f"the environment variable {from_environment[key[0]]}"
        else:
            place = where(path, text, key)
            if named_file and place.startswith(f"{path}, "):
                place = place.removeprefix(f"{path}, ").capitalize()  # the file once, then lines
            named_file = named_file or place.startswith(str(path))
        if error["type"] == "extra_forbidden":
            sentences.append(f"{place}: {said}")
        else:
            sentences.append(f"{place}: {shown} {said}")
    return " ".join(
        sentence if sentence.endswith("?") else f"{sentence}." for sentence in sentences
    )


def _shown(key: tuple[str, ...]) -> str:
    """A key as a person finds it: ``interval``, ``keys.main.add``, ``when of alert 2``."""
    if len(key) >= 2 and key[1].isdigit():
        what = f"alert {int(key[1]) + 1}" if key[0] == "alerts" else f"{key[0]} {int(key[1]) + 1}"
        return f"{'.'.join(key[2:])} of {what}" if len(key) > 2 else f"{what}:"
    return ".".join(key) or "the settings"
