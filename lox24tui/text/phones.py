"""Phone numbers are recipients' personal data: shown only where the user asks for messages, and
then maskable. Masking keeps what identifies nobody: the country calling code and the last four
digits (``+49 ••• 4567``)."""

from __future__ import annotations

from typing import Final

HIDDEN: Final = "•••"
_ONE_DIGIT: Final = frozenset({"1", "7"})
_TWO_DIGITS: Final = frozenset(
    str(code)
    for code in (
        *(20, 27, *range(30, 35), 36, 39, 40, 41, *range(43, 50), *range(51, 59)),
        *(*range(60, 67), 81, 82, 84, 86, *range(90, 96), 98),
    )
)
"""ITU country calling codes of two digits; the others have one (1, 7) or three."""


def country_code(digits: str) -> str:
    """The country calling code at the start of an international number's digits."""
    if digits[:1] in _ONE_DIGIT:
        return digits[:1]
    if digits[:2] in _TWO_DIGITS:
        return digits[:2]
    return digits[:3]


def mask_phone(phone: str | None) -> str:
    """``+4917012344567`` → ``+49 ••• 4567``. A number too short to mask keeps nothing but
    its last two digits; no number is "—"."""
    if not phone:
        return "—"
    digits = "".join(char for char in phone if char.isdigit())
    international = phone.strip().startswith(("+", "00"))
    if international and phone.strip().startswith("00"):
        digits = digits[2:]
    if len(digits) < 8:
        return f"{HIDDEN} {digits[-2:]}" if digits else HIDDEN
    if not international:
        return f"{HIDDEN} {digits[-4:]}"
    return f"+{country_code(digits)} {HIDDEN} {digits[-4:]}"


def to_e164(phone: str | None, region: str | None = None) -> str | None:
    """``phone`` in E.164 (``+447700900013``), the form SMS tools import; None when it cannot be
    read as a phone number. ``region`` (ISO 3166 alpha-2, LOX24's ``iso2``) reads a national
    number (``07700 900013`` in GB). Read by Google's libphonenumber (``phonenumbers``), never
    by a prefix table of ours; imported on first use, as only the retry list and the countries
    of failures need it."""
    import phonenumbers

    text = (phone or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text:
        return None
    try:
        number = phonenumbers.parse(text, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def country_of(phone: str | None) -> str | None:
    """The country (ISO 3166 alpha-2) an international number belongs to, by its calling code
    (``+44…`` → ``GB``; a code shared by several countries gives its main one); None when the
    number cannot be read or names no country."""
    import phonenumbers

    number = to_e164(phone)
    if number is None:
        return None
    code = phonenumbers.parse(number).country_code
    region = phonenumbers.region_code_for_country_code(code) if code else None
    return None if region in (None, "ZZ", "001") else region
