"""What LOX24 holds, read the long way (every message, the whole opt-out list), to check the
insight features' short ways against."""

from __future__ import annotations

from lox24tui.api import Lox24Client


async def every_message(client: Lox24Client, bulk_id: str) -> list[dict[str, object]]:
    found = []
    page: int | None = 1
    while page is not None:
        result = await client.list_messages(bulk_id, page=page)
        found.extend(result.raw_items)
        page = result.next_page if result.items else None
    return found


async def every_opt_out(client: Lox24Client) -> set[str]:
    found = set()
    page: int | None = 1
    while page is not None:
        result = await client.list_opt_outs(page=page)
        found |= {entry.number for entry in result.items if entry.number}
        page = result.next_page if result.items else None
    return found
