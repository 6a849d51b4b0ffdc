"""JSON with money written exactly: a ``Decimal`` becomes a JSON number with its own digits.

``json.dumps`` knows no ``Decimal``, and going through ``float`` turns 0.1 + 0.2 into
0.30000000000000004 and a 17-digit balance into something else. Here each Decimal is swapped for a
placeholder string that cannot occur in the data (it holds a fresh random key), and the quoted
placeholder is replaced by the number's digits after dumping.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any


def dumps(
    value: Any, *, default: Callable[[Any], Any] | None = None, indent: int | None = None
) -> str:
    """``json.dumps(value, ensure_ascii=False)`` with every Decimal as an exact number (a
    non-finite one, which JSON cannot hold, as null)."""
    key = secrets.token_hex(8)
    numbers: list[str] = []

    def swap(item: Any) -> Any:
        if isinstance(item, Decimal):
            numbers.append(_number(item))
            return f"{key}:{len(numbers) - 1}"
        if isinstance(item, dict):
            return {name: swap(inner) for name, inner in item.items()}
        if isinstance(item, list | tuple):
            return [swap(inner) for inner in item]
        if default is not None and not isinstance(item, str | int | float | bool | type(None)):
            return swap(default(item))
        return item

    text = json.dumps(swap(value), ensure_ascii=False, indent=indent)
    for index, number in enumerate(numbers):
        text = text.replace(f'"{key}:{index}"', number, 1)
    return text


def _number(value: Decimal) -> str:
    if not value.is_finite():
        return "null"
    text = format(value, "f")
    return text if text not in ("-0", "") else "0"
