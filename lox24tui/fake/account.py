"""The simulated LOX24 account: bulks whose status follows from the clock.

Each bulk is a small timeline (created, maybe scheduled, sent over a while, ended in one of the
final states), so the same account answers consistently whatever the time, real or injected.
"""

from __future__ import annotations

import math
import random
import uuid as uuid_module
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final

from lox24tui.fake.messages import (
    KINDS,
    NOT_DELIVERED,
    ODD_KINDS,
    STOPPED_BY_API,
    WAITING,
    BulkMessages,
    Stage,
    message_json,
    pending_forever,
)

NEW, IN_PROGRESS, PROCESSED, CANCELED, SYSTEM_ERROR, NO_RECIPIENTS = 0, 5, 10, 15, 20, 201
_UUID_EPOCH_OFFSET: Final = 0x01B21DD213814000  # 100 ns ticks from 1582-10-15 to 1970-01-01
_NODE: Final = 0x96000028B339  # the node of LOX24's example id
DEMO_ID_EPOCH: Final = 1_764_115_200.0
"""The time the demo account's (fixed) ids are stamped from: 2025-11-26."""
SWISS_ID_EPOCH: Final = DEMO_ID_EPOCH - 400 * 86_400.0
"""The Swiss demo account's ids lie a year and more before the demo's: the two never share one."""
PACE_WAVES: Final = 3
"""How many times a bulk's send rate rises and falls while it sends (with ``pace_swing``)."""
SIZED_AND_PRICED: Final = ("sized_when_scheduled", "priced_when_scheduled")
"""The quirks of a scheduled bulk that tells its size and its price before it sends."""


def time_uuid(at: float, sequence: int) -> str:
    """A version-1 (time-based) UUID like LOX24's, deterministic for a time and a sequence."""
    ticks = int(at * 10_000_000) + _UUID_EPOCH_OFFSET
    clock_seq = sequence & 0x3FFF
    fields = (
        ticks & 0xFFFFFFFF,
        (ticks >> 32) & 0xFFFF,
        ((ticks >> 48) & 0x0FFF) | 0x1000,
        ((clock_seq >> 8) & 0x3F) | 0x80,
        clock_seq & 0xFF,
        _NODE,
    )
    return str(uuid_module.UUID(fields=fields))


@dataclass
class SimBulk:
    """One bulk's whole life. Times are unix seconds."""

    uuid: str
    created_at: float
    delivery_at: float
    recipients: int
    send_seconds: float = 60.0
    """How long sending takes from delivery_at to the last message."""
    outcome: int = PROCESSED
    """The final status it reaches: 10, or 15/20 at ``ends_at``, or 201 at delivery."""
    ends_at: float | None = None
    """For 15 and 20: when it was canceled or failed (before delivery for a cancel is fine)."""
    unit_price: Decimal = Decimal("0.075")
    service_code: str = "direct"
    voice_lang: str | None = None
    is_unicode: bool | None = False
    is_dryrun: bool = False
    is_text_deleted: bool = False
    key_id: int = 1
    source: int | None = None
    ip: str = "203.0.113.17"
    sender_id: str = "DemoShop"
    text: str = "Hello from the demo account."
    label: str = ""
    """A name for people (the demo watch list uses it); not part of the API."""
    countries: tuple[tuple[str, int], ...] = ()
    """Where its recipients live: (ISO 3166 alpha-2, weight) pairs, ``?DE`` for German numbers
    whose messages carry no ``iso2``; empty: all in GB."""
    quirks: frozenset[str] = field(default_factory=frozenset)
    """``numbers_as_strings``, ``created_at_as_string``, ``extra_key``, ``zero_times`` (0 for
    "no time" in ``delivery_at``, ``processed_at`` and ``gateway_sent_at``): things the real
    API does; ``odd_codes``: some messages end with an undocumented dlr code (32) and status
    code (7777); ``sized_when_scheduled``: while scheduled it already says how many messages it
    created (``msg_total_count``), and ``priced_when_scheduled`` also what they will cost
    (``price``). Whether LOX24 fills either before sending is unconfirmed; without the quirks
    both stay 0 until the bulk starts, the least the contract promises."""
    status_code_override: int | None = None
    """Force a status code, documented or not."""
    still_at: float | None = None
    """Answer as at this moment, whatever the time: every field stays as it was (load tests of
    bulks that are polled but do not change)."""
    pending_forever: float = 0.0
    """This fraction of its messages never get a final report (they stay submitted)."""
    pace_swing: float = 0.0
    """How far the send rate swings around its mean, as a share of it (0 to 1; 0: steady): a
    real bulk's pace follows the operators'."""
    pause: tuple[float, float] = (0.0, 0.0)
    """(seconds into sending, for how long): a stretch in which nothing is sent, on top of
    :attr:`send_seconds` (a stalled bulk)."""

    @classmethod
    def scheduled(
        cls, uuid: str, now: float, starts_in: float, recipients: int, *quirks: str, **fields: Any
    ) -> SimBulk:
        """Made a minute before ``now``, to send ``starts_in`` seconds after it; ``quirks``:
        what LOX24 tells of it meanwhile (:data:`SIZED_AND_PRICED`, say)."""
        return cls(uuid, now - 60, now + starts_in, recipients, quirks=frozenset(quirks), **fields)

    def state(self, now: float) -> tuple[int, int, float | None]:
        """(status code, messages created, processed_at) at ``now``. A bulk creates all its
        messages when it starts sending, and sends them over :attr:`send_seconds`."""
        if self.still_at is not None:
            now = self.still_at
        if self.status_code_override is not None:
            return self.status_code_override, self.recipients, self.created_at
        if (
            self.outcome in (CANCELED, SYSTEM_ERROR)
            and self.ends_at is not None
            and now >= self.ends_at
        ):
            created = self.recipients if self.ends_at > self.delivery_at else 0
            return self.outcome, created, self.ends_at
        if now < self.delivery_at:
            return NEW, self.recipients if "sized_when_scheduled" in self.quirks else 0, None
        if self.outcome == NO_RECIPIENTS:
            return NO_RECIPIENTS, 0, self.delivery_at
        finished = self.delivery_at + self.send_seconds + self.pause[1]
        if now >= finished:
            return PROCESSED, self.recipients, finished
        return IN_PROGRESS, self.recipients, float(int(now))

    def sent_by(self, when: float) -> int:
        """How many of its messages it had gone through (sent, or held back) at ``when``."""
        if self.still_at is not None:
            when = min(when, self.still_at)
        if self.status_code_override is not None:
            return self.recipients
        if self.outcome in (CANCELED, SYSTEM_ERROR) and self.ends_at is not None:
            when = min(when, self.ends_at)
        if self.outcome == NO_RECIPIENTS or when < self.delivery_at:
            return 0
        if self.send_seconds <= 0:
            return self.recipients
        return int(self.recipients * self._share_sent(when - self.delivery_at))

    def _share_sent(self, elapsed: float) -> float:
        """The share sent ``elapsed`` seconds into sending: the pace swings around its mean by
        :attr:`pace_swing`, and stands still during :attr:`pause`."""
        pause_from, pause_for = self.pause
        if pause_for > 0 and elapsed > pause_from:
            elapsed = max(pause_from, elapsed - pause_for)
        return self._swung(min(1.0, elapsed / self.send_seconds))

    def _swung(self, steady: float) -> float:
        """The share sent when a steady pace would have sent ``steady``: the same at the start
        and the end, with the rate between 1 - swing and 1 + swing times its mean."""
        turn = 2 * math.pi * PACE_WAVES
        return min(1.0, max(0.0, steady + self.pace_swing * math.sin(turn * steady) / turn))

    def message_sent_at(self, index: int) -> float:
        """When message ``index`` was (or will be) sent: the moment the sent count passed it."""
        if self.status_code_override is not None:
            return self.created_at
        if self.send_seconds <= 0 or self.recipients <= 0:
            return self.delivery_at
        wanted = (index + 1) / self.recipients
        if self.pace_swing:  # the share sent never falls: bisect it
            low, high = 0.0, 1.0
            for _ in range(40):
                middle = (low + high) / 2
                low, high = (low, middle) if self._swung(middle) >= wanted else (middle, high)
            wanted = high
        elapsed = self.send_seconds * wanted
        pause_from, pause_for = self.pause
        return self.delivery_at + elapsed + (pause_for if elapsed > pause_from else 0.0)

    def messages(self, now: float, funds_out_at: float | None = None) -> BulkMessages:
        """Its messages as they stand at ``now`` (see :mod:`lox24tui.fake.messages`); those
        sent after ``funds_out_at`` were held back for want of money."""
        kinds = pending_forever(
            ODD_KINDS if "odd_codes" in self.quirks else KINDS, self.pending_forever
        )
        code = self.state(now)[0]
        unsent = {CANCELED: STOPPED_BY_API, SYSTEM_ERROR: NOT_DELIVERED}.get(code, WAITING)
        return BulkMessages(
            self.uuid,
            kinds,
            self.sent_by,
            now,
            funds_out_at,
            created=self.state(now)[1],
            unsent=unsent,
        )

    def message_json(self, index: int, stage: Stage) -> dict[str, Any]:
        """An item of ``GET /sms``."""
        return message_json(self, index, stage, self.message_sent_at(index), self.unit_price)

    def spent(self, now: float, funds_out_at: float | None = None) -> Decimal:
        """What its messages cost so far: those sent before the balance ran out."""
        paid = self.sent_by(now)
        if funds_out_at is not None:
            paid = min(paid, self.sent_by(funds_out_at))
        return self.unit_price * paid

    def cancel(self, now: float) -> bool:
        """``PUT /bulks/{id}/cancel``: a new bulk (0), or one sending (5) with messages not yet
        sent, stops now and becomes canceled (15). False when it is too late."""
        code, _, _ = self.state(now)
        if self.status_code_override is not None:
            if code not in (NEW, IN_PROGRESS):
                return False
            self.status_code_override = CANCELED
            return True
        if code == NEW or (code == IN_PROGRESS and self.sent_by(now) < self.recipients):
            self.outcome = CANCELED
            self.ends_at = now
            return True
        return False

    def status_json(self, now: float) -> dict[str, Any]:
        """The fields of ``GET /bulks/{id}/status``, as LOX24 sends them."""
        code, count, processed_at = self.state(now)
        paid = self.sent_by(now)
        if code == NEW and "priced_when_scheduled" in self.quirks:
            paid = self.recipients
        price = (self.unit_price * paid).quantize(Decimal("0.0001"))
        body: dict[str, Any] = {
            "uuid": self.uuid,
            "delivery_at": int(self.delivery_at),
            "status_code": code,
            "msg_total_count": count,
            "created_at": int(self.created_at),
            "processed_at": int(processed_at) if processed_at is not None else None,
            "ip": self.ip,
            "is_unicode": self.is_unicode,
            "is_dryrun": self.is_dryrun,
            "service_code": self.service_code,
            "key_id": self.key_id,
            "source": self.source,
            "voice_lang": self.voice_lang,
            "is_text_deleted": self.is_text_deleted,
            "price": float(price),
        }
        if "numbers_as_strings" in self.quirks:
            body["price"] = str(price)
            body["msg_total_count"] = str(count)
        if "created_at_as_string" in self.quirks:
            body["created_at"] = str(int(self.created_at))
        if "zero_times" in self.quirks:  # LOX24's "no time": a bulk sent at once, as its PHP
            body["delivery_at"] = 0  # client creates them
            if body["processed_at"] is None:
                body["processed_at"] = 0
        if "extra_key" in self.quirks:
            body["sms_parts"] = 2
        return body

    def bulk_json(self, now: float) -> dict[str, Any]:
        """The fields of ``GET /bulks/{id}``: the status plus the content."""
        body = self.status_json(now)
        body["sender_id"] = self.sender_id
        body["text"] = None if self.is_text_deleted else self.text
        body["phones"] = [f"+4917{index:08d}" for index in range(min(self.recipients, 3))]
        body["msg_groups"] = []
        return body


_HISTORY_TEXTS: Final = (
    "Your order has shipped and arrives tomorrow.",
    "Reminder: your appointment is on Friday at 10:00.",
    "Weekend sale: 20% off with code WEEKEND20.",
    "Your verification code is 381 204.",
    "Thank you for your visit! Rate us: https://example.com/r",
    "Maintenance tonight 22:00-23:00; the app may be slow.",
    "New menu this week: soups, salads and more.",
)


FIELDS_MODES: Final = ("natural", "changing", "still")
"""How the generated bulks still sending change between polls (SimulatedAccount.generated)."""


_MINUTE, _HOUR, _DAY = 60.0, 3600.0, 86400.0


def _demo(
    created_ago: float, delivery_in: float, recipients: int, **kwargs: Any
) -> tuple[float, float, int, dict[str, Any]]:
    return created_ago, delivery_in, recipients, kwargs


_DEMO_WATCHED: Final = (
    _demo(
        20 * _MINUTE,
        -5 * _MINUTE,
        12_000,
        send_seconds=5 * _MINUTE + 45,
        label="Black Friday newsletter",
        text="BLACK FRIDAY: 30% off everything today only! https://shop.example/bf",
    ),
    _demo(
        10 * _MINUTE,
        20,
        800,
        send_seconds=30,
        label="Store opening reminder",
        text="We open at 10:00 today. See you soon!",
    ),
    _demo(
        30 * _MINUTE,
        -2 * _MINUTE,
        1_500,
        send_seconds=8 * _MINUTE,
        pace_swing=0.5,
        pause=(7 * _MINUTE, 30 * _MINUTE),  # stalls five minutes into the demo
        service_code="text2speech",
        voice_lang="DE",
        unit_price=Decimal("0.15"),
        label="Appointment reminders (voice)",
        countries=(("DE", 60), ("AT", 22), ("CH", 12), ("?DE", 6)),
        text="Ihr Termin ist morgen um 9 Uhr.",
    ),
    _demo(
        2 * _HOUR,
        90,
        400,
        send_seconds=60,
        service_code="text2speech_ssml",
        voice_lang=None,
        unit_price=Decimal("0.15"),
        label="Hotline announcement (SSML)",
        text="<speak>Our hotline is open again.</speak>",
    ),
    _demo(
        3 * _HOUR,
        18 * _HOUR,
        25_000,
        send_seconds=20 * _MINUTE,
        quirks=frozenset({"sized_when_scheduled"}),
        label="Tomorrow's morning promo",
        text="Good morning! Breakfast deals until 11.",
    ),
    _demo(
        5 * _HOUR,
        -4 * _HOUR,
        3_200,
        send_seconds=2 * _MINUTE,
        is_unicode=True,
        unit_price=Decimal("0.15"),
        label="Password reset codes (Unicode)",
        countries=(("DE", 45), ("GB", 25), ("FR", 15), ("AT", 10), ("?DE", 5)),
        text="Dein Code: 4711 ✅",
    ),
    _demo(
        6 * _HOUR,
        -6 * _HOUR,
        5_000,
        send_seconds=_MINUTE,
        is_dryrun=True,
        label="Dry run: price check",
    ),
    _demo(
        26 * _HOUR,
        2 * _HOUR,
        9_000,
        outcome=CANCELED,
        ends_at=-20 * _HOUR,
        label="Winter sale (canceled)",
    ),
    _demo(
        2 * _DAY,
        -47 * _HOUR,
        2_000,
        send_seconds=10 * _MINUTE,
        outcome=SYSTEM_ERROR,
        ends_at=-47 * _HOUR + 4 * _MINUTE,
        label="Partner import (failed)",
    ),
    _demo(3 * _DAY, -3 * _DAY + _MINUTE, 0, outcome=NO_RECIPIENTS, label="Empty segment test"),
    _demo(
        8 * _DAY,
        -8 * _DAY + _HOUR,
        640,
        send_seconds=_MINUTE,
        service_code="economy",
        quirks=frozenset({"numbers_as_strings", "created_at_as_string", "extra_key"}),
        label="Legacy economy campaign",
    ),
    _demo(
        12 * _DAY,
        -12 * _DAY + _HOUR,
        1_200,
        send_seconds=_MINUTE,
        is_text_deleted=True,
        label="Spring survey (text deleted)",
    ),
)
"""The demo's bulks worth watching: (seconds since created, seconds to delivery, recipients,
the rest of the bulk), every time relative to when the demo starts (``ends_at`` too)."""


def _numbered(start: float, epoch: float, **defaults: Any) -> Callable[..., SimBulk]:
    """What makes a demo account's bulks: times relative to ``start``, ids numbered back from
    ``epoch`` in the order they are made (the same ids in every run), ``defaults`` for each."""
    numbers = iter(range(1, 1_000_000))

    def bulk(created_ago: float, delivery_in: float, recipients: int, **options: Any) -> SimBulk:
        number = next(numbers)
        return SimBulk(
            uuid=time_uuid(epoch - number * 3607.0, number),
            created_at=start - created_ago,
            delivery_at=start + delivery_in,
            recipients=recipients,
            **(defaults | options),
        )

    return bulk


def _at_start(options: dict[str, Any], start: float) -> dict[str, Any]:
    """A demo bulk's options with ``ends_at`` made absolute."""
    if "ends_at" not in options:
        return options
    return {**options, "ends_at": start + options["ends_at"]}


class SimulatedAccount:
    """The bulks of one simulated LOX24 account, by id, and its pre-paid balance, which goes
    down by what the bulks' messages cost as they are sent."""

    def __init__(
        self,
        bulks: Iterable[SimBulk] = (),
        *,
        currency: str = "EUR",
        services: tuple[str, ...] = ("direct", "text2speech", "text2speech_ssml"),
    ) -> None:
        self._bulks: dict[str, SimBulk] = {}
        self._unfeatured: set[str] = set()
        self.currency = currency
        self.services = services
        self.is_text_deleted = False
        self.opening_balance = Decimal("250.00")
        """The balance before any of its bulks sent anything."""
        self._funds_out_at: float | None = None
        self._funds_known = False
        """Whether ``_funds_out_at`` is up to date (adding or canceling a bulk changes it)."""
        for bulk in bulks:
            self.add(bulk)

    def set_balance(self, amount: Decimal, at: float) -> None:
        """Make the balance read ``amount`` at ``at``; it goes down from there as bulks send."""
        self.opening_balance = amount + sum((b.spent(at) for b in self), Decimal(0))
        self._funds_known = False

    def funds_out_at(self) -> float | None:
        """When the balance ran out (or will, as the bulks go on sending); None if it never
        does. From then on no message is sent: each gets 3000, not enough money."""
        if not self._funds_known:
            self._funds_out_at, self._funds_known = self._find_funds_out(), True
        return self._funds_out_at

    def _find_funds_out(self) -> float | None:
        def spent(when: float) -> Decimal:
            return sum((b.spent(when) for b in self), Decimal(0))

        if not self._bulks:
            return None
        low = min(b.created_at for b in self)
        high = max(b.delivery_at + b.send_seconds for b in self) + 1.0
        if spent(high) <= self.opening_balance:
            return None
        for _ in range(60):  # spending only grows with time: bisect to well under a second
            middle = (low + high) / 2
            low, high = (middle, high) if spent(middle) <= self.opening_balance else (low, middle)
        return low

    def balance(self, now: float) -> Decimal:
        out = self.funds_out_at()
        spent = sum((b.spent(now, out) for b in self), Decimal(0))
        return max(Decimal(0), self.opening_balance - spent).quantize(Decimal("0.0001"))

    def balance_changed_at(self, now: float) -> float | None:
        """When a message was last paid for: the latest change of a bulk that sent any, or
        when the balance ran out."""
        times = [at for code, sent, at in (b.state(now) for b in self) if sent and at is not None]
        latest = max(times, default=None)
        out = self.funds_out_at()
        if latest is not None and out is not None and out < latest:
            return out
        return latest

    def cancel(self, bulk: SimBulk, now: float) -> bool:
        """Cancel ``bulk`` (see :meth:`SimBulk.cancel`); what the account spends changes."""
        self._funds_known = False
        return bulk.cancel(now)

    def add(self, bulk: SimBulk, *, featured: bool = True) -> SimBulk:
        """Add ``bulk``; one not ``featured`` is left out of what demo mode watches."""
        self._bulks[bulk.uuid] = bulk
        if not featured:
            self._unfeatured.add(bulk.uuid)
        self._funds_known = False
        return bulk

    def get(self, bulk_id: str) -> SimBulk | None:
        return self._bulks.get(bulk_id)

    def __iter__(self) -> Iterator[SimBulk]:
        return iter(self._bulks.values())

    def __len__(self) -> int:
        return len(self._bulks)

    def newest_first(self) -> list[SimBulk]:
        return sorted(self._bulks.values(), key=lambda bulk: bulk.created_at, reverse=True)

    @classmethod
    def demo(cls, start: float, *, history: int = 60, seed: int = 24) -> SimulatedAccount:
        """A realistic account as it looks at ``start``: a dozen bulks worth watching, several of
        which change state within the first two minutes, and weeks of finished ones behind them.

        Its ids are the same in every run (a demo watch list stays valid across restarts, and the
        README can name one), while its times follow ``start``."""
        rng = random.Random(seed)
        bulk = _numbered(start, DEMO_ID_EPOCH)

        account = cls(
            [
                bulk(ago, delivery_in, recipients, **_at_start(options, start))
                for ago, delivery_in, recipients, options in _DEMO_WATCHED
            ]
        )
        for index in range(history):
            created_ago = 13 * _DAY + index * 7 * _HOUR + rng.uniform(0, 3 * _HOUR)
            outcome = rng.choices([PROCESSED, CANCELED, SYSTEM_ERROR], weights=[90, 7, 3])[0]
            account.add(
                bulk(
                    created_ago,
                    -created_ago + rng.uniform(60, 3600),
                    rng.randint(50, 20_000),
                    send_seconds=rng.uniform(30, 900),
                    outcome=outcome,
                    ends_at=start - created_ago + 30,
                    is_unicode=rng.random() < 0.2,
                    label=f"Campaign #{history - index}",
                    text=rng.choice(_HISTORY_TEXTS),
                )
            )
        # booked for next week and already priced by LOX24: not watched (it is found in the
        # account), yet the spend forecast counts it
        account.add(
            bulk(
                _HOUR,
                6 * _DAY,
                2_000,
                quirks=frozenset(SIZED_AND_PRICED),
                label="Next week's newsletter",
                text="Our new collection is here.",
            ),
            featured=False,
        )
        # runs out about five minutes in: a few messages get 3000, and the balance shows how low
        # it is
        account.set_balance(Decimal("370.00"), start)
        return account

    @classmethod
    def swiss_demo(cls, start: float, *, seed: int = 41) -> SimulatedAccount:
        """A second, smaller account in CHF beside the demo's (a shop's Swiss branch): its own
        ids (never one of the demo's), a bulk sending, one scheduled and priced, and a month of
        finished ones, so two accounts can be told apart side by side."""
        rng = random.Random(seed)
        bulk = _numbered(
            start,
            SWISS_ID_EPOCH,
            unit_price=Decimal("0.09"),
            countries=(("CH", 80), ("DE", 12), ("FR", 8)),
            sender_id="ShopCH",
        )

        account = cls(
            [
                bulk(
                    15 * _MINUTE,
                    -3 * _MINUTE,
                    3_000,
                    send_seconds=6 * _MINUTE,
                    label="Zürich store opening",
                    text="Grüezi! Neu in Zürich: 20% auf alles, nur heute.",
                ),
                bulk(
                    _HOUR,
                    2 * _DAY,
                    1_200,
                    quirks=frozenset(SIZED_AND_PRICED),
                    label="Geneva autumn sale (scheduled)",
                    text="Soldes d'automne à Genève dès demain.",
                ),
                bulk(
                    4 * _HOUR,
                    -4 * _HOUR,
                    800,
                    send_seconds=_MINUTE,
                    label="Basel loyalty codes",
                    text="Ihr Treuecode: 2411",
                ),
            ],
            currency="CHF",
        )
        for index in range(20):
            created_ago = 2 * _DAY + index * 30 * _HOUR + rng.uniform(0, 3 * _HOUR)
            account.add(
                bulk(
                    created_ago,
                    -created_ago + 600,
                    rng.randint(100, 4_000),
                    send_seconds=rng.uniform(30, 600),
                    label=f"Campaign #{20 - index}",
                    text=rng.choice(_HISTORY_TEXTS),
                )
            )
        account.set_balance(Decimal("180.00"), start)
        return account

    @classmethod
    def generated(
        cls,
        count: int,
        start: float,
        *,
        final_fraction: float = 0.0,
        seed: int = 7,
        messages: int | None = None,
        fields: str = "natural",
        pending_forever: float = 0.0,
    ) -> SimulatedAccount:
        """``count`` bulks for load tests: ``final_fraction`` of them long finished, the rest
        sending for the next hours; each of ``messages`` recipients (random up to 50,000 when
        None). ``fields`` of the bulks still sending: "natural" (counts grow as sending goes
        on, small bulks slowly), "changing" (the price grows every second, so every poll shows
        new figures) or "still" (every field stays as at ``start``, so polls
        find nothing new). ``pending_forever``: the fraction of every bulk's messages whose
        reports never come."""
        if fields not in FIELDS_MODES:
            raise ValueError(f"fields must be one of {', '.join(FIELDS_MODES)}")
        rng = random.Random(seed)
        account = cls()
        for index in range(count):
            created = start - rng.uniform(600, 7200)
            final = index < int(count * final_fraction)
            account.add(
                SimBulk(
                    uuid=time_uuid(created, index),
                    created_at=created,
                    delivery_at=created + 60,
                    recipients=(rng.randint(10, 50_000) if messages is None else messages)
                    * (1 if final or fields != "changing" else 100),
                    send_seconds=60 if final else 24 * 3600,
                    label=f"Bulk {index + 1}",
                    still_at=start if fields == "still" and not final else None,
                    pending_forever=pending_forever,
                )
            )
        account.set_balance(Decimal("1000000.00"), start)  # enough: load tests measure counts
        return account

    def watched_demo_ids(self) -> list[tuple[str, str]]:
        """(id, label) of the demo's featured bulks, newest first: what demo mode watches."""
        return [
            (b.uuid, b.label)
            for b in self.newest_first()
            if not b.label.startswith("Campaign #") and b.uuid not in self._unfeatured
        ]
