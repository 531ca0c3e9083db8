"""Seed 004's ``mobile`` as the E.164 number the SMS worker expects in ``to``.

Seed 004 sends through MSG91 (India) and its numbers are Indian, so a number written without a
country code is taken as Indian: ``9876543210``, ``09876543210`` and ``919876543210`` all become
``+919876543210``. ``+...`` and ``00...`` numbers keep their own country code. The SMS worker
checks the result against real numbering plans before sending.
"""

from __future__ import annotations

import re

DEFAULT_COUNTRY_CODE = "91"
_SEPARATORS = re.compile(r"[\s\-.()]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")
_NATIONAL_DIGITS = 10


def to_e164(mobile: str | int, default_country_code: str | None = DEFAULT_COUNTRY_CODE) -> str:
    """Raises ValueError when the number cannot be read as E.164."""
    if isinstance(mobile, bool) or not isinstance(mobile, (str, int)):
        raise ValueError("mobile must be a phone number string, e.g. +919876543210")
    text = _SEPARATORS.sub("", str(mobile))
    if text.startswith("+"):
        number = text
    elif text.startswith("00"):
        number = "+" + text[2:]
    elif default_country_code and text.isdigit():
        national = text[1:] if text.startswith("0") else text
        if len(national) == _NATIONAL_DIGITS:
            number = "+" + default_country_code + national
        elif len(text) == len(default_country_code) + _NATIONAL_DIGITS and text.startswith(default_country_code):
            number = "+" + text
        else:
            number = text
    else:
        number = text
    if not _E164.match(number):
        raise ValueError(f"mobile {_masked(str(mobile))} is not a phone number in E.164 form, e.g. +919876543210")
    return number


def _masked(text: str) -> str:
    # Numbers are personal data: errors name only the last digits.
    return "*" * max(0, len(text) - 4) + text[-4:]
