"""The real `vaxterm --mock` in a real terminal (tmux), used as a vaccinator would: read the
screen, type, record a dose, quit."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.support.tmux import Terminal, terminal

VAXTERM = str(Path(sys.executable).with_name("vaxterm"))


def clean_env(root: Path) -> dict[str, str]:
    """A fresh home, config, cache, data and temp folder: nothing of the developer's."""
    folders = {name: root / name.lower() for name in (
        "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR", "TMPDIR", "VAXTERM_CONFIG_DIR")}
    for folder in folders.values():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {**{k: str(v) for k, v in folders.items()}, "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def record_a_dose(term: Terminal, mobile: str = "9000000002") -> None:
    """Sign in with the demo account shown on screen and record the dose that is due."""
    code = term.wait_for(r"demo\.north1\s+Train@2026\s+(\d{6})").group(1)
    term.type("demo.north1")
    term.press("Enter")
    term.type("Train@2026")
    term.press("Enter")
    term.type(code)
    term.press("Enter")
    term.wait_for("Pick today's session")
    term.press("Enter")  # the first session: COVISHIELD
    term.wait_for("Mobile number or reference ID")
    term.type(mobile)
    term.press("Enter")
    otp = term.wait_for(r"Your vaccination OTP is (\d{6})").group(1)
    term.type(otp)
    term.press("Enter")
    last4 = term.wait_for(r"Photo ID: [^·]*? ending (\d{4})").group(1)
    term.wait_for("Eligible today for dose")
    term.press("Enter")
    term.wait_for("Last 4 digits on the card")
    term.type(last4)
    term.press("Enter")
    term.wait_for(r"Review and record")
    term.press("Enter")
    term.wait_for(r"Record this dose\?")
    term.press("Enter")
    term.wait_for(r"1 recorded")


@pytest.mark.e2e
def test_a_vaccinator_records_a_dose_in_a_real_terminal(tmp_path: Path) -> None:
    with terminal([VAXTERM, "--mock"], clean_env(tmp_path), cwd=tmp_path) as term:
        term.wait_for("TRAINING")
        record_a_dose(term)
        assert "Dose 2 recorded. Certificate CERT" in term.wait_for(
            r"Dose 2 recorded\. Certificate CERT\d+").group(0)
        term.press("C-q")
        term.wait_for("EXIT=0")
