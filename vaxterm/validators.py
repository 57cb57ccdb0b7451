"""Validators for what a vaccinator types.

Each returns a `Checked`: the normalised value when the input is good, otherwise a message in
words a vaccinator understands. They never raise, whatever the input.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from api_client.models import REFERENCE_ID_LENGTHS

_SEPARATORS = re.compile(r"[\s\-()]")


@dataclass(frozen=True)
class Checked:
    value: str = ""
    message: str = ""  # empty when the input is valid

    @property
    def ok(self) -> bool:
        return not self.message


def ascii_digits(raw: str) -> str:
    """`raw` with every Unicode decimal digit (Devanagari, Bengali, Tamil, full-width,
    Arabic-Indic…) written as its ASCII digit: a phone's keyboard or a pasted SMS may give
    them, and they mean the same number. Other characters are left as they are."""
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in raw)


def _digits_only(raw: str) -> tuple[str, str]:
    """Strip spaces and dashes, write any decimal digit in ASCII; return (text, message
    about any character that is not a digit)."""
    text = ascii_digits(_SEPARATORS.sub("", raw))
    bad = next((ch for ch in text if not ("0" <= ch <= "9")), None)
    if bad is None:
        return text, ""
    kind = "a letter" if bad.isalpha() else f"the character {bad!r}"
    return text, f"Use digits only; this has {kind}."


def check_mobile(raw: str) -> Checked:
    """A 10-digit Indian mobile, `^[6-9]\\d{9}$`; a +91 or leading 0 is accepted and dropped."""
    text = ascii_digits(_SEPARATORS.sub("", raw))
    if not text:
        return Checked(message="Type the beneficiary's mobile number.")
    if text.startswith("+91"):
        text = text[3:]
    elif text.startswith("+"):
        return Checked(message="Only Indian mobile numbers (+91) can be searched.")
    elif len(text) == 11 and text.startswith("0"):
        text = text[1:]
    text, problem = _digits_only(text)
    if problem:
        return Checked(message=problem)
    if len(text) != 10:
        return Checked(message=f"A mobile number has 10 digits; this one has {len(text)}.")
    if text[0] not in "6789":
        return Checked(message=f"Mobile numbers start with 6, 7, 8 or 9; this one starts with "
                               f"{text[0]}.")
    return Checked(value=text)


def _digit_string(raw: str, *, empty: str, lengths: tuple[int, ...], what: str) -> Checked:
    text, problem = _digits_only(raw)
    if not text:
        return Checked(message=empty)
    if problem:
        return Checked(message=problem)
    if len(text) not in lengths:
        return Checked(message=f"{what}; this one has {len(text)}.")
    return Checked(value=text)


def check_reference_id(raw: str) -> Checked:
    """A beneficiary reference ID: 13 or 14 digits."""
    return _digit_string(raw, empty="Type the beneficiary reference ID.",
                         lengths=REFERENCE_ID_LENGTHS, what="A reference ID has 13 or 14 digits")


def check_otp(raw: str) -> Checked:
    """A one-time code: exactly 6 digits."""
    return _digit_string(raw, empty="Type the 6-digit code.", lengths=(6,),
                         what="The code has 6 digits")


def check_minutes(raw: str, *, most: int) -> Checked:
    """Whole minutes from 0 to `most` (the onset of a reaction after the dose)."""
    text = ascii_digits(raw.strip())
    if not (text.isascii() and text.isdigit()) or int(text) > most:
        return Checked(message=f"Type the minutes after the dose, 0 to {most}.")
    return Checked(value=str(int(text)))


class SearchKind(Enum):
    MOBILE = "mobile number"
    REFERENCE_ID = "reference ID"


@dataclass(frozen=True)
class SearchTerm:
    kind: SearchKind | None
    checked: Checked


def read_search(raw: str) -> SearchTerm:
    """Tell a mobile number from a reference ID by its length. There is deliberately no
    search by photo-ID number: lookups by Aadhaar alone fed the 2023 leak."""
    text = ascii_digits(_SEPARATORS.sub("", raw))
    if text.startswith("+") or len(text) in (10, 11):
        return SearchTerm(SearchKind.MOBILE, check_mobile(raw))
    if len(text) in REFERENCE_ID_LENGTHS:
        return SearchTerm(SearchKind.REFERENCE_ID, check_reference_id(raw))
    digits, problem = _digits_only(text)
    if not digits:
        return SearchTerm(None, Checked(message="Type a mobile number or a reference ID."))
    if problem:
        return SearchTerm(None, Checked(message=problem))
    if len(digits) == 12:
        return SearchTerm(None, Checked(
            message="12 digits looks like an Aadhaar number. Search by the mobile number or "
                    "the reference ID instead."))
    return SearchTerm(None, Checked(
        message=f"Type a 10-digit mobile number or a 13-14 digit reference ID; this has "
                f"{len(digits)} digits."))
