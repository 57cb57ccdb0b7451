"""Redaction: the one function every log line, trace line and error message passes through.

The text is normalised first, so a value cannot slip through by the way it is written:
invisible characters (zero-width spaces and joiners, soft hyphens, bidi controls, variation
selectors) are removed, and compatibility forms of letters, digits and spaces take their
plain form (NFKC: full-width letters and digits, ligatures, no-break and other spaces). The
result is returned in that normal form. Then it masks what could identify a beneficiary or
open an account:
- digits joined by up to three characters that are neither letters nor digits (spaces of any
  kind, dashes, dots, slashes, underscores, commas, middle dots, line breaks), five digits or
  more in all: mobiles, reference IDs, Aadhaar numbers, OTPs;
- words that mix letters with four digits or more, and PANs however spaced (passport, voter,
  licence numbers);
- e-mail addresses;
- credentials: what follows `Bearer`, `Basic`, `Token` or `Digest` in any case, and the value
  of a key such as `password=`, `client_secret:` or `Authorization:`;
- token-like strings of 16 characters or more (base64 standard or URL-safe, base32, hex), and
  base32 secrets written in groups;
- the names of the people the app holds at that moment, whole or in part, in any case, with
  accents, look-alike letters (Cyrillic and Greek) and other scripts' compatibility forms
  folded before comparing.

What support needs survives: dates (ISO, and the registry's dd-mm-yyyy) and times, the
registry's error codes, short counts and durations, HTTP statuses, the names of paths,
modules and classes, and the last four characters of a reference, which the screen shows
anyway. It errs towards masking: a long count or a stray serial number is masked too.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from api_client.codes import CODES

NUMBER = "[number]"
IDENTIFIER = "[id]"
TOKEN = "[token]"
NAME = "[name]"
EMAIL = "[email]"

_KNOWN_CODES = frozenset(CODES)

# Removed before anything is read. Every format character (Unicode category Cf: soft hyphen,
# zero-width space and joiners, bidi controls, BOM, tags; a test checks this list against
# `unicodedata`), variation selectors, the combining grapheme joiner, and the Hangul fillers,
# which count as letters and would otherwise split a number or a name.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5"
    "\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufe00-\ufe0f"
    "\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\U000e0100-\U000e01ef]")

# A credential ends at white space; before it stand a key or a scheme, or several
# ("Authorization: Basic ..."), and a value that reads as a key is followed by its own
# ("auth: client_secret=..."). Read before normalising too: NFKC turns a few symbols into a
# space and a combining mark, which would cut a credential short. (The lookahead on the
# first letter only makes the search fast.)
_CREDENTIAL = r"""
    (?=[abcdopstABCDOPST])(?P<credential>(?:
        (?i:(?:(?<=[-_])|\b)(?:
            (?:password|passwd|passcode|pwd|secret|token|otp|totp|api[-_]?key|authorization
              |cookie)(?:[-_][\w-]*)?["']?\s*[:=]\s*["']?
          | (?:bearer|basic|digest|token)[\s:=]+))
      | (?<=[a-z])(?:Token|Secret|Password|Otp)["']?\s*[:=]\s*["']?
    )+)(?:[^\s:=]+["']?\s*[:=]\s*["']?)*\S+
"""
_CREDENTIALS = re.compile(_CREDENTIAL, re.VERBOSE)
# Read from the start of a word only, so a long line is read once.
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]+ ?@ ?[\w-]+(?:\.[\w-]+)*")

# Alternatives are tried in order at each position, left to right: a token is read whole
# before its digits, a code before its digits, a spaced Aadhaar as one number rather than
# three short words. Dates and times are read as numbers and kept by `_mask`.
_NUMBERS_AND_IDS = r"""
    (?P<pan>(?<![^\W_])[A-Za-z]{5}(?:[\W_]{0,3}\d){4}(?=[\W_]{0,3}[A-Za-z](?![^\W\d_]))
          | [A-Z]{5}(?:[\W_]{0,3}\d){4}(?=[\W_]{0,3}[A-Z]))
  | (?P<number>\d(?:[\W_]{0,3}\d){4,})
  | (?P<word>(?<![^\W_])(?=(?:[^\W\d_]*\d){4})(?=\d*[^\W\d_])[^\W_]+(?![^\W_]))
"""
_PATTERN = re.compile(_CREDENTIAL + r"""
  | (?P<grouped>[A-Z2-7]{4,8}(?:[\ \-][A-Z2-7]{4,8}){3,}=*)
  | (?P<token>[A-Za-z0-9+/_\-]{16,}(?:={1,3}(?![\w+/=-]))?|[A-Za-z0-9+/_\-]{10,}={1,3}(?![\w+/=-]))
  | """ + _NUMBERS_AND_IDS, re.VERBOSE)
_INSIDE_A_NAME = re.compile(_NUMBERS_AND_IDS, re.VERBOSE)

# Kept when a whole run of joined digits is one of these: a date, a time, or a date and time.
_DATE = r"""(?:(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])
             | (?:0[1-9]|[12]\d|3[01])(?P<s>[-/.])(?:0[1-9]|1[0-2])(?P=s)(?:19|20)\d\d)"""
_TIME = r"""(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d{1,6})?)?
            (?:[+-](?:[01]\d|2[0-3]):?[0-5]\d)?"""
_DATETIME = re.compile(rf"{_DATE}(?:[\W_]{{1,3}}{_TIME})?|{_TIME}", re.VERBOSE)

# The names in code a token-like run may be made of: path segments, snake_case, kebab-case,
# CamelCase and CONSTANT words, most of them words one can read; these are kept. Random
# base64 of 16 characters (12 bytes) reads as such a name about 7 times in a million, longer
# tokens not once in 1.2 million draws (measured), and is masked otherwise.
_PIECE = re.compile(r"""
    [a-z]{1,3}\d{0,2} | [A-Z]{1,3}\d{0,2} | [A-Z][a-z]{1,2} | \d{1,2}     # v2, lib, OTP, Id
  | [A-Z]{4,12}\d{0,2} | [a-z]{4,15}\d{0,2}                              # CONSENT, python3
  | (?:[A-Z]{2,4}(?=[A-Z][a-z]))? (?:[a-z]{2,15})?                       # HTTPStatus, confirm
    (?:[A-Z][a-z]{1,15}){0,4} (?:[A-Z]{2,4})? \d{0,2}                    # ...InErrorModal, ...OTP
""", re.VERBOSE)
_HUMP = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_CONSONANTS = re.compile(r"[^aeiouy\d]{4}", re.IGNORECASE)
_TRIPLE = re.compile(r"(.)\1\1")
_TWO_ACRONYMS = re.compile(r"[A-Z]{2}.*[a-z].*[A-Z]{2}\d*")
_VOWELS = frozenset("aeiouy")
# Letter pairs of English words (the 360 that make 99.5% of the pairs in the standard library's
# English); a random string has one of the other 316 every other pair.
_ENGLISH_PAIRS = frozenset(re.findall("..", (
    "abacadafagaiakalamanaparasatauavawaxaybabcbdbebibjblbobpbrbsbtbubycacccdcechcickclcmcnco"
    "crcsctcucydadcdddedidldndodpdrdsdtdudyeaebecedeeefegeheiekelemeneoepeqereseteuevewexeyfa"
    "fdfefffiflfnfofrfsftfufygageggghgiglgmgngogrgsgtgugvhahehihlhmhnhohrhshthuiaibicidieifig"
    "iiikiliminioipirisitivixizjejojukakdkekiklknkpkskukwlalblcldlelflilllnlolplrlsltlulvlwly"
    "mambmdmemimlmmmnmompmsmtmumynanbncndnenfngnhninknlnmnnnonpnsntnunvnyoaobocodoeofogoiokol"
    "omonoooporosotouovowoxpapcpdpepfphpiplpoppprpsptpupyqurarbrcrdrerfrgrirkrlrmrnrorprrrsrt"
    "rurvrwrysascsdsesfsgshsiskslsmsnsospsrssstsuswsytatctdtetfthtitltmtntotptrtstttutwtytzua"
    "ubucudueufuguiulumunuoupurusutvavevivmvowawdwewhwiwlwnwowrwsxaxcxexixlxpxsxtyeyfyiylymyn"
    "yoypysytywzezizo"
)))
_HEX = re.compile(r"[0-9a-f_/\-]+|[0-9A-F_/\-]+")


# The paths and class names of a log repeat from line to line; only they are remembered
# (never a token), and only so many.
_NAMES_IN_CODE: set[str] = set()


def _is_name_in_code(run: str) -> bool:
    if run in _NAMES_IN_CODE:
        return True
    if _reads_as_name_in_code(run):
        if len(_NAMES_IN_CODE) >= 512:
            _NAMES_IN_CODE.clear()
        _NAMES_IN_CODE.add(run)
        return True
    return False


def _reads_as_name_in_code(run: str) -> bool:
    if "+" in run or "=" in run or _HEX.fullmatch(run):
        return False
    pieces = re.split(r"[/_\-]", run.strip("/_-"))
    if "" in pieces:  # "//", "__": not how paths and names are written
        return False
    letters = in_words = 0
    for piece in pieces:
        if piece in _KNOWN_CODES:
            continue
        if not _PIECE.fullmatch(piece) or _TWO_ACRONYMS.fullmatch(piece):
            return False
        here = len(piece.rstrip("0123456789"))
        words = sum(len(h) for h in _HUMP.findall(piece) if _is_word(h))
        if here > 3 and 3 * words < 2 * here:
            return False
        letters, in_words = letters + here, in_words + words
    return 3 * in_words >= 2 * letters  # two thirds of the letters are in words


def _is_word(hump: str) -> bool:
    """A part of a name in code that reads as a word: four letters or more, a quarter of
    them vowels, pairs of letters common in English (one rare pair in eight letters or
    more), no more than three consonants in a row, no letter three times over."""
    low = hump.lower()
    vowels = sum(c in _VOWELS for c in low)
    rare = sum(a + b not in _ENGLISH_PAIRS for a, b in itertools.pairwise(low))
    return (3 < len(low) <= 15 and 4 * vowels >= len(low) and rare <= (len(low) > 7)
            and not _CONSONANTS.search(low) and not _TRIPLE.search(low))


def _mask_number(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _DATETIME.fullmatch(text) else NUMBER


def _mask(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind == "credential":
        return _mask_credential(match)
    if kind == "grouped":
        return TOKEN
    if kind == "pan":  # masked up to its last letter, which tells nothing alone
        return text if text in _KNOWN_CODES else IDENTIFIER
    if kind == "token":
        if not re.search("[A-Za-z]", text) or _is_name_in_code(text):
            # Paths and names in code are kept, but not the numbers and IDs in them.
            return _INSIDE_A_NAME.sub(_mask, text)
        return TOKEN
    if kind == "number":
        return _mask_number(match)
    # A word with four digits or more: PAN, passport and the like, or an error code.
    return text if text in _KNOWN_CODES else IDENTIFIER


def _mask_credential(match: re.Match[str]) -> str:
    """The key or scheme stays, so support sees what was masked."""
    return match.group("credential") + TOKEN


def normalise(text: str) -> str:
    """`text` as redaction reads and returns it: without invisible characters, composed
    (NFC), and with every compatibility form that stands for letters, digits or space in
    its plain form (NFKC: full-width, ligatures, circled digits, no-break spaces). Symbols
    that stand for punctuation only keep their form, so `…` stays `…`."""
    if text.isascii() or (unicodedata.is_normalized("NFKC", text)
                          and not _INVISIBLE.search(text)):
        return text
    for _ in range(3):  # a removal or a replacement may let NFC compose more; settles fast
        normal = "".join(map(_plain, unicodedata.normalize("NFC", _INVISIBLE.sub("", text))))
        if normal == text:
            break
        text = normal
    return text


@lru_cache(maxsize=4096)
def _plain(char: str) -> str:
    compatible = unicodedata.normalize("NFKC", char)
    ascii_sign = len(compatible) == 1 and compatible.isascii()  # full-width or small @, /, +
    if ascii_sign or any(c.isalnum() or c.isspace() for c in compatible):
        return compatible
    return char


# Letters that look like Latin ones, as they are after case folding, mapped to them before
# names are compared (NFKC has already mapped full-width and mathematical letters): Cyrillic,
# Greek, small capitals, and Latin letters with a stroke that NFD does not take apart. Where
# a capital and its small letter look like two Latin letters (Greek capital eta like H, its
# small letter like n), those Latin letters are folded together: h, n and v; m, u and y. A
# name then also masks the words that differ from it only there, which errs the safe way.
_LOOK_ALIKES = str.maketrans({
    **dict(zip("авсегнікмопрѕтухүһӏԁԛԝьѵј", "abcernikmonpstyxyhldqwbvj", strict=True)),
    **dict(zip("αβγεζηικμνορτυχω", "abyezhikmnoptuxw", strict=True)),
    **dict(zip("ᴀʙᴄᴅᴇɢʜɪᴊᴋʟᴍɴᴏᴘʀꜱᴛᴜᴠᴡʏᴢ", "abcdeghijklmnoprstuvwyz", strict=True)),
    **dict(zip("ıȷłøđħŀɑɡɩ", "ijlodhlagi", strict=True)),
})
_MERGED = str.maketrans("hvmy", "nnuu")


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _fold(char: str) -> str:
    """One character as names are compared: case folded, no accents, look-alikes as Latin.
    Case is folded before accents are dropped (Unicode's canonical caseless match), so that
    a letter and its capital always fold alike: ῂ and its capital ῊΙ both give ηι."""
    folded = _strip_marks(unicodedata.normalize("NFD", char).casefold())
    return folded.translate(_LOOK_ALIKES).translate(_MERGED)


class _Folds(dict[int, str]):
    """`str.translate` table folding each character, filled as characters are met. A mark
    that folds to nothing becomes NUL, so that positions in the folded text are those of
    the text unless a letter folds to two (ß to ss)."""

    def __missing__(self, code: int) -> str:
        if len(self) > 8192:
            self.clear()
        folded = self[code] = _fold(chr(code)) or "\0"
        return folded


_FOLDS = _Folds()


def _skeleton(text: str) -> str:
    """`text` folded, character by character."""
    return text.translate(_FOLDS)


@lru_cache(maxsize=4)
def _names_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    """Whole names and each part of two letters or more, folded, longest first."""
    parts = set()
    for name in names:
        written = normalise(name)
        # Parts are split at spaces and punctuation, not at the vowel signs of Indic scripts.
        spaced = "".join(c if unicodedata.category(c)[0] in "LMN" else " " for c in written)
        for part in [written, *spaced.split()]:
            if len(part) >= 2:
                parts.add(_skeleton(part).replace("\0", ""))
    parts.discard("")
    if not parts:
        return None
    # A mark folded to NUL may stand after any letter.
    alternatives = "|".join("\0*".join(map(re.escape, part))
                            for part in sorted(parts, key=len, reverse=True))
    # Bounded by anything but a letter: "Asha:" and "Asha1" are masked, "Ashapur" is not.
    return re.compile(rf"(?<![^\W\d_])(?:{alternatives})\0*(?![^\W\d_])")


def _mask_names(text: str, pattern: re.Pattern[str]) -> str:
    folded = _skeleton(text)
    spans = [m.span() for m in pattern.finditer(folded)]
    if not spans:
        return text
    if len(folded) != len(text):  # a letter folded to two: back to the text's positions
        origin = [i for i, char in enumerate(text) for _ in _FOLDS[ord(char)]]
        spans = [(origin[start], origin[end - 1] + 1) for start, end in spans]
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:  # one letter folded to two, shared by two names
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    out, last = [], 0
    for start, end in merged:
        out += [text[last:start], NAME]
        last = end
    out.append(text[last:])
    return "".join(out)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """`text` with personal and secret values masked; `names` are the people in memory.
    The result is in normal form (see `normalise`)."""
    if not text.isascii():
        text = normalise(_CREDENTIALS.sub(_mask_credential, text))
    pattern = _names_pattern(frozenset(n.strip() for n in names if n.strip()))
    if pattern is not None:
        text = _mask_names(text, pattern)
    if "@" in text:  # an address is read whole before its parts
        text = _EMAIL.sub(EMAIL, text)
    return _PATTERN.sub(_mask, text)


def forget_names() -> None:
    """Drop the compiled name patterns (they hold the names) when a person is done, and
    what was remembered of the text read (the names in code, the folded letters)."""
    _names_pattern.cache_clear()
    _NAMES_IN_CODE.clear()
    _FOLDS.clear()


def reference_tail(reference: str) -> str:
    """A reference for a log line: its last four characters, enough to match a report."""
    return f"…{reference[-4:]}" if len(reference) > 4 else reference


def forget_cached_text() -> None:
    """Rich and Textual memoise rendered text (cell widths, styled lines) in process-wide
    caches that outlive every screen, so names and numbers would stay in memory after
    sign-out. Emptied at sign-out and exit; they refill with whatever is shown next."""
    import functools
    import sys

    lru = functools._lru_cache_wrapper
    for name, module in list(sys.modules.items()):
        # urllib.parse caches whole URLs, reference IDs in their paths included.
        if module is None or not name.startswith(("rich", "textual", "urllib.parse")):
            continue
        for value in list(vars(module).values()):
            members = vars(value).values() if isinstance(value, type) else (value,)
            for member in list(members):
                if isinstance(member, lru):
                    member.cache_clear()
