"""Search files for personal values, however they were encoded: as written, base64 (at every
alignment), hex, UTF-16, and inside gzip or zip. Following OWASP MASTG-TEST-0207: encoding
hides data without protecting it."""

from __future__ import annotations

import base64
import contextlib
import gzip
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Leak:
    path: Path
    value: str
    form: str


def forms(value: str) -> dict[str, bytes]:
    raw = value.encode()
    found = {"plain": raw, "utf-16": value.encode("utf-16-le"), "hex": raw.hex().encode(),
             "HEX": raw.hex().upper().encode()}
    # Inside a longer base64 text the value starts at one of three alignments; keep the
    # middle characters that do not depend on its neighbours.
    for shift in range(3):
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * shift + raw)
            start = (shift * 4 + 2) // 3 + (1 if shift else 0)
            end = len(encoded) - 4
            if end - start >= 8:
                found[f"{name}+{shift}"] = encoded[start:end]
    return found


def contents(path: Path) -> Iterator[tuple[str, bytes]]:
    """The file's bytes, and what is inside it when it is gzip or zip."""
    data = path.read_bytes()
    yield "", data
    if data[:2] == b"\x1f\x8b":
        with contextlib.suppress(OSError, EOFError):
            yield " (gzip)", gzip.decompress(data)
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f" (zip:{member})", archive.read(member)
        except zipfile.BadZipFile:
            pass


def find_leaks(roots: Iterable[Path], values: Iterable[str]) -> list[Leak]:
    encoded = {value: forms(value) for value in values if value}
    leaks = []
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            for where, data in contents(path):
                for value, variants in encoded.items():
                    for form, needle in variants.items():
                        if needle in data:
                            leaks.append(Leak(path, value, form + where))
    return leaks
