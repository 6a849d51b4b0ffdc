"""Several accounts in one config: ``[accounts.NAME]`` checked with clear words, ``--account``
picking the server, the token and the watch list of one of them for any command, the lists never
mixing, and every variable an account names as its token kept out of alert commands."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.fake import FAKE_TOKEN, SWISS_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import ConfigError, Locations, load_settings
from lox24tui.state.store import WatchList
from tests.cli_process import WRONG, cli_env, lox24tui
from tests.lines import running

from .conftest import write_config

OTHER_TOKEN = "7654321:" + "7" * 32
"""The second account's token (the second fake accepts only it)."""


def refused(text: str, environ: dict[str, str] | None = None) -> str:
    write_config(text)
    with pytest.raises(ConfigError) as caught:
        load_settings(environ=environ or {})
    return " ".join(str(caught.value).split())


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[FakeLox24, str, FakeLox24, str]]:
    """Two LOX24 servers on loopback, each with its own token: the EUR and the CHF account."""
    eur = FakeLox24(SimulatedAccount.demo(0))
    chf = FakeLox24(SimulatedAccount.demo(0, seed=5), token=OTHER_TOKEN)
    chf.account.currency = "CHF"
    with serve_in_thread(eur) as eur_url, serve_in_thread(chf) as chf_url:
        yield eur, eur_url, chf, chf_url


@pytest.fixture
def configured(
    two_servers: tuple[FakeLox24, str, FakeLox24, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[FakeLox24, FakeLox24]:
    """The two servers as the accounts shop (token in SHOP_TOKEN) and swiss (in a file)."""
    eur, eur_url, chf, chf_url = two_servers
    token_file = tmp_path / "swiss.token"
    token_file.write_text(OTHER_TOKEN + "\n", encoding="utf-8")
    monkeypatch.setenv("SHOP_TOKEN", FAKE_TOKEN)
    accounts_config(eur_url, chf_url, token_file)
    return eur, chf


def accounts_config(eur_url: str, chf_url: str, token_file: Path) -> None:
    write_config(
        f"""
        [accounts.shop]
        api_url = "{eur_url}"
        token_env = "SHOP_TOKEN"
        colour = "cyan"
        label = "Shop EUR"

        [accounts.swiss]
        api_url = "{chf_url}"
        token_file = "{token_file}"
        colour = "#ff00ff"
        """
    )


def test_an_account_needs_exactly_one_place_for_its_token() -> None:
    said = refused('[accounts.shop]\napi_url = "https://api.lox24.eu"\n')
    assert "config.toml, line 1" in said and "accounts.shop" in said
    assert "needs exactly one of token_env, token_file or keyring" in said
    said = refused('[accounts.shop]\ntoken_env = "A"\nkeyring = "shop"\n')
    assert "not token_env and keyring" in said


def test_an_account_is_refused_for_a_bad_name_colour_or_setting() -> None:
    assert "must be lower-case letters, digits, - or _ (it names the account's watch-list " in (
        refused('[accounts."Shop EUR"]\ntoken_env = "A"\n')
    )
    assert "'blurple' is not a colour" in refused(
        '[accounts.shop]\ntoken_env = "A"\ncolour = "blurple"\n'
    )
    said = refused('[accounts.shop]\ntoken_env = "A"\ntoken = "1234567:abc"\n')
    assert "token" in said and "config.toml, line 3" in said


def test_an_account_s_server_is_written_as_it_is_used() -> None:
    write_config('[accounts.shop]\napi_url = "https://lox24.example/api/"\ntoken_env = "A"\n')
    settings = load_settings(environ={"LOX24TUI_ACCOUNT": "shop", "A": FAKE_TOKEN})
    assert settings.api_url == "https://lox24.example/api" and settings.account == "shop"
    assert "must start with http:// or https://" in refused(
        '[accounts.shop]\napi_url = "lox24.example"\ntoken_env = "A"\n'
    )


def test_an_unknown_account_names_the_ones_there_are() -> None:
    write_config('[accounts.shop]\ntoken_env = "A"\n[accounts.swiss]\ntoken_env = "B"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={"LOX24TUI_ACCOUNT": "shpo"})
    assert "no account called 'shpo'" in str(caught.value)
    assert "(its accounts: shop, swiss)" in str(caught.value)


def test_each_account_uses_its_own_server_and_token(
    configured: tuple[FakeLox24, FakeLox24], monkeypatch: pytest.MonkeyPatch
) -> None:
    eur, chf = configured
    # LOX24_TOKEN is the default account's: an account never takes it
    shop = lox24tui("--account", "shop", "account", "--json", token="1234567:" + "0" * 32)
    assert shop.returncode == 0, shop.stderr
    assert json.loads(shop.stdout)["currency"] == "EUR"
    swiss = lox24tui("--account", "swiss", "account", "--json", token=None)
    assert swiss.returncode == 0, swiss.stderr
    assert json.loads(swiss.stdout)["currency"] == "CHF"
    assert [e.authorized for e in eur.log if e.path == "/me"] == [True]
    assert [e.authorized for e in chf.log if e.path == "/me"] == [True]
    monkeypatch.delenv("SHOP_TOKEN")
    missing = lox24tui("--account", "shop", "account", token=None)
    assert missing.returncode == 2 and "SHOP_TOKEN" in missing.stderr


def test_the_watch_lists_of_two_accounts_never_mix(
    configured: tuple[FakeLox24, FakeLox24],
) -> None:
    eur, chf = configured
    shop_id = eur.account.watched_demo_ids()[0][0]
    swiss_id = chf.account.watched_demo_ids()[1][0]
    assert lox24tui("--account", "shop", "watch", "add", shop_id).returncode == 0
    assert lox24tui("--account", "swiss", "watch", "add", swiss_id).returncode == 0
    listed = {
        name: lox24tui("--account", name, "watch", "list", token=None).stdout.split()
        for name in ("shop", "swiss")
    }
    assert listed == {"shop": [shop_id], "swiss": [swiss_id]}
    assert lox24tui("watch", "list", token=None).stdout == ""  # the default account's list
    status = lox24tui("--account", "swiss", "status", "--json", swiss_id, token=None)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout.splitlines()[0])["uuid"] == swiss_id


def sending_bulk(fake: FakeLox24, tail: int) -> str:
    """A bulk that sends for the next hour: its status is checked at every interval."""
    now = time.time()
    bulk = SimBulk(time_uuid(now - 600, tail), now - 600, now - 60, 5_000, send_seconds=3600)
    fake.account.add(bulk)
    return bulk.uuid


def watch_list_of(account: str, bulk_id: str) -> None:
    locations = dataclasses.replace(Locations.default(), account=account)
    WatchList(locations.watchlist_file).add_many([(bulk_id, account)])


def wait_until(condition: Callable[[], bool], what: str, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while not condition():
        assert time.monotonic() < end, what
        time.sleep(0.05)


def most_refused_in_a_minute(fake: FakeLox24) -> int:
    """The most refused requests LOX24 saw within any 65 s: above 3, it blocks the IP."""
    times = sorted(entry.at for entry in fake.log if entry.status in (401, 403))
    return max((sum(1 for t in times if s <= t < s + 65) for s in times), default=0)


def checked_every_2_s(**servers: str) -> None:
    """A config of these accounts, each on its server with its token in NAME_TOKEN."""
    accounts = (
        f'[accounts.{name}]\napi_url = "{url}"\ntoken_env = "{name.upper()}_TOKEN"\n'
        for name, url in servers.items()
    )
    write_config("interval = 2\n" + "".join(accounts))


@pytest.mark.waits
def test_a_refused_account_stops_alone_and_the_other_on_its_server_goes_on() -> None:
    fake = FakeLox24(SimulatedAccount())
    fake.account.set_balance(Decimal("1000"), time.time())
    good_bulk, bad_bulk = sending_bulk(fake, 1), sending_bulk(fake, 2)
    with serve_in_thread(fake) as url:
        checked_every_2_s(good=url, bad=url)
        watch_list_of("good", good_bulk)
        watch_list_of("bad", bad_bulk)
        env = cli_env(None, None) | {"GOOD_TOKEN": FAKE_TOKEN, "BAD_TOKEN": WRONG}

        def checks(bulk_id: str) -> list[float]:
            path = f"/bulks/{bulk_id}/status"
            return [e.at for e in fake.log if e.path == path and e.status == 200]

        with (
            running("--account", "bad", "monitor", env=env) as bad,
            running("--account", "good", "monitor", env=env) as good,
        ):
            bad.stderr.wait_for_line("tried again in 15 min, alone")
            refused_at = max(e.at for e in fake.log if e.status == 401)
            wait_until(
                lambda: len([at for at in checks(good_bulk) if at > refused_at]) >= 3,
                "the good account stopped refreshing when the other's token was refused",
            )
            assert good.process.poll() is None and bad.process.poll() is None
        assert checks(bad_bulk) == []  # every request of the refused token was refused
        assert most_refused_in_a_minute(fake) <= 3
        assert [e.status for e in fake.log if not e.authorized] == [401]  # one, then none


def test_an_unreachable_server_holds_back_only_its_own_account(tmp_path: Path) -> None:
    fake = FakeLox24(SimulatedAccount())
    fake.account.set_balance(Decimal("1000"), time.time())
    good_bulk = sending_bulk(fake, 1)
    with socket.socket() as unused:  # a port nothing listens on: refused at once
        unused.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with serve_in_thread(fake) as url:
        checked_every_2_s(here=url, gone=gone)
        watch_list_of("here", good_bulk)
        watch_list_of("gone", good_bulk.replace("-8001-", "-8002-"))
        env = cli_env(None, None) | {"HERE_TOKEN": FAKE_TOKEN, "GONE_TOKEN": FAKE_TOKEN}
        with (
            running("--account", "gone", "monitor", env=env) as down,
            running("--account", "here", "monitor", env=env) as up,
        ):
            down.stderr.wait_for_line("LOX24 unreachable since")
            seen = len(fake.log)
            wait_until(
                lambda: sum(1 for e in fake.log[seen:] if e.status == 200) >= 3,
                "the reachable account stopped refreshing while the other server was down",
            )
            assert "LOX24 unreachable" not in up.stderr.text


def test_accounts_lists_each_account_offline_with_its_token_masked(
    configured: tuple[FakeLox24, FakeLox24], monkeypatch: pytest.MonkeyPatch
) -> None:
    eur, chf = configured
    shop_id = eur.account.watched_demo_ids()[0][0]
    assert lox24tui("--account", "shop", "watch", "add", shop_id).returncode == 0
    before = len(eur.log) + len(chf.log)
    listed = lox24tui("accounts", token=None)
    assert listed.returncode == 0, listed.stderr
    text = listed.stdout
    assert "● shop  Shop EUR" in text and "● swiss" in text and "● (default)" in text
    assert "1234567:0a1b…, from the environment variable SHOP_TOKEN (account shop)" in text
    assert FAKE_TOKEN not in text and OTHER_TOKEN not in text  # masked, never whole
    assert "1 bulk (" in text and "watchlist-shop.json" in text
    rows = [json.loads(line) for line in lox24tui("accounts", "--json").stdout.splitlines()]
    assert [(r["name"], r["watched"], r["colour"]) for r in rows] == [
        ("(default)", 0, None),
        ("shop", 1, "cyan"),
        ("swiss", 0, "#ff00ff"),
    ]
    assert len(eur.log) + len(chf.log) == before  # no request went out
    monkeypatch.setenv("SHOP_TOKEN", "1234567:not-a-token")
    broken = lox24tui("accounts", token=None)
    assert broken.returncode == 0  # one unusable token does not hide the others
    assert "unusable: the token in the environment variable SHOP_TOKEN" in broken.stdout
    assert "not-a-token" not in broken.stdout and "7654321:7777…" in broken.stdout


def test_two_accounts_on_one_server_each_see_their_own_bulks_and_currency(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = time.time()
    swiss = SimulatedAccount.swiss_demo(now)
    fake = FakeLox24(SimulatedAccount.demo(now), more_accounts={SWISS_TOKEN: swiss})
    with serve_in_thread(fake) as url:
        write_config(
            f'[accounts.shop]\napi_url = "{url}"\ntoken_env = "SHOP_TOKEN"\n'
            f'[accounts.swiss]\napi_url = "{url}"\ntoken_env = "SWISS_TOKEN"\n'
        )
        monkeypatch.setenv("SHOP_TOKEN", FAKE_TOKEN)
        monkeypatch.setenv("SWISS_TOKEN", SWISS_TOKEN)
        listed = {
            name: lox24tui("--account", name, "bulks", "--json", token=None)
            for name in ("shop", "swiss")
        }
        ids = {
            name: {json.loads(line)["uuid"] for line in done.stdout.splitlines()}
            for name, done in listed.items()
        }
        assert ids["swiss"] and not ids["swiss"] & ids["shop"]  # never each other's
        assert ids["swiss"] <= {bulk.uuid for bulk in swiss}
        people = lox24tui("--account", "swiss", "bulks", token=None).stdout
        spend = lox24tui("--account", "swiss", "account", token=None).stdout
        sending = next(b.uuid for b in swiss if b.label == "Zürich store opening")
        counted = lox24tui("--account", "swiss", "status", "--delivery", sending, token=None)
        assert counted.returncode == 0, counted.stderr  # its messages are there to count
    assert "Zürich store opening" not in people  # labels are ours, not LOX24's
    assert "EUR" not in people and "EUR" not in spend  # an amount is never given a currency
    assert next(line for line in spend.splitlines() if "balance" in line).endswith(" CHF")
    assert "1 scheduled bulk needs 108.00 CHF" in spend


def test_an_account_s_token_is_read_from_where_its_table_says(tmp_path: Path) -> None:
    from lox24tui.session.accounts import AccountConfig, read_account_token

    def keyring(entry: str) -> str | None:
        return {"swiss": OTHER_TOKEN}.get(entry)

    by_env = AccountConfig(token_env="SHOP_TOKEN")
    assert read_account_token("shop", by_env, {"SHOP_TOKEN": f" {FAKE_TOKEN}\n"}, keyring) == (
        FAKE_TOKEN,
        "the environment variable SHOP_TOKEN (account shop)",
    )
    assert read_account_token("shop", by_env, {"SHOP_TOKEN": "  "}, keyring)[0] is None
    assert read_account_token("shop", by_env, {}, keyring)[0] is None
    file = tmp_path / "swiss.token"
    by_file = AccountConfig(token_file=file)
    assert read_account_token("swiss", by_file, {}, keyring) == (
        None,
        f"{file} (account swiss), which cannot be read",
    )
    file.write_text(f"{OTHER_TOKEN}\nsecond line\n", encoding="utf-8")
    assert read_account_token("swiss", by_file, {}, keyring) == (
        OTHER_TOKEN,
        f"{file} (account swiss)",
    )
    file.write_text("", encoding="utf-8")
    assert read_account_token("swiss", by_file, {}, keyring)[0] is None
    by_keyring = AccountConfig(keyring="swiss")
    assert read_account_token("swiss", by_keyring, {}, keyring) == (
        OTHER_TOKEN,
        "the system keyring entry 'swiss' (account swiss)",
    )
    assert read_account_token("x", AccountConfig(keyring="x"), {}, keyring)[0] is None
