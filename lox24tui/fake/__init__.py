"""A simulated LOX24 API (an ASGI app) for the demo, the tests and the benchmarks.

Written from the API contract (lox24tui/api/CONTRACT.md), not from ``lox24tui.api``: it must be
able to catch a client model that misreads the contract, so it imports nothing from the client.
"""

from lox24tui.clock import Clock, SystemClock, VirtualClock
from lox24tui.fake.account import SimBulk, SimulatedAccount
from lox24tui.fake.app import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, LoggedRequest
from lox24tui.fake.faults import Fault, FaultKind

__all__ = [
    "FAKE_TOKEN",
    "SWISS_TOKEN",
    "Clock",
    "FakeLox24",
    "Fault",
    "FaultKind",
    "LoggedRequest",
    "SimBulk",
    "SimulatedAccount",
    "SystemClock",
    "VirtualClock",
]
