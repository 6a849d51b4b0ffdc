"""Several LOX24 accounts in one config: ``[accounts.NAME]`` tables, each with its server, where
its token is kept, a colour and a label; ``--account NAME`` (or ``LOX24TUI_ACCOUNT``) picks one
for a run.

An account's token is never written in the config: it names where the token is, an
environment variable, a file (readable by you only) or a keyring entry, so that the config can
be shared and every variable that holds a token is known, and withheld from alert commands.
Each account has its own watch list; the guard's refusal count, 429 window and outage state
stay per server (accounts on one server share them, as LOX24 blocks by IP), its proof per token.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from pydantic import BaseModel, ConfigDict, field_validator, model_validator
from rich.color import Color, ColorParseError

from lox24tui.api import DEFAULT_BASE_URL

NAME_PATTERN: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
"""An account's name: it names its watch-list file, so letters, digits, ``-`` and ``_``."""


def http_url(value: str) -> str:
    """A LOX24 base URL as lox24tui uses it: http(s), without a trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value.rstrip("/")


class AccountConfig(BaseModel):
    """One ``[accounts.NAME]`` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    api_url: str = DEFAULT_BASE_URL
    """The LOX24 server of this account."""
    token_env: str | None = None
    """The environment variable that holds its token."""
    token_file: Path | None = None
    """A file whose first line is its token."""
    keyring: str | None = None
    """The entry of the system keyring (service ``lox24tui``) that holds its token."""
    colour: str | None = None
    """How the dashboard marks its rows (a colour name or ``#rrggbb``)."""
    label: str | None = None
    """What people call it ("Shop EUR"); its name when unset."""

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url(value)

    @field_validator("colour")
    @classmethod
    def _a_colour(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                Color.parse(value)
            except ColorParseError:
                raise ValueError(
                    f'{value!r} is not a colour (a name like "cyan", or "#1e90ff")'
                ) from None
        return value

    @model_validator(mode="after")
    def _one_token_source(self) -> AccountConfig:
        given = [name for name in ("token_env", "token_file", "keyring") if getattr(self, name)]
        if len(given) != 1:
            both = f", not {' and '.join(given)}" if given else ""
            raise ValueError(
                "needs exactly one of token_env, token_file or keyring (where its token is; "
                f"the token itself never goes in the config){both}"
            )
        return self


def check_names(accounts: dict[str, AccountConfig]) -> dict[str, AccountConfig]:
    for name in accounts:
        if not NAME_PATTERN.match(name):
            raise ValueError(
                f"account name {name!r} must be lower-case letters, digits, - or _ "
                "(it names the account's watch-list file)"
            )
    return accounts


def read_account_token(
    name: str,
    account: AccountConfig,
    environ: Mapping[str, str],
    keyring_read: Callable[[str], str | None],
) -> tuple[str | None, str]:
    """(the token or None, where it comes from in words). Never raises for a missing token:
    the caller says there is none, with where it looked."""
    if account.token_env is not None:
        value = environ.get(account.token_env, "").strip()
        return value or None, f"the environment variable {account.token_env} (account {name})"
    if account.token_file is not None:
        path = account.token_file.expanduser()
        try:
            first = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None, f"{path} (account {name}), which cannot be read"
        return (first[0].strip() if first else None) or None, f"{path} (account {name})"
    assert account.keyring is not None
    assert callable(keyring_read)
    return keyring_read(
        account.keyring
    ), f"the system keyring entry {account.keyring!r} (account {name})"
