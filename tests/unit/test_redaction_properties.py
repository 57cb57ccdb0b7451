"""Redaction, property-tested per category of value: whatever surrounds it and however it
is written (split by any separator people and systems use, in full-width or Devanagari
digits, with invisible characters, look-alike letters or accents), it does not survive in
any form, the output read after the same normalisation.

The suite runs each property at Hypothesis' usual example count. The review that found the
gaps ran 20,000 examples per category; to do the same:

    VAXTERM_HYPOTHESIS_EXAMPLES=20000 python -m pytest tests/unit/test_redaction_properties.py
"""

from __future__ import annotations

import base64
import os
import re
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from vaxterm.privacy import redact

_EXAMPLES = os.environ.get("VAXTERM_HYPOTHESIS_EXAMPLES")
EACH = (settings(max_examples=int(_EXAMPLES), deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])
        if _EXAMPLES else settings(deadline=None))

DIGIT = "0123456789"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LOWER = UPPER.lower()
# What splits a number, as found in the review: one or two characters that are neither
# letters nor digits, of any script; and the invisible ones, which join the groups.
SEPARATORS = [
    "", " ", "-", ".", "/", "\u00a0", "  ", "\t", "\n", "\u2013", "\u2014", "\u2212",
    "\u200b", "\u200c", "\u2060", "\ufeff", "\u00ad", ", ", "_", "\u00b7", "\u2009",
    "\u202f", "\u3000", "\uff0d", "\uff0e", ". ", " - ", "/ ", "\r\n", "(", ")", "+", "*",
    "\u2022", "|", "'", "\u2010", "\u2011", "\u30fb",
]
SEPARATOR = st.sampled_from(SEPARATORS)
# Surrounding text: anything printable, any script, digits and letters included.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
# What sets a value off from the words around it in a line.
EDGE = st.sampled_from(["", " ", ": ", "=", "(", ")", ", ", "\n", "/", "'", '"', "\u00a0",
                        "\t", "#", "[", "]"])
NAME_EDGE = st.sampled_from([" ", ": ", "=", "(", ")", ", ", "\n", "'", '"', "1", "\u00a0",
                             "-", "/", "."])
# What starts a word: a scheme or a key glued to the word before it is not one.
WORD_EDGE = st.sampled_from([" ", "\n", "(", ": ", "'", '"', "\t", ", ", "{"])
PLACEHOLDERS = re.compile(r"\[(?:name|number|id|token|email)\]")

# Digits as they may be typed or pasted: ASCII, full-width, Devanagari, or mixed.
DIGIT_FORMS = {
    "ascii": DIGIT,
    "full-width": "".join(chr(0xFF10 + i) for i in range(10)),
    "devanagari": "".join(chr(0x0966 + i) for i in range(10)),
}


def normal(text: str) -> str:
    """The output as a reader would take it in: no format characters, NFKC."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", text)


# A run of digits joined by up to three characters that are neither letters nor digits.
RUN = re.compile(r"\d(?:[\W_]{0,3}\d)*")
# What support needs and redaction keeps: a whole run that is a date, a time, or both.
_TIME = r"\d?\d:\d\d(?::\d\d(?:[.,]\d{1,6})?)?(?:[+-]\d\d:?\d\d)?"
_DATE = r"\d{4}-\d\d-\d\d|\d\d([-/.])\d\d\1\d{4}"
KEPT = re.compile(rf"(?:{_DATE})(?:[\W_]{{1,3}}{_TIME})?|{_TIME}")


def numbers_left(out: str) -> list[str]:
    """Every run of joined digits left in the output, as ASCII digits only."""
    return ["".join(str(unicodedata.digit(c)) for c in run if c.isdigit())
            for run in RUN.findall(normal(out)) if not KEPT.fullmatch(run)]


@st.composite
def split(draw: st.DrawFn, value: str, separators: st.SearchStrategy[str] = SEPARATOR
          ) -> str:
    """`value` cut into groups anywhere, joined by separators drawn for each cut."""
    cuts = sorted(draw(st.sets(st.integers(1, len(value) - 1), max_size=len(value) - 1)))
    groups = [value[a:b] for a, b in zip([0, *cuts], [*cuts, len(value)], strict=True)]
    return "".join(g + draw(separators) for g in groups[:-1]) + groups[-1]


@st.composite
def written_number(draw: st.DrawFn, number: str) -> str:
    """A number as written: grouped in fours (Aadhaar), threes, fives (a mobile) or at
    random, by one separator or several, in one of the digit forms."""
    style = draw(st.sampled_from(["4", "3", "5", "random"]))
    if style == "random":
        text = draw(split(number))
    else:
        size = int(style)
        groups = [number[i:i + size] for i in range(0, len(number), size)]
        same = draw(st.booleans())
        first = draw(SEPARATOR)
        text = groups[0] + "".join((first if same else draw(SEPARATOR)) + g for g in groups[1:])
    form = DIGIT_FORMS[draw(st.sampled_from(sorted(DIGIT_FORMS)))]
    return text.translate(str.maketrans(DIGIT, form))


mobiles = st.builds(lambda first, rest: first + rest, st.sampled_from("6789"),
                    st.text(DIGIT, min_size=9, max_size=9))
aadhaar_numbers = st.builds(lambda first, rest: first + rest, st.sampled_from("23456789"),
                            st.text(DIGIT, min_size=11, max_size=11))
references = st.text(DIGIT, min_size=13, max_size=14)
otps = st.text(DIGIT, min_size=6, max_size=6)


def assert_number_gone(number: str, line: str) -> None:
    out = redact(line)
    left = numbers_left(out)
    assert not [run for run in left if number in run], (line, out)


@EACH
@given(mobiles, st.sampled_from(["", "+91", "+91 ", "+91-", "0", "91"]), EDGE, EDGE, TEXT,
       TEXT, st.data())
@example("9876543210", "", " ", " ", "mobile", "", None)
def test_mobiles(number: str, prefix: str, left: str, right: str, before: str, after: str,
                 data: st.DataObject | None) -> None:
    written = data.draw(written_number(number)) if data else "98765.43210"
    assert_number_gone(number, f"{before}{left}{prefix}{written}{right}{after}")


@EACH
@given(aadhaar_numbers, EDGE, EDGE, TEXT, TEXT, st.data())
def test_aadhaar_numbers(number: str, left: str, right: str, before: str, after: str,
                         data: st.DataObject) -> None:
    written = data.draw(written_number(number))
    assert_number_gone(number, f"{before}{left}{written}{right}{after}")


@EACH
@given(references, EDGE, EDGE, TEXT, TEXT, st.data())
def test_reference_ids(number: str, left: str, right: str, before: str, after: str,
                       data: st.DataObject) -> None:
    written = data.draw(written_number(number))
    assert_number_gone(number, f"{before}{left}{written}{right}{after}")


@EACH
@given(otps, EDGE, EDGE, TEXT, TEXT, st.data())
def test_otps(number: str, left: str, right: str, before: str, after: str,
              data: st.DataObject) -> None:
    written = data.draw(written_number(number))
    assert_number_gone(number, f"{before}{left}{written}{right}{after}")


def alnum(text: str) -> str:
    return "".join(c for c in normal(text) if c.isalnum()).casefold()


@EACH
@given(st.text(UPPER, min_size=5, max_size=5), st.text(DIGIT, min_size=4, max_size=4),
       st.sampled_from(UPPER), st.data(), EDGE, EDGE, TEXT, TEXT)
def test_pans(letters: str, digits: str, last: str, data: st.DataObject, left: str,
              right: str, before: str, after: str) -> None:
    pan = letters + digits + last
    if data.draw(st.booleans(), label="spaced"):  # ABCDE 1234 F, ABCDE-12-34-F
        written = letters + data.draw(SEPARATOR) + data.draw(split(digits)) \
            + data.draw(SEPARATOR) + last
    else:  # in any case, written whole
        written = "".join(c.lower() if data.draw(st.booleans()) else c for c in pan)
    assume(pan.casefold() not in alnum(before + after))
    out = redact(f"{before}{left}{written}{right}{after}")
    assert pan.casefold() not in alnum(out), out


# Passport, voter (EPIC) and driving licence numbers: letters, then digits that people
# group and separate.
photo_ids = st.one_of(
    st.tuples(st.sampled_from(UPPER), st.text(DIGIT, min_size=7, max_size=7)),
    st.tuples(st.text(UPPER, min_size=3, max_size=3), st.text(DIGIT, min_size=7, max_size=7)),
    st.tuples(st.text(UPPER, min_size=2, max_size=2), st.text(DIGIT, min_size=13,
                                                              max_size=13)),
)


@EACH
@given(photo_ids, st.data(), EDGE, EDGE, TEXT, TEXT)
def test_passport_and_voter_numbers(parts: tuple[str, str], data: st.DataObject, left: str,
                                    right: str, before: str, after: str) -> None:
    letters, digits = parts
    written = letters + data.draw(SEPARATOR) + data.draw(split(digits))
    if data.draw(st.booleans(), label="lower"):
        written = written.lower()
    assume((letters + digits).casefold() not in alnum(before + after))
    out = redact(f"{before}{left}{written}{right}{after}")
    assert (letters + digits).casefold() not in alnum(out), out
    assert not [run for run in numbers_left(out) if digits in run], out


# Look-alikes an attacker (or a keyboard layout) puts in a name: Cyrillic and Greek letters
# that read as Latin ones.
LOOK_ALIKES = {
    "a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440",
    "x": "\u0445", "y": "\u0443", "i": "\u0456", "j": "\u0458", "s": "\u0455",
    "A": "\u0410\u0391", "B": "\u0412\u0392", "C": "\u0421", "E": "\u0415\u0395",
    "H": "\u041d\u0397", "I": "\u0406\u0399", "K": "\u041a\u039a", "M": "\u041c\u039c",
    "N": "\u039d", "O": "\u041e\u039f", "P": "\u0420\u03a1", "T": "\u0422\u03a4",
    "X": "\u0425\u03a7", "Y": "\u03a5", "Z": "\u0396", "v": "\u03bd", "u": "\u03c5",
}
BACK = {alike: latin for latin, alikes in LOOK_ALIKES.items() for alike in alikes}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\u180e"]


def folded(text: str) -> str:
    """How a reader takes a name in: as `normal`, without accents, look-alikes as Latin."""
    text = unicodedata.normalize("NFD", normal(text))
    text = "".join(BACK.get(c, c) for c in text if unicodedata.category(c) != "Mn")
    return text.casefold()


@st.composite
def disguised(draw: st.DrawFn, name: str) -> str:
    """`name` with each letter perhaps changed: case, a look-alike, full-width, an accent
    after it (NFD), an invisible character before it."""
    out = []
    for char in name:
        how = draw(st.sampled_from(["as is", "case", "look-alike", "full-width", "accent",
                                    "invisible"]))
        if how == "case":
            char = char.swapcase()
        elif how == "look-alike" and char in LOOK_ALIKES:
            char = draw(st.sampled_from(LOOK_ALIKES[char]))
        elif how == "full-width" and char.isascii() and char.isalpha():
            char = chr(ord(char) - 0x41 + 0xFF21)
        elif how == "accent":
            char += draw(st.sampled_from("\u0300\u0301\u0302\u0303\u0308\u030c\u0327\u0323"))
        elif how == "invisible":
            char = draw(st.sampled_from(INVISIBLE)) + char
        out.append(char)
    return "".join(out)


latin_parts = st.builds(lambda first, rest: first + rest, st.sampled_from(UPPER),
                        st.text(LOWER, min_size=1, max_size=11))
latin_names = st.lists(latin_parts, min_size=1, max_size=3).map(" ".join)


@EACH
@given(latin_names, st.data(), NAME_EDGE, NAME_EDGE, TEXT, TEXT)
@example("Asha Verma", None, " ", ".", "Opened the record of", "")
def test_names_however_disguised(name: str, data: st.DataObject | None, left: str,
                                 right: str, before: str, after: str) -> None:
    written = " ".join(data.draw(disguised(part)) for part in name.split()) if data else \
        "A\u200bsha V\u0435rma"
    around = folded(before + after)
    assume(not any(folded(part) in around for part in name.split()))
    out = redact(f"{before}{left}{written}{right}{after}", names=[name])
    seen = folded(PLACEHOLDERS.sub(" ", out))
    for part in name.split():
        assert folded(part) not in seen, (written, out)


local_parts = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._+-]{0,20}[A-Za-z0-9])?", fullmatch=True)
domains = st.from_regex(r"(?:[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?\.){1,3}[a-z]{2,6}",
                        fullmatch=True)


@EACH
@given(local_parts, domains, st.sampled_from(["@", " @ ", "\uff20", "\ufe6b"]), EDGE, EDGE,
       TEXT, TEXT)
@example("asha.verma+clinic", "example.co.in", "@", " ", ".", "mail", "")
def test_email_addresses(local: str, domain: str, at: str, left: str, right: str,
                         before: str, after: str) -> None:
    address = f"{local}@{domain}"
    assume(address.casefold() not in normal(before + after).casefold())
    out = redact(f"{before}{left}{local}{at}{domain}{right}{after}")
    assert address.casefold() not in normal(out).replace(" ", "").casefold(), out


def _jwt(parts: list[bytes]) -> str:
    return ".".join(base64.urlsafe_b64encode(p).decode().rstrip("=") for p in parts)


secrets = st.one_of(
    st.binary(min_size=12, max_size=48).map(lambda b: base64.b64encode(b).decode()),
    st.binary(min_size=12, max_size=48).map(lambda b: base64.b64encode(b).decode().rstrip("=")),
    st.binary(min_size=12, max_size=48).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    st.binary(min_size=12, max_size=48).map(
        lambda b: base64.urlsafe_b64encode(b).decode().rstrip("=")),
    st.binary(min_size=10, max_size=40).map(lambda b: base64.b32encode(b).decode()),
    st.binary(min_size=10, max_size=40).map(lambda b: base64.b32encode(b).decode().rstrip("=")),
    st.binary(min_size=10, max_size=32).map(bytes.hex),
    st.lists(st.binary(min_size=12, max_size=32), min_size=3, max_size=3).map(_jwt),
)


@EACH
@given(secrets, EDGE, EDGE, TEXT, TEXT)
@example("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", " ", "\n", "secret", "")
@example("q0C+/x2Ybo9LmXk3aQ==", "=", "", "key", "")
def test_secrets(secret: str, left: str, right: str, before: str, after: str) -> None:
    out = redact(f"{before}{left}{secret}{right}{after}")
    assert secret not in normal(out), out


@EACH
@given(st.binary(min_size=10, max_size=40), st.sampled_from([" ", "-", "\u00a0"]), EDGE, EDGE,
       TEXT, TEXT)
@example(b"Hello!\xde\xad\xbe\xef", " ", " ", "", "secret", "")
def test_base32_secrets_in_groups(raw: bytes, separator: str, left: str, right: str,
                                  before: str, after: str) -> None:
    """As an authenticator app's setup screen shows a TOTP secret: JBSW Y3DP EHPK 3PXP."""
    secret = base64.b32encode(raw).decode().rstrip("=")
    written = separator.join(secret[i:i + 4] for i in range(0, len(secret), 4))
    out = redact(f"{before}{left}{written}{right}{after}")
    assert secret not in re.sub(r"[\s-]", "", normal(out)), out


credentials = st.one_of(
    st.binary(min_size=1, max_size=48).map(lambda b: base64.b64encode(b).decode()),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc")),
            min_size=1, max_size=30).map(lambda t: "x" + "".join(t.split())),
)


@st.composite
def any_case(draw: st.DrawFn, word: str) -> str:
    return "".join(c.upper() if draw(st.booleans()) else c.lower() for c in word)


@EACH
@given(st.sampled_from(["Bearer", "Basic", "Token", "Digest"]), credentials, st.data(),
       st.sampled_from([" ", "  ", "\t", ": ", "=", "\u00a0", "\u2003"]),
       st.sampled_from(["", "Authorization: ", "authorization=", "Proxy-Authorization: "]),
       WORD_EDGE, TEXT, TEXT)
@example("Bearer", "eyJhbGciOiJIUzI1NiJ9", None, " ", "authorization: ", "", "", " sent")
def test_credentials_after_a_scheme_in_any_case(scheme: str, secret: str,
                                                data: st.DataObject | None, gap: str,
                                                header: str, left: str, before: str,
                                                after: str) -> None:
    written = data.draw(any_case(scheme)) if data else "bearer"
    assume(secret not in before + after and normal(secret) not in normal(before + after))
    out = PLACEHOLDERS.sub(" ", redact(f"{before}{left}{header}{written}{gap}{secret} {after}"))
    assert secret not in out and normal(secret) not in normal(out), out


@EACH
@given(st.sampled_from(["password", "PASSWORD", "client_secret", "X-Consent-Token",
                        "api_key", "apiKey", "otp", "accessToken", "Cookie", "passwd"]),
       st.sampled_from(["=", ": ", " = ", '": "', ":"]), credentials, WORD_EDGE, TEXT)
def test_values_of_secret_keys(key: str, gap: str, secret: str, left: str,
                               before: str) -> None:
    assume(secret not in before and normal(secret) not in normal(before))
    out = PLACEHOLDERS.sub(" ", redact(f"{before}{left}{key}{gap}{secret}\n"))
    assert secret not in out and normal(secret) not in normal(out), out


@EACH
@given(st.text(max_size=200))
def test_redacting_twice_changes_nothing(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
