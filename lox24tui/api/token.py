"""The API token, held in one object that never shows itself whole.

Tokens look like ``1234567:e3f3a759b6677959b6ebfc…``. Anything that prints, logs or reprs a
``Token`` (including Rich's traceback locals) sees only the masked form ``1234567:e3f3…``, so a
screenshot or a bug report cannot leak it. Only the HTTP client calls :meth:`reveal`.
"""

from __future__ import annotations

import re
from typing import Final

_VISIBLE_KEY_CHARS: Final = 4
_TOKEN_CHARS: Final = re.compile(r"[\x21-\x7e]+")
"""Printable ASCII without spaces: anything else cannot travel in an HTTP header anyway."""
_TOKEN_FORM: Final = re.compile(r"[0-9]+:[0-9a-fA-F]+")
"""LOX24's form: the numeric client id, a colon, a hexadecimal key. Anything else would only
earn a 401, and three of those in a minute get the IP blocked: it is refused before sending."""


class Token:
    """A LOX24 API token; ``str()`` and ``repr()`` give the masked form."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str | None = None) -> None:
        value = value.strip()
        self.source = source
        """Where the token came from, for a person ("the environment variable LOX24_TOKEN",
        "the system keyring", the config file's path); None when it does not matter."""
        if not value:
            raise ValueError("the LOX24 token is empty")
        if not _TOKEN_CHARS.fullmatch(value):
            # Said without the value: the message may be shown, and the value is a secret.
            raise ValueError(
                "the LOX24 token has characters a token cannot have (spaces, line breaks, "
                "non-ASCII such as a copied '…'): paste the whole token again"
            )
        if not _TOKEN_FORM.fullmatch(value):
            raise ValueError(
                "the LOX24 token is not in the form LOX24 gives: a number, a colon and a "
                "hexadecimal key, like 1234567:e3f3a759…; copy the whole token again"
            )
        self._value = value

    def reveal(self) -> str:
        """The whole token, for the auth header and nothing else."""
        return self._value

    @property
    def masked(self) -> str:
        """The client id and the first few characters of the key, e.g. ``1234567:e3f3…``."""
        return mask_token(self._value)

    def scrub(self, text: str) -> str:
        """``text`` with every occurrence of the whole token replaced by its masked form."""
        return text.replace(self._value, self.masked)

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Token({self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Token cannot be pickled")


def mask_token(value: str) -> str:
    """Mask a token string: keep the numeric client id and four characters of the key."""
    client_id, sep, key = value.partition(":")
    if sep and client_id.isdigit():
        return f"{client_id}:{key[:_VISIBLE_KEY_CHARS]}…"
    return f"{value[:_VISIBLE_KEY_CHARS]}…" if len(value) > _VISIBLE_KEY_CHARS * 2 else "…"
