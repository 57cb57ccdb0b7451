"""Digits in any script: a mobile, a code or a count typed with Devanagari (or any other
Unicode decimal) digits means the same number, and reaches the registry in ASCII."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxterm.validators import (
    Checked,
    SearchKind,
    ascii_digits,
    check_minutes,
    check_mobile,
    check_otp,
    check_reference_id,
    read_search,
)

# The zero of a few scripts a vaccinator in India may type or paste: Devanagari, Bengali,
# Gurmukhi, Gujarati, Oriya, Tamil, Telugu, Kannada, Malayalam, Arabic-Indic, full-width.
ZEROS = [0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0x660, 0xFF10]


def written_in(zero: int, ascii_text: str) -> str:
    return "".join(chr(zero + int(c)) if c.isdigit() else c for c in ascii_text)


@pytest.mark.parametrize("zero", ZEROS, ids=lambda z: unicodedata.name(chr(z)))
def test_every_script_reads_as_the_same_number(zero: int) -> None:
    assert check_mobile(written_in(zero, "9000000002")) == Checked(value="9000000002")
    assert check_mobile(written_in(zero, "+91 90000-00002")) == Checked(value="9000000002")
    assert check_otp(written_in(zero, "740890")) == Checked(value="740890")
    assert check_reference_id(written_in(zero, "12345678901234")).value == "12345678901234"
    assert check_minutes(written_in(zero, "15"), most=30) == Checked(value="15")


def test_devanagari_mobile_is_searched_as_a_mobile() -> None:
    term = read_search("९०००००००० २")
    assert term.kind is SearchKind.MOBILE
    assert term.checked == Checked(value="9000000002")


def test_mixed_scripts_are_still_one_number() -> None:
    assert check_otp("७४0८९0").value == "740890"


@pytest.mark.parametrize(("raw", "message"), [
    ("²³⁴⁵⁶⁷", "Use digits only; this has the character '²'."),  # digits, not decimals
    ("Ⅻ", "Use digits only; this has the character 'Ⅻ'."),      # a Roman numeral
    ("७४0८९", "The code has 6 digits; this one has 5."),
])
def test_what_is_not_a_decimal_digit_is_still_refused(raw: str, message: str) -> None:
    assert check_otp(raw).message == message


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=20))
def test_any_decimal_digit_becomes_ascii(text: str) -> None:
    normal = ascii_digits(text)
    assert normal.isascii() and normal.isdigit() and len(normal) == len(text)
    assert [int(c) for c in normal] == [unicodedata.decimal(c) for c in text]


@given(st.text(max_size=30))
def test_other_characters_are_left_alone(text: str) -> None:
    normal = ascii_digits(text)
    assert len(normal) == len(text)
    assert all(a == b for a, b in zip(normal, text, strict=True) if not b.isdecimal())


@pytest.mark.parametrize(("raw", "ok"), [
    ("0", "0"), ("30", "30"), ("०५", "5"), ("३०", "30"),
    ("31", ""), ("", ""), ("a", ""), ("-1", ""),
])
def test_minutes(raw: str, ok: str) -> None:
    checked = check_minutes(raw, most=30)
    assert checked.value == ok
    assert checked.ok or checked.message == "Type the minutes after the dose, 0 to 30."
