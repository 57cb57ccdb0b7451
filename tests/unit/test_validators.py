from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaxterm.validators import (
    Checked,
    SearchKind,
    check_mobile,
    check_otp,
    check_reference_id,
    read_search,
)

VALIDATORS: list[Callable[[str], Checked]] = [check_mobile, check_reference_id, check_otp]


@pytest.mark.parametrize("validator", VALIDATORS, ids=lambda v: v.__name__)
@given(text=st.text(max_size=40))
def test_no_exception_escapes_and_every_rejection_has_a_message(
        validator: Callable[[str], Checked], text: str) -> None:
    result = validator(text)
    assert result.ok == (result.message == "")
    assert result.ok == bool(result.value)
    if not result.ok:
        assert result.message.endswith("."), "a sentence a vaccinator can read"


@given(text=st.text(max_size=40))
def test_read_search_never_raises(text: str) -> None:
    term = read_search(text)
    assert term.checked.ok or term.checked.message


@given(number=st.from_regex(r"[6-9][0-9]{9}", fullmatch=True),
       prefix=st.sampled_from(["", "+91", "0", "+91 ", "0-"]))
def test_any_valid_mobile_is_accepted_with_its_prefix_dropped(number: str, prefix: str) -> None:
    assert check_mobile(prefix + number) == Checked(value=number)


@given(number=st.from_regex(r"[0-9]{13,14}", fullmatch=True))
def test_any_13_or_14_digit_reference_is_accepted(number: str) -> None:
    assert check_reference_id(number).value == number


@pytest.mark.parametrize(("raw", "message"), [
    ("987654321", "A mobile number has 10 digits; this one has 9."),
    ("98765432101", "A mobile number has 10 digits; this one has 11."),
    ("5876543210", "Mobile numbers start with 6, 7, 8 or 9; this one starts with 5."),
    ("98765x3210", "Use digits only; this has a letter."),
    ("+44 7700 900123", "Only Indian mobile numbers (+91) can be searched."),
    ("", "Type the beneficiary's mobile number."),
])
def test_mobile_messages(raw: str, message: str) -> None:
    assert check_mobile(raw).message == message


@pytest.mark.parametrize(("raw", "message"), [
    ("12345", "The code has 6 digits; this one has 5."),
    ("1234567", "The code has 6 digits; this one has 7."),
    ("12a456", "Use digits only; this has a letter."),
])
def test_otp_messages(raw: str, message: str) -> None:
    assert check_otp(raw).message == message


@pytest.mark.parametrize(("raw", "kind", "ok"), [
    ("9000000002", SearchKind.MOBILE, True),
    ("+91 90000 00002", SearchKind.MOBILE, True),
    ("99990000000002", SearchKind.REFERENCE_ID, True),
    ("9999000000002", SearchKind.REFERENCE_ID, True),
    ("1234", None, False),
])
def test_read_search_tells_which_it_read(raw: str, kind: SearchKind | None, ok: bool) -> None:
    term = read_search(raw)
    assert (term.kind, term.checked.ok) == (kind, ok)


def test_an_aadhaar_number_is_not_searchable() -> None:
    term = read_search("2345 6789 0124")
    assert term.kind is None
    assert "Aadhaar" in term.checked.message
