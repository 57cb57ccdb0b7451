"""The real `vaxterm --mock` in a real terminal (tmux), used as a vaccinator would: read the
screen, type, record a dose, quit."""

from __future__ import annotations

import gzip
import sys
import time
from pathlib import Path

import pytest

from tests.support.leaks import find_leaks
from tests.support.tmux import Terminal, terminal

# The code of this checkout, whatever the virtual environment has installed.
ROOT = Path(__file__).resolve().parents[2]
VAXTERM = [sys.executable, "-m", "vaxterm"]


def clean_env(root: Path) -> dict[str, str]:
    """A fresh home, config, cache, data and temp folder: nothing of the developer's."""
    folders = {name: root / name.lower() for name in (
        "HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME",
        "XDG_RUNTIME_DIR", "TMPDIR", "VAXTERM_CONFIG_DIR")}
    for folder in folders.values():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return {**{k: str(v) for k, v in folders.items()}, "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "PATH": "/usr/bin:/bin", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def record_a_dose(term: Terminal, mobile: str = "9000000002") -> list[str]:
    """Sign in with the demo account shown on screen and record the dose that is due.
    Returns every personal or secret value that was typed or appeared on screen."""
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
    name = term.wait_for(r"On this mobile \(1\)\s+(\S+ \S+)").group(1)
    term.wait_for("Eligible today for dose")
    term.press("Enter")
    term.wait_for("Last 4 digits on the card")
    term.type(last4)
    term.press("Enter")
    term.wait_for("None apply")
    term.press("n")
    term.wait_for(r"Review and record")
    term.press("Enter")
    term.wait_for(r"Record this dose\?")
    term.press("Enter")
    term.wait_for(r"1 recorded")
    return [name, mobile, otp, code, "Train@2026"]


@pytest.mark.e2e
def test_a_vaccinator_records_a_dose_in_a_real_terminal(tmp_path: Path) -> None:
    with terminal([*VAXTERM, "--mock"], clean_env(tmp_path), cwd=tmp_path) as term:
        term.wait_for("TRAINING")
        record_a_dose(term)
        # The certificate goes to the beneficiary's mobile; the screen says only which one.
        term.wait_for(r"Certificate sent to the mobile ending 0002")
        assert "CERT" not in term.screen()
        term.press("C-q")
        term.wait_for("EXIT=0")


@pytest.mark.e2e
@pytest.mark.parametrize("planted", [False, True], ids=["clean", "planted-leak"])
def test_a_full_session_leaves_nothing_personal_on_disk(tmp_path: Path, planted: bool) -> None:
    """HOME, XDG folders, TMPDIR and the working directory are fresh folders; after a session
    (with the redacted debug log on) every file in them is searched for every value that was
    typed or shown. The planted variant writes the name it read to a compressed file, and
    the same check must fail."""
    env = clean_env(tmp_path)
    with terminal([*VAXTERM, "--mock", "--debug"], env, cwd=tmp_path) as term:
        term.wait_for("TRAINING")
        values = record_a_dose(term)
        if planted:
            leak = tmp_path / "home" / ".cache" / "session.log.gz"
            leak.parent.mkdir(parents=True, exist_ok=True)
            leak.write_bytes(gzip.compress(f"opened {values[0]}".encode()))
        term.press("F8")  # step away: lock
        term.wait_for("Locked. Signed in as demo.north1")
        term.type("Train@2026")
        term.press("Enter")
        term.wait_for("Mobile number or reference ID")
        term.press("C-l")  # sign out
        term.wait_for("Sign in to record vaccinations")
        term.press("C-q")
        term.wait_for("EXIT=0")
        # The app ran on the alternate screen: nothing of it stays in the terminal,
        # on screen or in its scrollback.
        after = term.scrollback()
    values.append("99990000000002")  # the reference ID behind the record opened
    [log] = (tmp_path / "xdg_state_home" / "vaxterm" / "log").glob("vaxterm-*.log")
    written = log.read_text()
    assert "dose 2 of COVISHIELD recorded" in written and "Locked." in written, written
    assert "the redacted debug log is in" in after
    leaks = find_leaks([tmp_path], values)
    if planted:
        assert [(leak.value, leak.form) for leak in leaks] == [(values[0], "plain (gzip)")]
    else:
        assert leaks == []
    assert [value for value in values if value in after] == []


@pytest.mark.e2e
@pytest.mark.parametrize("debug", [False, True], ids=["training", "training-debug"])
def test_textual_log_and_screenshot_variables_write_nothing(tmp_path: Path, debug: bool
                                                            ) -> None:
    """Textual's own log records every key typed; its screenshot is the screen in a file.
    Both variables are dropped at start, except in a debug run of training, where the log
    is honoured (the control that shows this test can see a write) and the screenshot is
    still refused by the app."""
    log, shots = tmp_path / "textual.log", tmp_path / "shots"
    shots.mkdir()  # ready for Textual to write into
    env = clean_env(tmp_path) | {"TEXTUAL_LOG": str(log), "TEXTUAL_SCREENSHOT": "1",
                                 "TEXTUAL_SCREENSHOT_LOCATION": str(shots)}
    args = [*VAXTERM, "--mock", *(["--debug"] if debug else [])]
    with terminal(args, env, cwd=tmp_path) as term:
        term.wait_for("TRAINING")
        if debug:  # Textual's screenshot timer ends the app, with the screenshot refused
            term.wait_for("EXIT=0")
        else:
            term.type("demo.north1")
            term.wait_for("Password")
            time.sleep(1.5)  # past the screenshot delay: no timer was set
            assert "EXIT=" not in term.screen()
            term.press("C-q")
            term.wait_for("EXIT=0")
    assert list(shots.iterdir()) == []
    assert log.exists() is debug


def register_a_walk_in(term: Terminal, name: str, number: str, mobile: str = "9000000013"
                       ) -> list[str]:
    """Signed in: register a walk-in on a mobile with nobody on it, as a person would with
    the keyboard, then vaccinate them. Returns the values typed or shown."""
    term.type(mobile)
    term.press("Enter")
    term.wait_for(r"F7 registers them as a\s+walk-in")
    term.press("F7")
    otp = term.wait_for(r"Your vaccination OTP is (\d{6})").group(1)
    term.type(otp)
    term.press("Enter")
    term.wait_for("Register a walk-in")
    term.type(name)
    term.press("Enter")
    term.type("1991")
    term.press("Enter")  # on to the gender
    term.press("Enter")  # open its list
    term.wait_for("Dismiss menu")
    term.press("Down", "Down")
    term.press("Enter")
    term.wait_for(r"Gender\s+Female")
    # The form moves on to the ID number once the list has closed (Aadhaar Card is the
    # type); a person sees it, the test waits for it.
    term.wait_for_focus("ID number")
    term.type(number)
    term.wait_for(f"ID number\\s+{number}")
    term.press("Enter")
    term.wait_for(r"On this mobile \(1\)")
    term.wait_for(f"Photo ID: Aadhaar Card ending {number[-4:]}")
    term.wait_for("Eligible today for dose 1")
    term.press("Enter")
    term.wait_for("Last 4 digits on the card")
    term.type(number[-4:])
    term.press("Enter")
    term.wait_for("None apply")
    term.press("n")
    term.wait_for("Review and record")
    term.press("Enter")
    term.wait_for(r"Record this dose\?")
    term.press("Enter")
    term.wait_for(r"1 recorded")
    return [name, number, mobile, otp]


@pytest.mark.e2e
def test_a_walk_in_registration_leaves_no_name_or_id_number_on_disk(tmp_path: Path) -> None:
    """The typed full photo-ID number and the walk-in's name, searched for in every file
    written, in every encoding, after a session with the debug log on."""
    from api_client.photo_ids import verhoeff_valid

    name = "Zzcanary Walkin"
    number = next(n for n in (f"73318462950{d}" for d in "0123456789") if verhoeff_valid(n))
    env = clean_env(tmp_path)
    with terminal([*VAXTERM, "--mock", "--debug"], env, cwd=tmp_path) as term:
        term.wait_for("TRAINING")
        code = term.wait_for(r"demo\.north1\s+Train@2026\s+(\d{6})").group(1)
        for typed in ("demo.north1", "Train@2026", code):
            term.type(typed)
            term.press("Enter")
        term.wait_for("Pick today's session")
        term.press("Enter")
        term.wait_for("Mobile number or reference ID")
        values = register_a_walk_in(term, name, number)
        assert number not in term.screen(), "the number is not shown back"
        term.press("C-l")
        term.wait_for("Sign in to record vaccinations")
        term.press("C-q")
        term.wait_for("EXIT=0")
        after = term.scrollback()
    [log] = (tmp_path / "xdg_state_home" / "vaxterm" / "log").glob("vaxterm-*.log")
    assert "dose 1 of COVISHIELD recorded" in log.read_text()
    assert find_leaks([tmp_path], values) == []
    assert [value for value in values if value in after] == []
