"""Alert rules as the person writes them in ``config.toml``, one ``[[alerts]]`` table each:
when a condition holds, for which bulks, and what to do then.

    [[alerts]]
    name = "failures"
    when = "failure_rate"        # the failure rate passes `above` % …
    above = 10
    after = 200                  # … once at least 200 delivery reports are in
    label = "Black Friday"       # only bulks whose label holds this (or `ids = [...]`; else all)
    desktop = true
    command = ["/usr/local/bin/page-the-team", "--severity", "high"]

A rule is checked whole when the config is read: a field that belongs to another condition, a
condition without what it needs, or an empty command is refused with the file and line, so a
rule never silently does nothing.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from lox24tui.api import SCHEDULED, StatusCode, status_info
from lox24tui.api.ids import parse_bulk_id

STATUS_WORDS: Final = (SCHEDULED, *(status_info(code).label for code in StatusCode))
"""The statuses a ``when = "status"`` rule can name, as every screen and command says them."""
MOST_SECONDS: Final = 300.0
"""The longest a command may run before it is stopped."""


class Condition(StrEnum):
    STATUS = "status"
    """A bulk reaches ``status``."""
    FAILURE_RATE = "failure_rate"
    """The share of failed messages passes ``above`` % once ``after`` delivery reports are in."""
    STALLED = "stalled"
    """A bulk in progress has not moved for ``minutes``."""
    COUNTED = "counted"
    """Every message of a bulk has its final delivery report."""
    BALANCE_BELOW = "balance_below"
    """The account's balance falls below ``amount``."""
    SPEND_OVER_BALANCE = "spend_over_balance"
    """The scheduled bulks would cost more than the balance."""


NEEDS: Final[dict[Condition, tuple[str, ...]]] = {
    Condition.STATUS: ("status",),
    Condition.FAILURE_RATE: ("above",),
    Condition.STALLED: ("minutes",),
    Condition.COUNTED: (),
    Condition.BALANCE_BELOW: ("amount",),
    Condition.SPEND_OVER_BALANCE: (),
}
"""The fields each condition needs; the others' fields are refused with it."""
OPTIONAL: Final[dict[Condition, tuple[str, ...]]] = {Condition.FAILURE_RATE: ("after",)}
ACCOUNT_WIDE: Final = frozenset({Condition.BALANCE_BELOW, Condition.SPEND_OVER_BALANCE})
"""Conditions of the account, not of a bulk: ``label`` and ``ids`` mean nothing to them."""
CONDITION_FIELDS: Final = frozenset({"status", "above", "after", "minutes", "amount"})


class AlertRule(BaseModel):
    """One ``[[alerts]]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    """How screens, logs and ``alerts test NAME`` call it; unique among the rules."""
    when: Condition
    status: str | None = None
    above: float | None = Field(None, ge=0, lt=100)
    """Percent of the delivery reports in."""
    after: int = Field(1, ge=1)
    """Delivery reports that must be in before the failure rate counts."""
    minutes: float | None = Field(None, gt=0)
    amount: Decimal | None = Field(None, ge=0)
    """In the account's currency."""
    label: str | None = Field(None, min_length=1)
    """Only bulks whose label holds this text (any case)."""
    ids: tuple[str, ...] | None = Field(None, min_length=1)
    """Only these bulks."""
    toast: bool = True
    """Say it in the dashboard (and on the headless monitor's log)."""
    bell: bool = False
    desktop: bool = False
    """A desktop notification (the ``notify`` setting says how)."""
    command: tuple[str, ...] | None = Field(None, min_length=1)
    """A program and its arguments (never a shell line): it gets the event as JSON on stdin."""
    timeout: float = Field(10.0, gt=0, le=MOST_SECONDS)
    """Seconds the command may run before it is stopped."""

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() not in STATUS_WORDS:
            words = ", ".join(f'"{word}"' for word in STATUS_WORDS)
            raise ValueError(f"must be one of {words}")
        return value.strip().lower() if value is not None else None

    @field_validator("ids")
    @classmethod
    def _bulk_ids(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        return None if value is None else tuple(parse_bulk_id(text) for text in value)

    @field_validator("command")
    @classmethod
    def _program(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is not None and not value[0].strip():
            raise ValueError('must start with the program to run, like ["/usr/bin/logger"]')
        return value

    @model_validator(mode="after")
    def _fields_of_its_condition(self) -> AlertRule:
        given = {field for field in CONDITION_FIELDS if field in self.model_fields_set}
        needed = set(NEEDS[self.when])
        missing = sorted(needed - given)
        if missing:
            raise ValueError(f'when = "{self.when}" needs {" and ".join(missing)}')
        foreign = sorted(given - needed - set(OPTIONAL.get(self.when, ())))
        if foreign:
            raise ValueError(f'{" and ".join(foreign)} is not for when = "{self.when}"')
        if self.when in ACCOUNT_WIDE and (self.label is not None or self.ids is not None):
            raise ValueError(f'when = "{self.when}" is about the account: no label or ids')
        if self.label is not None and self.ids is not None:
            raise ValueError("give label or ids, not both")
        if not (self.toast or self.bell or self.desktop or self.command):
            raise ValueError("does nothing: give it a command, or toast, bell or desktop")
        return self

    def covers(self, bulk_id: str, label: str) -> bool:
        """Whether the rule is about this bulk (every bulk, unless it names a label or ids)."""
        if self.ids is not None:
            return bulk_id in self.ids
        if self.label is not None:
            return self.label.lower() in label.lower()
        return True

    @property
    def actions(self) -> list[str]:
        """What it does, in words: "toast", "bell", "desktop", "command"."""
        chosen = [("toast", self.toast), ("bell", self.bell), ("desktop", self.desktop)]
        return [name for name, on in chosen if on] + (["command"] if self.command else [])

    @property
    def threshold_words(self) -> str:
        """The condition, as a person says it: "failure rate above 10% after 200 reports"."""
        match self.when:
            case Condition.STATUS:
                return f"a bulk reaches {self.status}"
            case Condition.FAILURE_RATE:
                after = f" after {self.after:,} reports" if self.after > 1 else ""
                return f"the failure rate passes {self.above:g}%{after}"
            case Condition.STALLED:
                return f"a bulk in progress has not moved for {self.minutes:g} min"
            case Condition.COUNTED:
                return "every message of a bulk has its final report"
            case Condition.BALANCE_BELOW:
                return f"the balance falls below {self.amount}"
            case Condition.SPEND_OVER_BALANCE:
                return "the scheduled bulks would cost more than the balance"


def unique_names(rules: tuple[AlertRule, ...]) -> tuple[AlertRule, ...]:
    """Rules are named by ``alerts test NAME`` and in the record of what fired: one name each."""
    seen: set[str] = set()
    for rule in rules:
        if rule.name in seen:
            raise ValueError(f'two alerts are called "{rule.name}": give each its own name')
        seen.add(rule.name)
    return rules
