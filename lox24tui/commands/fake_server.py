"""``lox24tui fake-server``: the simulated LOX24 on a real port, for trying the CLI by hand."""

from __future__ import annotations

import time

from lox24tui.exit_codes import ExitCode
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import run


def run_fake_server(
    *,
    host: str,
    port: int,
    latency: float,
    bulks: int | None,
    final_fraction: float,
    messages: int | None = None,
    fields: str = "natural",
    pending_forever: float = 0.0,
) -> int:
    now = time.time()
    if bulks is not None:
        account = SimulatedAccount.generated(
            bulks,
            now,
            final_fraction=final_fraction,
            messages=messages,
            fields=fields,
            pending_forever=pending_forever,
        )
    else:
        account = SimulatedAccount.demo(now)
    app = FakeLox24(account, latency=latency)
    url = f"http://{host}:{port}"
    print(f"Fake LOX24 serving {len(account)} simulated bulks on {url}")
    print("It accepts only this token (not a secret: it opens nothing but this fake):\n")
    print(f"  export LOX24_API_URL={url}")
    print(f"  export LOX24_TOKEN={FAKE_TOKEN}\n")
    featured = account.watched_demo_ids()[:6] if bulks is None else []
    if featured:
        print("Some of its bulks:")
        for bulk_id, label in featured:
            print(f"  {bulk_id}  {label}")
        print(f"\nTry: lox24tui status {featured[0][0]}\n")
    print("Ctrl+C stops it.", flush=True)
    run(app, host=host, port=port)
    return ExitCode.OK
