"""The leak scanner finds a planted leak in every form it claims to read."""

from __future__ import annotations

import base64
import gzip
import io
import zipfile
from pathlib import Path

import pytest

from tests.support.leaks import find_leaks

NAME = "ZZCANARY-NAME-7731"


@pytest.mark.parametrize(("form", "write"), [
    ("plain", lambda p: p.write_text(f"log line: {NAME} recorded")),
    ("base64", lambda p: p.write_bytes(base64.b64encode(f"{NAME}".encode()))),
    ("base64", lambda p: p.write_bytes(base64.b64encode(f"x{NAME}yz".encode()))),
    ("base64", lambda p: p.write_bytes(base64.b64encode(f"ab{NAME}".encode()))),
    ("hex", lambda p: p.write_text(NAME.encode().hex())),
    ("utf-16", lambda p: p.write_bytes(f"..{NAME}..".encode("utf-16-le"))),
    ("gzip", lambda p: p.write_bytes(gzip.compress(f"cache {NAME}".encode()))),
    ("zip", lambda p: p.write_bytes(_zipped(f"{NAME}\n"))),
])
def test_a_planted_leak_is_found(tmp_path: Path, form: str, write: object) -> None:
    target = tmp_path / "home" / ".cache" / "leak.bin"
    target.parent.mkdir(parents=True)
    write(target)  # type: ignore[operator]
    leaks = find_leaks([tmp_path], [NAME])
    assert leaks and all(leak.path == target for leak in leaks), leaks
    assert any(form in leak.form for leak in leaks), [leak.form for leak in leaks]


def test_clean_files_have_no_leaks(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('[login]\nusername = "demo.north1"\n')
    assert find_leaks([tmp_path], [NAME, "9000000002"]) == []


def _zipped(text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("dump.txt", text)
    return buffer.getvalue()
