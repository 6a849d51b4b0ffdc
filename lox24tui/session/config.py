"""Settings from the config file and the environment; the only module that reads ``os.environ``.

Precedence: environment over the config file over defaults. The token comes from ``LOX24_TOKEN``,
the system keyring or the config file, in that order, never from a command-line argument (which
would land in shell history and ``ps``), and is held as a secret that never prints whole.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

import platformdirs
import tomlkit
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
)
from tomlkit.exceptions import TOMLKitError

from lox24tui.account.guard import REFUSED_ALLOWED
from lox24tui.account.side_budget import (
    DEFAULT_REQUESTS_PER_MINUTE as DEFAULT_SIDE_REQUESTS_PER_MINUTE,
)
from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.alerts.rules import AlertRule, unique_names
from lox24tui.api import DEFAULT_BASE_URL, Token
from lox24tui.engine.cadence import MIN_REFRESH_INTERVAL
from lox24tui.session.accounts import AccountConfig, check_names, http_url, read_account_token
from lox24tui.session.config_problems import describe, where
from lox24tui.session.notify import NotifyMode
from lox24tui.state.files import write_atomically

APP_NAME: Final = "lox24tui"
TOKEN_ENV: Final = "LOX24_TOKEN"
API_URL_ENV: Final = "LOX24_API_URL"
LOG_ENV: Final = "LOX24TUI_LOG"
ACCOUNT_ENV: Final = "LOX24TUI_ACCOUNT"
"""The ``[accounts.NAME]`` a run uses (``--account NAME`` sets it, so a child process, the
dashboard that ``serve`` starts, uses the same)."""


class ConfigError(Exception):
    """The config file cannot be used; the message says which file and why."""


@dataclass(frozen=True, slots=True)
class Locations:
    """Where lox24tui keeps its files (platformdirs; honours XDG_CONFIG_HOME, XDG_DATA_HOME and
    XDG_STATE_HOME)."""

    config_dir: Path
    data_dir: Path
    state_dir: Path
    account: str | None = None
    """The ``[accounts.NAME]`` in use: it has a watch list of its own (None: the default one)."""

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def watchlist_file(self) -> Path:
        """The watch list of the account in use: one per account, so lists never mix."""
        if self.account is not None:
            return self.data_dir / f"watchlist-{self.account}.json"
        return self.data_dir / "watchlist.json"

    @property
    def guard_file(self) -> Path:
        """What every lox24tui process on this machine shares about LOX24 (guard.py): refused
        requests, the 429 window, whether LOX24 is reachable, which tokens are proven."""
        return self.state_dir / "account-guard.json"

    @property
    def preferences_file(self) -> Path:
        """What the dashboard remembers of the person's choices (theme, sort, pane)."""
        return self.state_dir / "preferences.json"

    @property
    def demo_preferences_file(self) -> Path:
        return self.state_dir / "demo-preferences.json"

    @property
    def history_file(self) -> Path:
        """Every status change any lox24tui process saw (history.py): a state file, not a
        setting, so it lives under XDG_STATE_HOME."""
        return self.state_dir / "history.sqlite3"

    @property
    def demo_history_file(self) -> Path:
        """Demo mode's own history, so the simulated bulks never mix with the user's."""
        return self.state_dir / "demo-history.sqlite3"

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
            account=account_in_use(),
        )


def account_in_use(environ: Mapping[str, str] | None = None) -> str | None:
    """The account a run uses (``--account``, ``LOX24TUI_ACCOUNT``), or None: the default."""
    environ = os.environ if environ is None else environ
    return environ.get(ACCOUNT_ENV, "").strip() or None


def use_account(name: str) -> None:
    """``--account NAME``: this run, and every process it starts, uses that account."""
    os.environ[ACCOUNT_ENV] = name


def below_low_balance(balance: Decimal | None, threshold: Decimal) -> bool:
    """The one rule for a low balance (``low_balance``): a threshold of 0 never warns, and a
    balance not known yet is not low."""
    return bool(threshold) and balance is not None and balance < threshold


class Settings(BaseModel):
    """Everything a user can set. In the config file each field is a top-level key."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    token: SecretStr | None = None
    """The LOX24 API token (``LOX24_TOKEN`` overrides it)."""
    api_url: str = DEFAULT_BASE_URL
    """Base URL of the LOX24 API (``LOX24_API_URL`` overrides it)."""
    interval: float = Field(10.0, ge=MIN_REFRESH_INTERVAL)
    """Seconds between two refreshes of a bulk that can still change."""
    concurrency: int = Field(REFUSED_ALLOWED, ge=1, le=64)
    """Requests in flight at once at the most. Above 3, a key revoked mid-burst may cost that
    many refused requests, and LOX24 blocks the IP after the fourth (guard.concurrency_warning)."""
    timeout: float = Field(10.0, gt=0, le=60)
    """Seconds to wait for one response; at most 60, so that the one probe of an unreachable
    LOX24 holds its slot in the shared guard file for no longer than every process allows."""
    theme: str = "textual-dark"
    """The dashboard's Textual theme."""
    bell: bool = False
    """Ring the terminal bell when a bulk reaches a final state."""
    archive_after: float = Field(24.0, ge=0)
    """Hours after which a finished bulk leaves the table (A shows it again); 0 keeps them."""
    auto_watch: bool = False
    """Watch every bulk created in the account while the dashboard runs."""
    keys: dict[str, str] = Field(default_factory=dict)
    """The ``[keys]`` table: binding id → key(s), e.g. ``"main.add" = "plus"`` (README, "Your
    own keys"). Checked against the dashboard's bindings when it starts."""
    notify: NotifyMode = NotifyMode.TERMINAL
    """Where notices (a bulk finished, failed, was canceled; the balance is low) go: "terminal"
    (an OSC 9 notification, which also works over SSH), "desktop", "both" or "off"."""
    history_days: int = Field(90, ge=1)
    """Days of status history kept; older changes are trimmed."""

    @field_validator("keys")
    @classmethod
    def _keys_named(cls, value: dict[str, str]) -> dict[str, str]:
        for binding_id, keys in value.items():
            if not keys.strip():
                raise ValueError(f'{binding_id!r} needs a key, e.g. {binding_id!r} = "ctrl+a"')
        return value

    delivery: bool = True
    """Count each bulk's messages by delivery outcome in the dashboard (a recount asks first in
    one request; the breakdown, at most 7 more, only when that moved). ``status`` counts only
    with ``--delivery``."""
    delivery_interval: float = Field(60.0, ge=MIN_SIDE_INTERVAL)
    """Seconds between two delivery counts of a bulk that can still change; a count that did
    not move waits twice as long each time, up to an hour."""
    account_interval: float = Field(300.0, ge=MIN_SIDE_INTERVAL)
    """Seconds between two looks at the account's balance."""
    side_requests_per_minute: int = Field(DEFAULT_SIDE_REQUESTS_PER_MINUTE, ge=1, le=600)
    """Requests a minute that side work (delivery counts, the balance, auto-watch) may send
    at the most, together; status checks come first and are not counted."""
    low_balance: Decimal = Field(Decimal(0), ge=0)
    """Warn when the balance falls below this, in the account's currency (0: never)."""
    read_only: bool = False
    """Change nothing at LOX24: every action that writes (cancel) is refused. The watch list,
    which is local, still changes. The ``--read-only`` flag sets it for one run."""
    alerts: tuple[AlertRule, ...] = ()
    """The ``[[alerts]]`` tables: what to do when a condition holds (:mod:`lox24tui.alerts`)."""
    accounts: dict[str, AccountConfig] = Field(default_factory=dict)
    """The ``[accounts.NAME]`` tables (:mod:`lox24tui.session.accounts`); none: one account, as
    ``token`` and ``api_url`` say."""

    @field_validator("accounts")
    @classmethod
    def _accounts_named(cls, value: dict[str, AccountConfig]) -> dict[str, AccountConfig]:
        return check_names(value)

    @property
    def token_variables(self) -> frozenset[str]:
        """Every environment variable that may hold a token: withheld from alert commands."""
        named = {a.token_env for a in self.accounts.values() if a.token_env is not None}
        return frozenset({TOKEN_ENV, *named})

    @field_validator("alerts")
    @classmethod
    def _alerts_named_once(cls, value: tuple[AlertRule, ...]) -> tuple[AlertRule, ...]:
        return unique_names(value)

    @field_validator("token")
    @classmethod
    def _usable_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip():
            Token(value.get_secret_value())  # raises ValueError, which never shows the value
        return value

    @field_validator("api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return http_url(value)

    _token_source: str | None = PrivateAttr(default=None)
    _account: str | None = PrivateAttr(default=None)

    @property
    def account(self) -> str | None:
        """The ``[accounts.NAME]`` this run uses (None: the default account)."""
        return self._account

    @account.setter
    def account(self, name: str | None) -> None:
        self._account = name

    @property
    def account_label(self) -> str | None:
        """What people call the account in use (its label, else its name); None: the default."""
        if self._account is None:
            return None
        config = self.accounts.get(self._account)
        return (config.label if config is not None else None) or self._account

    @property
    def token_source(self) -> str | None:
        """Where the token came from, for a person: the environment variable, the system
        keyring, or the config file and its line (None: given in code)."""
        return self._token_source

    @token_source.setter
    def token_source(self, source: str | None) -> None:
        self._token_source = source

    @property
    def api_token(self) -> Token | None:
        """The token as the client takes it (knowing where it came from), or None."""
        if self.token is None or not self.token.get_secret_value().strip():
            return None
        return Token(self.token.get_secret_value(), source=self._token_source)


def inside_tmux(environ: Mapping[str, str] | None = None) -> bool:
    """Whether lox24tui runs inside tmux, which passes terminal notifications on only when they
    are wrapped for it (lox24tui.session.notify)."""
    environ = os.environ if environ is None else environ
    return bool(environ.get("TMUX"))


@dataclass(frozen=True, slots=True)
class SavedToken:
    """Where :func:`save_token` put the token: the system keyring, or the config file."""

    keyring: str | None
    """The keyring's name (e.g. ``SecretService``), or None when the file took the token."""
    path: Path | None
    """The config file, or None when the keyring took the token."""

    @property
    def sentence(self) -> str:
        """``saved in …``, for a person: which keyring, or which file and who can read it."""
        if self.keyring is not None:
            return f"saved in the system keyring ({self.keyring})"
        return f"saved in {self.path} (readable by you only)"

    def __str__(self) -> str:
        return f"the system keyring ({self.keyring})" if self.keyring else str(self.path)


def save_token(token: str, locations: Locations | None = None) -> SavedToken:
    """Store the token in the system keyring where there is one, else in the config file.

    In the keyring, a token already in the config file is taken out of it (the keyring wins at
    loading anyway, and a stale secret should not stay on disk). In the file, the rest of it
    stays as the person wrote it (comments, order, ``[[alerts]]`` and every table), and the
    file is made readable by its owner only (0600), since it holds a secret.
    """
    from lox24tui.account.keyring_store import write_token

    locations = locations or Locations.default()
    path = locations.config_file
    token = token.strip()
    keyring = write_token(token)
    if keyring is not None:
        try:
            document = _config_document(path, "the token was saved in the keyring")
        except ConfigError:
            return SavedToken(keyring, None)
        if "token" in document:
            del document["token"]
            write_atomically(path, tomlkit.dumps(document), mode=0o600)
        return SavedToken(keyring, None)
    document = _config_document(path, "the token was not saved")
    document["token"] = token  # a new top-level key goes before the first table, as it must
    write_atomically(path, tomlkit.dumps(document), mode=0o600)
    return SavedToken(None, path)


def _config_document(path: Path, consequence: str) -> tomlkit.TOMLDocument:
    """The config file as written, to change a key and keep the rest (an empty one when there
    is no file); ConfigError when it cannot be read."""
    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, TOMLKitError) as exc:
        raise ConfigError(f"{path} cannot be read, so {consequence}: {exc}") from None


def where_set(key: str, locations: Locations | None = None) -> str:
    """Where the config file sets ``key``: "<file>, line N" (the file alone when the line is not
    found or the file cannot be read), for a message about that setting."""
    path = (locations or Locations.default()).config_file
    try:
        text: str | None = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = None
    return where(path, text, (key,))


def log_file(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where ``LOX24TUI_LOG`` asks for the debug log (``--log`` overrides it), or None."""
    environ = os.environ if environ is None else environ
    value = environ.get(LOG_ENV, "").strip()
    return Path(value).expanduser() if value else None


def load_settings(
    locations: Locations | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Read the config file (if any), then apply the environment on top. A ConfigError says,
    in lox24tui's words, which setting is wrong and where: the file and line, or the variable."""
    locations = locations or Locations.default()
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    path = locations.config_file
    text: str | None = None
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
            values.update(tomllib.loads(text))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path} cannot be read: {exc}") from None
    from_environment: dict[str, str] = {}
    token_source = where(path, text, ("token",)) if "token" in values else None
    if environ.get(TOKEN_ENV, "").strip():
        values["token"] = environ[TOKEN_ENV].strip()
        token_source = f"the environment variable {TOKEN_ENV}"
    else:
        from lox24tui.account.keyring_store import read_token

        stored = read_token()
        if stored is not None:
            values["token"] = stored
            token_source = "the system keyring"
    if environ.get(API_URL_ENV, "").strip():
        values["api_url"] = environ[API_URL_ENV].strip()
        from_environment["api_url"] = API_URL_ENV
    token = values.pop("token", None)
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        problems = describe(
            exc.errors(include_input=False),
            path,
            text,
            known=Settings.model_fields,
            from_environment=from_environment,
            known_in={"alerts": AlertRule.model_fields},
        )
        raise ConfigError(problems) from None
    account = account_in_use(environ)
    if account is not None:
        return _with_account(settings, account, path, environ)
    if token is None:
        return settings
    if not isinstance(token, str):
        raise ConfigError(
            f'{token_source}: token must be text in quotes, like "1234567:e3f3a759…".'
        )
    _take_token(settings, token, token_source)
    return settings


def _take_token(settings: Settings, token: str | None, source: str | None) -> None:
    """Give ``settings`` the token from ``source``, refused in our words when it cannot be a
    token (never with its value: it is a secret)."""
    if token is not None:
        try:
            settings.token = SecretStr(token)
        except ValidationError as exc:  # Token's own words
            why = exc.errors(include_input=False)[0]["msg"].removeprefix("Value error, ")
            raise ConfigError(f"the token in {source} cannot be used: {why}.") from None
    settings.token_source = source


def settings_of_account(name: str, locations: Locations | None = None) -> Settings:
    """The settings as ``--account NAME`` gives them, whichever account this run uses."""
    environ = {**os.environ, ACCOUNT_ENV: name}
    return load_settings(locations, environ)


def _with_account(
    settings: Settings, name: str, path: Path, environ: Mapping[str, str]
) -> Settings:
    """The settings of ``[accounts.NAME]``: its server and its token, from where it says (never
    ``LOX24_TOKEN``, the default keyring entry or ``token``, which are the default account's)."""
    from lox24tui.account.keyring_store import read_token

    account = settings.accounts.get(name)
    if account is None:
        known = ", ".join(sorted(settings.accounts)) or "none"
        raise ConfigError(
            f"there is no account called {name!r} in {path} (its accounts: {known}); "
            f"add an [accounts.{name}] table, or pick another with --account."
        )
    token, source = read_account_token(name, account, environ, read_token)
    settings = settings.model_copy(update={"api_url": account.api_url, "token": None})
    _take_token(settings, token, source)
    settings.account = name
    return settings
