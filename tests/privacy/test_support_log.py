"""The support log keeps its evidence: always on, one file a session, the last 10 sessions
kept, each capped; a header support can read; decisions; repeats counted; every line
redacted."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from api_client import errors as e
from api_client.client import TraceEvent
from tests.support import flow
from tests.support.app import build
from tests.support.leaks import find_leaks
from vaxterm import supportlog
from vaxterm.privacy import redact
from vaxterm.settings import Settings

MOBILE = "9000000002"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00 ")
LOG = logging.getLogger("vaxterm")
X = "\u00d7"  # the multiplication sign the log writes before a count


@pytest.fixture(autouse=True)
def no_session_left() -> Iterator[None]:
    yield
    supportlog.stop()


def body(path: Path) -> list[str]:
    """The lines after the header."""
    return [line for line in path.read_text().splitlines() if not line.startswith("#")]


def listing(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def said(line: str) -> str:
    """A line without its time and level: logger and message."""
    return re.sub(r"^\S+ \S+ +", "", line)


def trace(path: str, status: int | None, ms: float = 3.0, request_id: str = "",
          code: str = "") -> TraceEvent:
    return TraceEvent("GET", path, status, ms, code, request_id)


# --- evidence across restarts --------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_session_with_an_error_then_a_restart_keeps_the_first_sessions_lines(
        tmp_path: Path) -> None:
    rig = build(trace=supportlog.log_trace)
    first = supportlog.start(rig.app.desk.names, folder=tmp_path)  # the normal level
    reference = supportlog.session_reference()
    assert first is not None
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.searched(pilot, MOBILE)
        await flow.type_into(pilot, "#otp", "000000")  # wrong: an error for the log
        await pilot.press("ctrl+q")
    supportlog.stop()
    # The vaccinator restarts "for support".
    second = supportlog.start(folder=tmp_path)
    LOG.info("second session")
    supportlog.stop()
    assert second is not None and second != first
    assert listing(tmp_path) == sorted([first, second])
    text = first.read_text()
    assert text.startswith(f"# vaxterm support log · reference {reference}\n")
    assert reference in first.name and reference not in second.name
    lines = body(first)
    assert all(STAMP.match(line) for line in lines), lines
    assert any("WARNING vaxterm.error error OtpWrong code=USRAUT0014" in line for line in lines)
    # The failed call is there at the normal level; the successful ones only at DEBUG.
    assert any("vaxterm.http POST /api/v2/vaccinator/beneficiaries/confirmOTP -> 400" in line
               for line in lines)
    assert not any("-> 200" in line for line in lines)
    assert lines[-1].endswith("INFO  vaxterm session ended")
    assert "second session" in second.read_text() and "second session" not in text


def test_the_app_starts_the_log_without_debug(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from screens.app import VaxtermApp
    from vaxterm import tui

    monkeypatch.setenv("VAXTERM_LOG_DIR", str(tmp_path / "logs"))
    seen: list[Path | None] = []
    monkeypatch.setattr(VaxtermApp, "run", lambda self: seen.append(supportlog.path()))
    monkeypatch.setattr(tui, "disable_core_dumps", lambda: None)
    assert tui.run(Settings(), mock=True, debug=False) == 0
    [log] = (tmp_path / "logs").iterdir()
    assert seen == [log]  # on while the app ran
    assert supportlog.path() is None  # and closed after
    assert "# started    " in log.read_text() and " · app --mock\n" in log.read_text()


# --- the header ----------------------------------------------------------------------------------


@pytest.fixture
def zone_plus_3(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "XYZ-3")  # POSIX: a zone named XYZ, three hours east of UTC
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("zone_plus_3")
def test_the_header_says_what_support_asks_first_and_nothing_personal(tmp_path: Path) -> None:
    settings = Settings()
    settings = replace(settings, server=replace(
        settings.server, url="https://agent:s3cret@registry.example:8443/api/v2?key=abc#x"),
        login=replace(settings.login, username="asha.kumar"),
        security=replace(settings.security, idle_lock_minutes=10))
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TERM_PROGRAM": "tmux"}
    log = supportlog.start(folder=tmp_path, settings=settings, environ=env, debug=True,
                           command="app")
    supportlog.server_facts("training", "2.0.0-mock")
    supportlog.server_facts("training", "2.0.0-mock")  # said once
    supportlog.stop()
    assert log is not None
    text = log.read_text()
    header = dict(re.findall(r"^# (\w+) +(.*)$", text, re.MULTILINE))
    reference = supportlog.session_id(log).rsplit("-", 2)
    assert header["vaxterm"].startswith(f"support log · reference {'-'.join(reference[1:])}")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 · app --debug",
                        header["started"])
    assert header["times"] == ("UTC below; this computer's zone XYZ (UTC+03:00); the "
                               "registry's zone IST (UTC+05:30)")
    assert re.fullmatch(r"vaxterm 0\.1\.0 · Python 3\.\d+\.\d+ · Textual \d+\.\d+\.\d+",
                        header["versions"])
    # Through the one redaction like every line: a dotted kernel version of five digits or
    # more is masked as a number would be (over-masking a harmless value is the safe side).
    assert header["os"] == redact(supportlog.os_text())
    assert header["terminal"].startswith("TERM=xterm-256color COLORTERM=truecolor "
                                         "TERM_PROGRAM=tmux ")
    assert header["server"] == ("https://registry.example:8443/api/v2 · environment not known "
                                "yet (logged when /meta answers)")
    assert header["settings"] == ("changed from default: server.url, login.username, "
                                  "security.idle_lock_minutes (names only)")
    for secret in ("asha", "s3cret", "agent", "key=abc"):
        assert secret not in text
    facts = [line for line in body(log) if "vaxterm.server" in line]
    assert len(facts) == 1 and facts[0].endswith("environment training, server version "
                                                 "2.0.0-mock")


def test_safe_url_keeps_only_scheme_host_port_and_path() -> None:
    assert supportlog.safe_url("http://u:p@[::1]:8080/api/v2?q=1#f") == "http://[::1]:8080/api/v2"
    assert supportlog.safe_url("") == "(none configured)"
    assert supportlog.safe_url("registry.example") == "(not a valid address)"
    assert supportlog.safe_url("https://h:99999/") == "(not a valid address)"


# --- decisions, levels, repeats, errors ----------------------------------------------------------


def test_decisions_are_lines_of_their_own_redacted_like_the_rest(tmp_path: Path) -> None:
    log = supportlog.start(lambda: ["Bhavna Kaur"], folder=tmp_path)
    supportlog.decision("quit with 1 unconfirmed dose")
    supportlog.decision("signed out while BHAVNA's record (9000000002) was open")
    supportlog.decision("unlock failed (1 of 5)")
    supportlog.stop()
    assert log is not None
    lines = [line[STAMP.match(line).end():] for line in body(log)  # type: ignore[union-attr]
             if "decision" in line]
    assert lines == ["INFO  vaxterm.decision quit with 1 unconfirmed dose",
                     "INFO  vaxterm.decision signed out while [name]'s record ([number]) was "
                     "open",
                     "INFO  vaxterm.decision unlock failed (1 of 5)"]


def test_the_level_is_raised_by_debug_or_during_a_session(tmp_path: Path) -> None:
    ok_call, failed = trace("/api/v2/meta", 200), trace("/api/v2/meta", None, code="CONNECT")
    log = supportlog.start(folder=tmp_path / "normal")
    assert not supportlog.is_raised()
    supportlog.log_trace(ok_call)
    supportlog.log_trace(failed)
    supportlog.raise_level()  # the support screen's button
    assert supportlog.is_raised()
    supportlog.log_trace(ok_call)
    supportlog.stop()
    assert log is not None
    calls = [line for line in body(log) if "vaxterm.http" in line or "raised" in line]
    assert [said(c).split(" in ")[0] for c in calls] == [
        "vaxterm.http GET /api/v2/meta -> no answer",
        "vaxterm log level raised to DEBUG for the rest of this session",
        "vaxterm.http GET /api/v2/meta -> 200",
    ]
    assert "DEBUG vaxterm.http GET /api/v2/meta -> 200" in calls[-1]
    debug = supportlog.start(folder=tmp_path / "debug", debug=True)
    supportlog.log_trace(ok_call)
    supportlog.stop()
    assert debug is not None and "GET /api/v2/meta -> 200 in 3 ms" in debug.read_text()


def test_repeated_polling_collapses_into_a_count(tmp_path: Path) -> None:
    log = supportlog.start(folder=tmp_path, debug=True)
    for n in range(12):  # a minute of the login screen polling a training server
        supportlog.log_trace(trace("/api/v2/training/accounts", 200, ms=2 + n,
                                   request_id=f"{n:016x}"))
    LOG.info("user typed in the username field")
    for _ in range(3):
        LOG.info("the same event")
    supportlog.stop()
    assert log is not None
    lines = [line[STAMP.match(line).end():] for line in body(log)]  # type: ignore[union-attr]
    assert lines == [
        "DEBUG vaxterm.http GET /api/v2/training/accounts -> 200 in 2 ms (attempt 1) ref=…0000",
        f"DEBUG vaxterm.http … {X}12 in all (the same line again, the last at this time)",
        "INFO  vaxterm user typed in the username field",
        "INFO  vaxterm the same event",
        f"INFO  vaxterm … {X}3 in all (the same line again, the last at this time)",
        "INFO  vaxterm session ended",
    ]


def test_a_long_run_of_repeats_is_summed_up_now_and_then(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supportlog, "REPEAT_WINDOW_S", 1.0)
    log = supportlog.start(folder=tmp_path)
    LOG.info("server down")
    LOG.info("server down")  # within the window: counted
    time.sleep(1.1)
    LOG.info("server down")  # past it: the run is summed up, and this line written afresh
    supportlog.stop()
    assert log is not None
    lines = [said(line) for line in body(log)]
    assert lines[:3] == ["vaxterm server down",
                         f"vaxterm … {X}2 in all (the same line again, the last at this time)",
                         "vaxterm server down"]


def test_the_last_ten_errors_are_kept_for_the_support_screen(tmp_path: Path) -> None:
    names = ["Bhavna Kaur"]
    supportlog.start(lambda: names, folder=tmp_path)
    for n in range(11):
        supportlog.error(e.ServerUnavailable(code="GERR002", request_id=f"ab{n:014d}"))
    # The line the app writes today when it shows an error.
    LOG.info("error %s code=%s ref=%s: %s", "NotRegistered", "USRAUT0024", "…41f8",
             f"No BHAVNA KAUR on {MOBILE}")
    LOG.info("crash %s", "0a1b2c3d")
    errors = supportlog.recent_errors()
    supportlog.stop()
    assert len(errors) == 10
    assert [x.ref for x in errors[:8]] == [f"…{n:04d}" for n in range(3, 11)]
    assert errors[0].kind == "ServerUnavailable" and errors[0].code == "GERR002"
    assert errors[0].message == e.ServerUnavailable.default_message
    assert (errors[-2].code, errors[-2].ref, errors[-2].message) == (
        "USRAUT0024", "…41f8", "No [name] on [number]")
    assert (errors[-1].kind, errors[-1].ref) == ("crash", "0a1b2c3d")
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", x.time) for x in errors)
    assert supportlog.recent_errors() == []  # after the session


def test_the_reference_is_short_readable_and_survives_redaction() -> None:
    from vaxterm.privacy import redact

    references = {supportlog.new_reference() for _ in range(200)}
    assert len(references) == 200
    for reference in references:
        assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", reference)
        assert not set(reference) & set("AEIOU")
        assert redact(f"reference {reference}") == f"reference {reference}"
    first = supportlog.session_reference()
    assert supportlog.session_reference() == first  # stable within a session


# --- bounded -------------------------------------------------------------------------------------


def test_only_the_last_ten_sessions_are_kept(tmp_path: Path) -> None:
    references = []
    for n in range(13):
        supportlog.start(folder=tmp_path)
        references.append(supportlog.session_reference())
        LOG.info("session %d", n)
        supportlog.stop()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert len(kept) == supportlog.KEEP_SESSIONS == 10
    assert [name.rsplit("-", 2)[1] + "-" + name.rsplit("-", 2)[2][:4] for name in kept] == \
        references[3:]
    other = tmp_path / "notes.txt"  # not ours: never touched
    other.write_text("mine")
    supportlog.start(folder=tmp_path)
    supportlog.stop()
    assert other.read_text() == "mine"


def test_a_session_is_capped_in_two_parts_each_with_the_header(tmp_path: Path) -> None:
    part = 4096
    log = supportlog.start(folder=tmp_path, part_bytes=part)
    assert log is not None
    for n in range(400):
        LOG.info("line %03d %s", n, "x" * 80)
    supportlog.stop()
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == [log.name.replace(".log", ".earlier.log"), log.name]
    for file in files:
        assert file.stat().st_size <= part + 200
        assert file.read_text().startswith("# vaxterm support log · reference ")
        assert (file.stat().st_mode & 0o777) == 0o600
    assert "# continued: the earlier lines of this session are in its file ending " \
           ".earlier.log" in log.read_text()
    assert "line 399" in log.read_text()
    assert supportlog.session_files(tmp_path) == [files[0], files[1]]


def test_a_folder_that_cannot_be_written_does_not_stop_the_app(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the folder should be")
    assert supportlog.start(folder=blocker) is None
    LOG.info("nothing breaks")
    supportlog.error(e.ServerUnavailable(code="GERR002"))
    assert supportlog.path() is None
    assert len(supportlog.recent_errors()) == 1  # the screen still has them


def test_the_log_holds_nothing_personal_in_memory_between_lines(tmp_path: Path) -> None:
    """Counting repeats compares each line with the last: only its redacted text is kept,
    never the record, whose arguments would hold a name after the person is gone."""
    from tests.support.heap import collect, walk

    held = ["Bhavna Kaur"]
    supportlog.start(lambda: held, folder=tmp_path)
    try:
        LOG.info("opened %s on %s", "Bhavna Kaur", MOBILE)
        LOG.info("opened %s on %s", "Bhavna Kaur", MOBILE)  # a repeat, being counted
        held.clear()  # the person is done
        collect()
        hits = [found.path for found in walk([("logger", logging.getLogger("vaxterm"))])
                if isinstance(found.value, str)
                and ("bhavna" in found.value.casefold() or MOBILE in found.value)]
    finally:
        supportlog.stop()
    assert hits == []


# --- nothing personal ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_full_session_leaves_nothing_personal_in_the_logs(tmp_path: Path) -> None:
    rig = build(trace=supportlog.log_trace)
    supportlog.start(rig.app.desk.names, folder=tmp_path, debug=True)
    async with rig.app.run_test(size=(100, 30)) as pilot:
        await flow.signed_in(pilot, rig)
        await flow.consented(pilot, rig, MOBILE)
        person = rig.app.desk.person
        assert person is not None
        supportlog.decision(f"quit with {person.name}'s dose unconfirmed ({MOBILE})")
        supportlog.error(e.NotRegistered(f"No {person.name} on {MOBILE}"))
        otp = flow.latest_otp(rig)
        await pilot.press("ctrl+q")
    supportlog.stop()
    secrets = [person.name, *person.name.split(), person.beneficiary_reference_id, MOBILE, otp,
               "Train@2026"]
    assert find_leaks([tmp_path], secrets) == []
    [log] = listing(tmp_path)
    assert "quit with [name]'s dose unconfirmed ([number])" in log.read_text()
