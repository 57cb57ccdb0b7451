"""The redaction function, property-tested: whatever surrounds a personal value, however the
value is spaced or encoded, it does not survive; what support needs does."""

from __future__ import annotations

import base64
import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from api_client.codes import CODES
from api_client.contract import ENDPOINTS
from vaxterm.privacy import NAME, forget_names, redact, reference_tail

# Surrounding text: anything printable, including digits and letters of any script.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
# A separator that cannot glue onto the value: the realistic edges of a value in a line.
EDGE = st.sampled_from(["", " ", ": ", "=", "(", ")", ", ", "\n", "/", "'", '"'])
# A name in a line is set off from the words around it.
NAME_EDGE = st.sampled_from([" ", ": ", "=", "(", ")", ", ", "\n", "'", '"', "1"])
DIGIT = "0123456789"
PLACEHOLDERS = re.compile(r"\[(?:name|number|id|token)\]")
DATES = re.compile(r"\d{4}-\d{2}-\d{2}|\d{2}([-/])\d{2}\1\d{4}")

mobiles = st.builds(lambda first, rest: first + rest, st.sampled_from("6789"),
                    st.text(DIGIT, min_size=9, max_size=9))
reference_ids = st.text(DIGIT, min_size=14, max_size=14)
aadhaar_numbers = st.text(DIGIT, min_size=12, max_size=12)
otps = st.text(DIGIT, min_size=6, max_size=6)
pans = st.builds(lambda a, d, z: a + d + z, st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=5,
                 max_size=5), st.text(DIGIT, min_size=4, max_size=4),
                 st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
passports = st.builds(lambda a, d: a + d, st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ"),
                      st.text(DIGIT, min_size=7, max_size=7))
tokens = st.one_of(
    st.binary(min_size=16, max_size=48).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    st.binary(min_size=10, max_size=32).map(bytes.hex),
)
names = st.lists(st.text(st.characters(categories=("Lu", "Ll")), min_size=2, max_size=12),
                 min_size=1, max_size=3).map(" ".join)


def spaced(number: str, style: int) -> str:
    """The ways people and systems write a number: grouped by spaces or hyphens, +91."""
    if style == 1:
        return " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    if style == 2:
        return "-".join(number[i:i + 3] for i in range(0, len(number), 3))
    if style == 3 and len(number) == 10:
        return f"+91 {number[:5]} {number[5:]}"
    if style == 4 and len(number) == 10:
        return f"+91-{number}"
    return number


def digit_runs(text: str) -> list[str]:
    """Runs of digits joined by single spaces or hyphens, as they would be read back."""
    return [re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[ \-]?\d)*", text)]


@given(st.one_of(mobiles, reference_ids, aadhaar_numbers, otps), st.integers(0, 4), TEXT, TEXT)
@example("9000000002", 0, "mobile=", "")
@example("123456789012", 1, "Aadhaar ", " on file")
def test_no_number_of_five_digits_or_more_survives(number: str, style: int, before: str,
                                                  after: str) -> None:
    written = spaced(number, style)
    out = redact(before + written + after)
    assert written not in out
    # Whatever the surrounding text held, no run of five digits is left (dates aside).
    assert all(len(run) <= 4 for run in digit_runs(DATES.sub(" ", out))), out


@given(st.one_of(pans, passports), EDGE, EDGE, TEXT, TEXT)
@example("ABCDE1234F", " ", ".", "PAN", "")
@example("ABCDE1234F", "", "", "", "_")
def test_photo_id_numbers_are_masked(number: str, left: str, right: str, before: str,
                                     after: str) -> None:
    assert number not in redact(before + left + number + right + after)


@given(tokens, EDGE, EDGE, TEXT, TEXT)
def test_tokens_are_masked(token: str, left: str, right: str, before: str, after: str) -> None:
    assert token not in redact(before + left + token + right + after)


@given(TEXT, EDGE)
def test_bearer_credentials_are_masked(secret: str, left: str) -> None:
    secret = "x" + "".join(secret.split())  # a credential is one word after the scheme
    out = redact(f"{left}Authorization: Bearer {secret}\n")
    assert out == f"{redact(left)}Authorization: Bearer [token]\n"


@given(names, NAME_EDGE, NAME_EDGE, TEXT, TEXT)
@example("Asha Verma", " ", ".", "Opened the record of", "")
def test_the_names_in_memory_are_masked_whole_and_in_part(name: str, left: str, right: str,
                                                          before: str, after: str) -> None:
    around = (before + after).casefold()
    assume(not any(part.casefold() in around for part in name.split()))
    out = PLACEHOLDERS.sub(" ", redact(before + left + name + right + after, names=[name]))
    for part in name.split():
        assert part.casefold() not in out.casefold(), out
    loud = redact(f"{left}{name.upper()}{right}", names=[name])
    assert name.upper() not in loud


@given(st.text(max_size=200))
def test_redaction_is_idempotent(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


@pytest.mark.parametrize("line", [
    "2026-11-28T18:35:12+05:30 POST /api/v2/vaccinations -> 201 in 183 ms (attempt 1)",
    "GET /api/v2/beneficiaries/{beneficiary_reference_id} 403 code=CONSNT0001 ref=…c0de",
    "Photo ID ending 1234, born 1985, dose 2 of COVISHIELD on 2026-11-28",
    "Too early for dose 2: due from 15-12-2026.",
    "The registry is unavailable just now. Try again in 30 seconds.",
    "demo.north1 signed in at 09:14:03; trainee01 next",
    "vaxterm.screens BeneficiaryOtpScreen",
    *(f"error {code}" for code in CODES),
    *(f"{endpoint.method} {endpoint.path}" for endpoint in ENDPOINTS),
])
def test_what_support_needs_survives(line: str) -> None:
    assert redact(line) == line


def test_names_are_forgotten_with_their_patterns() -> None:
    assert redact("Asha came", names=["Asha Verma"]) == f"{NAME} came"
    forget_names()
    assert redact("Asha came") == "Asha came"


def test_a_reference_keeps_its_last_four_characters() -> None:
    assert reference_tail("9f3c2a7b81d4e6c0") == "…e6c0"
    assert reference_tail("c0de") == "c0de"
