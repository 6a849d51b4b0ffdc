"""Query strings read as LOX24 reads them.

LOX24's API is built on API Platform, whose collections take their filters in a few forms:

- exact: ``prop=v``; several values (IN): ``prop[]=a&prop[]=b``, or ``prop[0]=a&prop[1]=b`` as
  LOX24's PHP client writes them (PHP's ``http_build_query``);
- partial, on text: ``prop=v`` finds every item whose ``prop`` holds ``v``, whatever the case;
- boolean: ``prop=true|false|1|0``;
- range: ``prop[lt|gt|lte|gte]=v``, and ``prop[between]=a..b`` (the PHP client's form);
- ``exists[prop]=0|1|true|false``;
- order: ``_order[prop]=asc|desc``;
- ``page``, from 1.

Only the filters a collection declares apply. API Platform ignores every other one silently, so a
client that misspells a filter gets everything back, and LOX24 would answer it so. The fake
ignores it too, but says so (:attr:`Query.unknown`): the tests insist that nothing of ours sends
a filter LOX24 does not know.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping
from collections.abc import Collection as Names
from dataclasses import dataclass, field
from typing import Any, Final
from urllib.parse import parse_qsl

RANGES: Final = frozenset({"lt", "gt", "lte", "gte", "between"})
_KEY: Final = re.compile(r"(?P<name>[A-Za-z_][\w.]*)(?:\[(?P<inner>[^\[\]]*)\])?")
_TRUE: Final = frozenset({"true", "1"})
_FALSE: Final = frozenset({"false", "0"})


@dataclass(frozen=True, slots=True)
class Collection:
    """The filters one collection declares, by kind (the contract's lists)."""

    path: str
    exact: frozenset[str] = frozenset()
    partial: frozenset[str] = frozenset()
    booleans: frozenset[str] = frozenset()
    ranges: frozenset[str] = frozenset()
    exists: frozenset[str] = frozenset()
    order: frozenset[str] = frozenset()
    type: str = ""
    """Its items' JSON-LD type."""
    order_by: tuple[str, bool] | None = None
    """The order without ``_order`` (prop, descending); None: as the items are kept."""


@dataclass(slots=True)
class Query:
    """What a query string asks of one collection."""

    collection: Collection
    values: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    """Exact and boolean filters: every value given, in order."""
    bounds: dict[str, list[tuple[str, float]]] = field(default_factory=lambda: defaultdict(list))
    """Range filters, ``between`` read as ``gte`` and ``lte``."""
    exists: dict[str, bool] = field(default_factory=dict)
    order: list[tuple[str, bool]] = field(default_factory=list)
    """``(prop, descending)`` in the order given."""
    page: int = 1
    unknown: list[str] = field(default_factory=list)
    """Parameters this collection does not know (API Platform ignores them): their keys."""
    _folded: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def integers(self, prop: str) -> frozenset[int] | None:
        """The whole numbers given for ``prop``; None when it was not given (or none was one)."""
        numbers = {int(v) for v in self.values.get(prop, ()) if is_integer(v)}
        return frozenset(numbers) if numbers else None

    def texts(self, prop: str) -> frozenset[str] | None:
        given = self.values.get(prop)
        return frozenset(given) if given else None

    def boolean(self, prop: str) -> bool | None:
        """The last value given for ``prop``, read as API Platform reads a boolean."""
        given = self.values.get(prop)
        if not given:
            return None
        last = given[-1].lower()
        return True if last in _TRUE else False if last in _FALSE else None

    def within(self, prop: str, value: float | None) -> bool:
        """Whether ``value`` satisfies every range given for ``prop`` (a missing value none)."""
        bounds = self.bounds.get(prop)
        if not bounds:
            return True
        if value is None:
            return False
        return all(_holds(value, operator, bound) for operator, bound in bounds)

    def descending(self, prop: str, *, default: bool) -> bool:
        return next((desc for name, desc in self.order if name == prop), default)

    def ordered(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``items`` sorted as asked (``_order``), after the collection's own order, as MySQL
        sorts: no value first when ascending, last when descending."""
        orders = list(self.order)
        if self.collection.order_by is not None:
            orders.append(self.collection.order_by)
        for prop, descending in reversed(orders):  # the first order given sorts last
            items.sort(key=_by(prop), reverse=descending)
        return items

    def _casefolded(self, prop: str) -> frozenset[str]:
        """The values given for ``prop`` without regard to case, worked out once: every item of
        a list is held against them (the replies to 500 messages, against 2,000 replies)."""
        folded = self._folded.get(prop)
        if folded is None:
            folded = self._folded[prop] = frozenset(text.casefold() for text in self.values[prop])
        return folded

    def accepts(self, item: Mapping[str, Any], *, besides: Names[str] = ()) -> bool:
        """Whether an item of the collection (as JSON) passes every filter but ``besides``
        (those the caller applied itself), compared as LOX24's database would: numbers as
        numbers, texts without regard to case, booleans in any of their spellings."""
        for prop, given in self.values.items():
            if prop in besides:
                continue
            if prop in self.collection.partial:
                if not _holds_all(item.get(prop), given):
                    return False
            elif not _equals_one(item.get(prop), given, self._casefolded(prop)):
                return False
        for prop in self.bounds:
            value = item.get(prop)
            number = (
                value if isinstance(value, int | float) and not isinstance(value, bool) else None
            )
            if prop not in besides and not self.within(prop, number):
                return False
        return all(
            (item.get(prop) is not None) == wanted
            for prop, wanted in self.exists.items()
            if prop not in besides
        )


def read(query: str, collection: Collection) -> Query:
    """``query`` (the raw query string) as ``collection`` reads it."""
    result = Query(collection)
    for key, value in parse_qsl(query, keep_blank_values=True):
        if not _take(result, collection, key, value):
            result.unknown.append(key)
    return result


def _by(prop: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(item: dict[str, Any]) -> tuple[bool, Any]:
        value = item.get(prop)
        return value is not None, value if value is not None else 0

    return key


def _holds_all(value: Any, given: list[str]) -> bool:
    text = "" if value is None else str(value).casefold()
    return value is not None and all(part.casefold() in text for part in given)


def _equals_one(value: Any, given: list[str], folded: frozenset[str]) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        wanted = {text.lower() in _TRUE for text in given if text.lower() in _TRUE | _FALSE}
        return value in wanted
    if isinstance(value, int | float):
        return any(_is_number(text) and float(text) == value for text in given)
    return str(value).casefold() in folded


def _take(query: Query, collection: Collection, key: str, value: str) -> bool:
    """Put one parameter where it belongs; False when the collection does not know it."""
    match = _KEY.fullmatch(key)
    if match is None:
        return False
    name, inner = match.group("name"), match.group("inner")
    if name == "page" and inner is None:
        if is_integer(value) and int(value) > 0:
            query.page = int(value)
        return True
    if name == "_order" and inner in collection.order:
        if value.lower() not in ("asc", "desc"):
            return False
        query.order.append((inner, value.lower() == "desc"))
        return True
    if name == "exists" and inner in collection.exists:
        if value.lower() not in _TRUE | _FALSE:
            return False
        query.exists[inner] = value.lower() in _TRUE
        return True
    if inner in RANGES and name in collection.ranges:
        return _take_range(query, name, inner, value)
    one_of_many = inner is None or inner == "" or inner.isdigit()
    known = collection.exact | collection.partial | collection.booleans
    if one_of_many and name in known:
        query.values[name].append(value)
        return True
    return False


def _take_range(query: Query, name: str, operator: str, value: str) -> bool:
    if operator == "between":
        low, dots, high = value.partition("..")
        if not dots or not (_is_number(low) and _is_number(high)):
            return False
        query.bounds[name] += [("gte", float(low)), ("lte", float(high))]
        return True
    if not _is_number(value):
        return False
    query.bounds[name].append((operator, float(value)))
    return True


def _holds(value: float, operator: str, bound: float) -> bool:
    return {
        "lt": value < bound,
        "lte": value <= bound,
        "gt": value > bound,
        "gte": value >= bound,
    }[operator]


def is_integer(text: str) -> bool:
    """ASCII digits only, of a size a database column holds: "²".isdigit() is true, and
    int("²") fails."""
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit() and len(digits) < 10


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in ("nan", "inf", "-inf", "infinity", "-infinity")
