"""The redaction function, property-tested: whatever surrounds a personal value, however the
value is spaced or encoded, it does not survive; what support needs does."""

from __future__ import annotations

import base64
import re
import unicodedata

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
    # Surroundings as redaction reads them (NFKC): full-width letters around may spell a part.
    around = unicodedata.normalize("NFKC", before + after).casefold()
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
    "2026-11-28 18:35:12,345 vaxterm.http POST /api/v2/vaccinator/beneficiaries/confirmOTP "
    "-> 400 in 183 ms (attempt 1) code=USRAUT0014 ref=…c0de",
    "2026-11-28 09:14:03,101 vaxterm.app error DoseAlreadyRecorded code=DOSE0009 ref=…0002",
    "2026-11-28T18:35:12.250+05:30 GET /api/v2/vaccinator/sessions -> 200 in 12 ms",
    "18:35:12  trainee07       recorded  ref 0002  DOSE0003",
    "Retry-After 30; attempt 2 of 3 after 1500 ms; 429 Too Many Requests",
    'File "/work/main/.venv/lib/python3.11/site-packages/textual/app.py", line 289, in run',
    "httpx.ConnectError: ConnectionRefusedError KeyboardInterrupt RecordDoseScreen",
    "SessionPickerScreen EnteredInErrorModal HTTPStatusError RemoteProtocolError",
    "--------------------------------------------------------------",
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


# Each value below survived the redaction before it normalised: numbers split by anything
# but one ASCII space or hyphen, a spaced PAN, disguised names, e-mail addresses, standard
# base64 and base32 secrets, a lower-case scheme. Synthetic values only.
SPLIT_BY = {"dot": ".", "slash": "/", "nbsp": "\u00a0", "two spaces": "  ", "tab": "\t",
            "newline": "\n", "en dash": "\u2013", "zero-width space": "\u200b",
            "comma space": ", ", "underscore": "_", "middle dot": "\u00b7"}
NUMBERS = {"mobile": ("987", "654", "3210"), "aadhaar": ("2345", "6789", "0123"),
           "reference": ("9999", "0000", "0000", "02"), "otp": ("482", "913")}


def _digits_left(text: str) -> str:
    """The digits of every run joined by up to three non-alphanumeric characters, after
    NFKC and without format characters: how a value could be read back."""
    text = unicodedata.normalize("NFKC", "".join(
        c for c in text if unicodedata.category(c) != "Cf"))
    return " ".join(re.sub(r"\D", "", run) for run in re.findall(r"\d(?:[\W_]{0,3}\d)*", text))


@pytest.mark.parametrize("separator", SPLIT_BY.values(), ids=SPLIT_BY.keys())
@pytest.mark.parametrize("groups", NUMBERS.values(), ids=NUMBERS.keys())
def test_a_number_split_by_any_separator_is_masked(groups: tuple[str, ...], separator: str
                                                   ) -> None:
    out = redact(f"value {separator.join(groups)} noted")
    assert "".join(groups) not in _digits_left(out), out


@pytest.mark.parametrize(("line", "value"), [
    ("PAN ABCDE 1234 F on file", "ABCDE1234F"),
    ("pan: abcde-1234-f", "abcde1234f"),
    ("PAN ABCDE-12 34-F.", "ABCDE1234F"),
])
def test_a_pan_however_spaced_is_masked(line: str, value: str) -> None:
    out = redact(line)
    assert value.casefold() not in re.sub(r"\W", "", out).casefold(), out


@pytest.mark.parametrize("written", [
    "As\u200bha Verma", "As\u00adha Verma", "\uff21\uff53\uff48\uff41 Verma",
    "A\u0301sha Verma", "\u0410sha Verma", "Ash\u0430 V\u0435rma", "\u0391SHA VERMA",
    "asha verma", "ASHA\u200d VERMA",
], ids=["zero-width space", "soft hyphen", "full-width", "NFD accent", "Cyrillic A",
        "Cyrillic a and e", "Greek A", "lower case", "zero-width joiner"])
def test_a_disguised_name_is_masked(written: str) -> None:
    out = redact(f"opened {written} (dose 2)", names=["Asha Verma"])
    assert out == f"opened {NAME} {NAME} (dose 2)" or out == f"opened {NAME} (dose 2)", out


def test_an_accented_name_is_masked_written_without_its_accents() -> None:
    assert redact("José Müller came", names=["José Müller"]) == f"{NAME} came"
    assert redact("Jose  Muller came", names=["José Müller"]) == f"{NAME}  {NAME} came"
    assert redact("JOSÉ came", names=["José Müller"]) == f"{NAME} came"


@pytest.mark.parametrize("address", ["asha.verma@example.com", "Asha_V+clinic@mail.example.in",
                                     "asha@example.com"])
def test_an_email_address_is_masked(address: str) -> None:
    out = redact(f"contact {address}, then call")
    assert address not in out and "asha" not in out.casefold(), out


@pytest.mark.parametrize("secret", [
    "JBSWY3DPEHPK3PXP", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "JBSW Y3DP EHPK 3PXP",
    "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "q0C+/x2Ybo9LmXk3aQ==", "3q2+7w/u3q0=",
    "kR9vZx/2mQ+Tb1nWc4sYpA==",
], ids=["base32 16", "base32 32", "base32 grouped", "base32 of digits", "base64 +/=",
        "base64 short", "base64 16 bytes"])
def test_a_standard_base64_or_base32_secret_is_masked(secret: str) -> None:
    out = redact(f"secret {secret} set")
    assert secret not in out and secret.replace(" ", "") not in out.replace(" ", ""), out


@pytest.mark.parametrize("line", [
    "authorization: bearer abc.def-ghi", "Authorization: BEARER abc.def-ghi",
    "bearer abc.def-ghi", "basic dXNlcjpwYXNz", "TOKEN abc.def-ghi",
    "Authorization: basic: dXNlcjpwYXNz", "password=Train@2026", "client_secret: s3cr3t!",
    "X-Consent-Token: c0ns3nt", '{"accessToken": "abc.def"}', "otp=482913",
])
def test_credentials_in_any_case_are_masked(line: str) -> None:
    out = redact(line)
    for secret in ("abc.def-ghi", "dXNlcjpwYXNz", "Train@2026", "s3cr3t", "c0ns3nt", "abc.def",
                   "482913"):
        assert secret not in out, out


def test_invisible_characters_are_all_removed() -> None:
    """Every format character Unicode knows (Cf) is removed before reading, so none can
    split a number or a name."""
    import sys

    from vaxterm.privacy import normalise

    formats = [chr(c) for c in range(sys.maxunicode + 1)
               if unicodedata.category(chr(c)) == "Cf"]
    assert len(formats) > 150
    kept = [hex(ord(c)) for c in formats if normalise(f"98{c}765") != "98765"]
    assert kept == []
    assert redact("".join(f"{d}{c}" for d, c in zip("9876543210", formats[:10], strict=True))
                  ) == "[number]"


def test_symbols_keep_their_form_and_letters_and_digits_take_the_plain_one() -> None:
    from vaxterm.privacy import normalise

    assert normalise("ref …c0de — ok") == "ref …c0de — ok"
    assert normalise("\uff21\uff53\uff48\uff41 \uff19\uff18 ﬁle\u00a0x") == "Asha 98 file x"
