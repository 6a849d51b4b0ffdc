"""The token in the operating system's keyring (Secret Service, macOS Keychain, Windows
Credential Locker) through the ``keyring`` library, where the machine has one.

A keyring keeps the token encrypted and out of every file a backup or a dotfiles repository
would copy; the 0600 config file stays the fallback
(see :func:`lox24tui.session.config.save_token`).
Every keyring failure is quiet here: no backend (``keyring.backends.fail``), one that keeps
nothing (``keyring.backends.null``, or any that does not give the token back), a locked or
broken one, a D-Bus that is not running. The caller then falls back; a missing keyring is a
normal machine, not an error to show.
"""

from __future__ import annotations

import logging
from typing import Final

SERVICE: Final = "lox24tui"
ACCOUNT: Final = "LOX24 API token"

_log = logging.getLogger(__name__)


def read_token(entry: str = ACCOUNT) -> str | None:
    """The token saved in the keyring under ``entry`` (an account's own, or the default one),
    or None (none saved, or no keyring to ask)."""
    try:
        import keyring

        return keyring.get_password(SERVICE, entry) or None
    except Exception as error:  # any backend's failure means "not there": fall back quietly
        _log.debug("no token from the keyring: %s", type(error).__name__)
        return None


def write_token(token: str) -> str | None:
    """Save the token in the keyring; the keyring's name when it did, None when it could not
    (the caller then saves it elsewhere)."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring | null.Keyring):  # no keyring, or one that drops all
            return None
        backend.set_password(SERVICE, ACCOUNT, token)
        if backend.get_password(SERVICE, ACCOUNT) != token:
            # A keyring that accepts the token but does not give it back has not saved it:
            # saying "saved in the system keyring" would lose it at the next start.
            _log.debug("the keyring %s did not keep the token", type(backend).__name__)
            return None
        return str(backend.name).removesuffix(" Keyring") or type(backend).__name__
    except Exception as error:  # a locked or broken keyring: the config file takes the token
        _log.debug("the keyring did not take the token: %s", type(error).__name__)
        return None
