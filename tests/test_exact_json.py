"""Money in JSON output keeps its exact digits: never through float."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from decimal import Decimal

from lox24tui.commands.output import print_json
from lox24tui.state.export import to_json
from lox24tui.text import exact_json


def test_decimals_are_written_with_their_own_digits() -> None:
    record = {
        "price": Decimal("0.1") + Decimal("0.2"),
        "balance": Decimal("12345678901.2345"),
        "nested": [{"fee": Decimal("0.0750")}],
        "text": '"still a string"',
    }
    text = exact_json.dumps(record)
    assert '"price": 0.3' in text and '"balance": 12345678901.2345' in text
    assert '"fee": 0.0750' in text
    parsed = json.loads(text, parse_float=Decimal)
    assert parsed["price"] == Decimal("0.3") and parsed["text"] == '"still a string"'


def test_a_string_that_looks_like_a_placeholder_stays_a_string() -> None:
    text = exact_json.dumps({"a": Decimal("1.5"), "b": "x:0"})
    assert json.loads(text) == {"a": 1.5, "b": "x:0"}


def test_print_json_writes_exact_money_and_unix_times() -> None:
    out = io.StringIO()
    when = datetime(2026, 1, 1, tzinfo=UTC)
    print_json(out, {"balance_amount": Decimal("0.30"), "at": when})
    assert out.getvalue() == f'{{"balance_amount": 0.30, "at": {int(when.timestamp())}}}\n'


def test_the_json_export_writes_exact_prices() -> None:
    text = to_json([{"price": Decimal("90.075"), "created_at": None}])
    assert '"price": 90.075' in text
    assert json.loads(text, parse_float=Decimal)[0]["price"] == Decimal("90.075")
