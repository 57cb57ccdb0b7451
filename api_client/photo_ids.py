"""Photo-ID numbers: the format each type has (reference sheet §3.2, §3.4), checked by the
registry at a walk-in registration and by the app before sending. One implementation for
both; nothing here knows about HTTP or the terminal.

Only the last 4 digits are ever kept or shown (`last4`); the full number is checked, sent
once, and dropped.
"""

from __future__ import annotations

import re

# §3.2: Verhoeff's tables (dihedral group D5).
_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6), (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4), (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2), (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def verhoeff_valid(digits: str) -> bool:
    """True when the last digit is the Verhoeff check digit of the others."""
    if not digits.isascii() or not digits.isdigit():
        return False
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


# §3.4 format hints (unverified there, so only the sure ones are strict): what each type's
# number looks like, as (pattern, words for the vaccinator).
_FORMATS: dict[str, tuple[re.Pattern[str], str]] = {
    "Aadhaar Card": (re.compile(r"[2-9]\d{11}"), "12 digits, not starting with 0 or 1"),
    "PAN Card": (re.compile(r"[A-Z]{5}\d{4}[A-Z]"), "5 letters, 4 digits and a letter"),
    "Passport": (re.compile(r"[A-Z0-9]{8}"), "8 letters or digits"),
    "Voter ID": (re.compile(r"[A-Z0-9]{10}"), "10 letters or digits"),
    "Driving Licence": (re.compile(r"[A-Z0-9]{6,16}"), "6 to 16 letters or digits"),
    "NPR Smart Card": (re.compile(r"[A-Z0-9]{16}"), "16 letters or digits"),
    "UDID": (re.compile(r"[A-Z0-9]{18}"), "18 letters or digits"),
}
_ANY = (re.compile(r"[A-Z0-9]{4,20}"), "4 to 20 letters or digits")


def normalise(raw: str) -> str:
    """Upper case, without the spaces and dashes printed on cards."""
    return re.sub(r"[\s-]", "", raw).upper()


def problem(id_type: str, number: str) -> str:
    """What is wrong with `number` (already normalised) for `id_type`; empty when it fits.
    The words never repeat the number."""
    pattern, shape = _FORMATS.get(id_type, _ANY)
    if not pattern.fullmatch(number):
        return f"{id_type} numbers have {shape}."
    if id_type == "Aadhaar Card" and not verhoeff_valid(number):
        return "This is not a valid Aadhaar number (its check digit is wrong). Type it again."
    if len(last4(number)) < 4:
        return ("This number has fewer than 4 digits; the photo-ID check needs the last 4 "
                "digits printed on the card.")
    return ""


def last4(number: str) -> str:
    """The last 4 digits, as records mask an ID (a PAN's ABCDE1234F keeps 1234) and as the
    photo-ID check asks for them."""
    return "".join(ch for ch in number if ch.isdigit())[-4:]
