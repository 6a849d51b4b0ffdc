"""The token in the system keyring where there is one, in the 0600 config file where there is
none or it fails; and which one wins when loading."""

from __future__ import annotations

import stat
import textwrap
from collections.abc import Iterator

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked

from lox24tui.account.keyring_store import ACCOUNT, SERVICE
from lox24tui.session.config import ConfigError, Locations, load_settings, save_token

from .conftest import write_config

SECRET = "7654321:c0ffee00c0ffee00c0ffee00c0ffee00"
OLDER = "1111111:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this test."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but refuses every use (locked, or its D-Bus gone)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend


def token_loaded(environ: dict[str, str] | None = None) -> str | None:
    token = load_settings(environ=environ or {}).api_token
    return token.reveal() if token else None


def test_the_keyring_takes_the_token_and_says_so(memory_keyring: MemoryKeyring) -> None:
    saved = save_token(f" {SECRET}\n")
    assert saved.keyring is not None and saved.path is None
    assert saved.sentence == f"saved in the system keyring ({saved.keyring})"
    assert SECRET in memory_keyring.secrets.values()
    assert not Locations.default().config_file.exists()
    assert token_loaded() == SECRET


def test_saving_in_the_keyring_takes_an_old_token_out_of_the_file(
    memory_keyring: MemoryKeyring,
) -> None:
    write_config(f'token = "{OLDER}"\ninterval = 30\n')
    save_token(SECRET)
    text = Locations.default().config_file.read_text(encoding="utf-8")
    assert OLDER not in text and "interval = 30" in text
    assert token_loaded() == SECRET


def test_the_environment_wins_over_the_keyring_and_the_keyring_over_the_file(
    memory_keyring: MemoryKeyring,
) -> None:
    save_token(SECRET)
    write_config(f'token = "{OLDER}"\n')
    assert token_loaded() == SECRET
    assert token_loaded({"LOX24_TOKEN": OLDER}) == OLDER


def test_without_a_keyring_the_file_takes_the_token_readable_by_you_only() -> None:
    # the tests' default backend is keyring's own "no keyring here" (keyring.backends.fail)
    saved = save_token(SECRET)
    path = Locations.default().config_file
    assert saved.path == path and saved.keyring is None
    assert saved.sentence == f"saved in {path} (readable by you only)"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert token_loaded() == SECRET


def test_a_keyring_that_fails_falls_back_to_the_file_quietly(
    capsys: pytest.CaptureFixture[str],
) -> None:
    keyring.set_keyring(LockedKeyring())
    write_config("interval = 30\n")
    saved = save_token(SECRET)
    assert saved.path == Locations.default().config_file
    assert token_loaded() == SECRET
    assert capsys.readouterr() == ("", "")


def test_a_keyring_that_keeps_nothing_hands_the_token_to_the_file() -> None:
    from keyring.backends import null

    keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call]
    saved = save_token(SECRET)
    path = Locations.default().config_file
    assert saved.keyring is None and saved.path == path
    assert saved.sentence == f"saved in {path} (readable by you only)"
    assert token_loaded() == SECRET


def test_the_token_knows_it_came_from_the_keyring(memory_keyring: MemoryKeyring) -> None:
    save_token(SECRET)
    token = load_settings(environ={}).api_token
    assert token is not None and token.source == "the system keyring"


def test_a_malformed_token_in_the_keyring_is_refused_naming_the_keyring(
    memory_keyring: MemoryKeyring,
) -> None:
    memory_keyring.set_password(SERVICE, ACCOUNT, "abc")  # put there by another program
    with pytest.raises(ConfigError) as caught:
        load_settings(environ={})
    said = str(caught.value)
    assert said.startswith("the token in the system keyring cannot be used: ")
    assert "abc" not in said


def test_saving_a_token_keeps_the_alerts_accounts_and_comments_as_written() -> None:
    text = """\
        # mine
        interval = 10  # fast

        [[alerts]]
        name = "done"  # tell the team
        when = "status"
        status = "processed"
        command = ["/usr/bin/logger", "done"]

        [accounts.swiss]  # the Zurich shop
        token_env = "SWISS_TOKEN"
        colour = "magenta"
        """
    write_config(textwrap.dedent(text))
    path = Locations.default().config_file
    save_token(SECRET)  # no keyring in the tests: into the file
    written = path.read_text(encoding="utf-8")
    kept = textwrap.dedent(text)
    assert written == kept.replace("# fast\n", f'# fast\ntoken = "{SECRET}"\n')
    settings = load_settings(environ={})
    assert [rule.name for rule in settings.alerts] == ["done"] and settings.api_token
    assert settings.accounts["swiss"].colour == "magenta"


def test_an_account_can_keep_its_token_in_a_keyring_entry_of_its_own(
    memory_keyring: MemoryKeyring,
) -> None:
    other = "7654321:" + "9" * 32
    memory_keyring.set_password(SERVICE, ACCOUNT, SECRET)  # the default account's
    memory_keyring.set_password(SERVICE, "swiss", other)
    write_config('[accounts.swiss]\nkeyring = "swiss"\n')
    settings = load_settings(environ={"LOX24TUI_ACCOUNT": "swiss"})
    assert settings.api_token is not None and settings.api_token.reveal() == other
    assert settings.token_source == "the system keyring entry 'swiss' (account swiss)"
    assert load_settings(environ={}).api_token.reveal() == SECRET  # type: ignore[union-attr]
