"""Settings from the config file and the environment; the only module that reads ``os.environ``.

Precedence: environment over the config file over defaults. The token comes from ``LOX24_TOKEN``
or the config file, never from a command-line argument (which would land in shell history and
``ps``), and is held as a secret that never prints whole.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from lox24tui.api import DEFAULT_BASE_URL, Token
from lox24tui.files import write_atomically

APP_NAME: Final = "lox24tui"
TOKEN_ENV: Final = "LOX24_TOKEN"
API_URL_ENV: Final = "LOX24_API_URL"
MIN_INTERVAL: Final = 2.0
MIN_DELIVERY_INTERVAL: Final = 30.0
"""A delivery count costs up to seven requests per bulk: not more often than this."""


class ConfigError(Exception):
    """The config file cannot be used; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class Locations:
    """Where lox24tui keeps its files (platformdirs; honours XDG_CONFIG_HOME, XDG_DATA_HOME and
    XDG_STATE_HOME)."""

    config_dir: Path
    data_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def watchlist_file(self) -> Path:
        return self.data_dir / "watchlist.json"

    @property
    def guard_file(self) -> Path:
        """What every lox24tui process on this machine shares about LOX24 (guard.py): refused
        requests, the 429 window, whether LOX24 is reachable, which tokens are proven."""
        return self.state_dir / "account-guard.json"

    @property
    def demo_watchlist_file(self) -> Path:
        """Demo mode keeps its own list, so trying the demo never touches the real one."""
        return self.data_dir / "demo-watchlist.json"

    @classmethod
    def default(cls) -> Locations:
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
            state_dir=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
        )


class Settings(BaseModel):
    """Everything a user can set. In the config file each field is a top-level key."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    token: SecretStr | None = None
    """The LOX24 API token (``LOX24_TOKEN`` overrides it)."""
    api_url: str = DEFAULT_BASE_URL
    """Base URL of the LOX24 API (``LOX24_API_URL`` overrides it)."""
    interval: float = Field(10.0, ge=MIN_INTERVAL)
    """Seconds between two refreshes of a bulk that can still change."""
    concurrency: int = Field(8, ge=1, le=64)
    """Requests in flight at once at the most."""
    timeout: float = Field(10.0, gt=0)
    """Seconds to wait for one response."""
    theme: str = "textual-dark"
    """The dashboard's Textual theme."""
    bell: bool = False
    """Ring the terminal bell when a bulk reaches a final state."""
    delivery: bool = True
    """Count each bulk's messages by delivery outcome (at most 7 requests per bulk each time)."""
    delivery_interval: float = Field(60.0, ge=MIN_DELIVERY_INTERVAL)
    """Seconds between two delivery counts of a bulk that can still change."""
    account_interval: float = Field(300.0, ge=MIN_DELIVERY_INTERVAL)
    """Seconds between two looks at the account's balance."""
    low_balance: Decimal = Field(Decimal(0), ge=0)
    """Warn when the balance falls below this, in the account's currency (0: never)."""
    read_only: bool = False
    """Change nothing at LOX24: every action that writes (cancel) is refused. The watch list,
    which is local, still changes. The ``--read-only`` flag sets it for one run."""

    @field_validator("token")
    @classmethod
    def _usable_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            Token(value.get_secret_value())  # raises ValueError, which never shows the value
        return value

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @property
    def api_token(self) -> Token | None:
        """The token as the client takes it, or None when there is none."""
        if self.token is None or not self.token.get_secret_value().strip():
            return None
        return Token(self.token.get_secret_value())


def save_token(token: str, locations: Locations | None = None) -> Path:
    """Store the token in the config file, keeping its other keys; the file is made readable
    by its owner only (0600), since it now holds a secret."""
    locations = locations or Locations.default()
    path = locations.config_file
    values: dict[str, object] = {}
    if path.exists():
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path} cannot be read, so the token was not saved: {exc}") from None
    values["token"] = token.strip()
    write_atomically(path, _to_toml(values), mode=0o600)
    return path


def _to_toml(values: Mapping[str, object]) -> str:
    """A flat table of scalars, which is all the config file holds."""
    lines = []
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, int | float):
            text = repr(value)
        elif isinstance(value, str):
            text = json.dumps(value, ensure_ascii=False)
        else:
            raise ConfigError(f"the config key {key!r} holds a value lox24tui cannot write back")
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def load_settings(
    locations: Locations | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file (if any), then apply the environment on top."""
    locations = locations or Locations.default()
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    path = locations.config_file
    if path.exists():
        try:
            values.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}") from None
    if environ.get(TOKEN_ENV, "").strip():
        values["token"] = environ[TOKEN_ENV].strip()
    if environ.get(API_URL_ENV, "").strip():
        values["api_url"] = environ[API_URL_ENV].strip()
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}"
            for err in exc.errors(include_input=False)
        )
        raise ConfigError(f"invalid settings ({path} or environment): {problems}") from None
