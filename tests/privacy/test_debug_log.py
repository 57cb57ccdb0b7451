"""The support log at `--debug` level is what support reads: screens, every call, errors, a
crash's traceback; and nothing personal, because every line passes the redaction function."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

import pytest

from api_client import errors as e
from tests.support import flow
from tests.support.app import build, settle
from tests.support.leaks import find_leaks
from vaxterm import paths, supportlog

pytestmark = pytest.mark.anyio
MOBILE = "9000000002"


async def test_a_full_session_is_logged_for_support_with_nothing_personal(tmp_path: Path
                                                                         ) -> None:
    rig = build(trace=supportlog.log_trace)
    log = supportlog.start(rig.app.desk.names, folder=tmp_path / "logs", debug=True)
    assert log is not None
    try:
        async with rig.app.run_test(size=(100, 30)) as pilot:
            await flow.signed_in(pilot, rig)
            await flow.searched(pilot, MOBILE)
            await flow.type_into(pilot, "#otp", "000000")  # wrong: an error for the log
            otp = flow.latest_otp(rig)
            await flow.type_into(pilot, "#otp", otp)
            person = rig.app.desk.consent.beneficiaries[0]  # type: ignore[union-attr]
            # What a careless line of code or an echoing server would put in the log.
            logging.getLogger("vaxterm").info("opened %s (%s) on %s", person.name,
                                              person.beneficiary_reference_id, MOBILE)
            rig.app.explain(e.NotRegistered(f"No {person.name.upper()} on {MOBILE}"))
            await flow.id_checked(pilot, rig)
            await flow.recorded(pilot)
            assert rig.app.desk.doses_recorded == 1
            await pilot.press("f5")  # the certificate sent again: a call for the log too
            await settle(pilot)
            assert len(rig.registry.state.certificates) == 2
            await pilot.press("ctrl+q")
    finally:
        supportlog.stop()
    text = log.read_text()
    assert (log.stat().st_mode & 0o777) == 0o600
    assert (log.parent.stat().st_mode & 0o777) == 0o700
    for expected in ("vaxterm.http POST /api/v2/auth/vaccinator/login -> 200 in ",
                     "POST /api/v2/vaccinator/beneficiaries/confirmOTP -> 400 in ",
                     "code=USRAUT0014", "error OtpWrong code=USRAUT0014",
                     "vaxterm.screens SearchScreen", "vaxterm.screens BeneficiaryOtpScreen",
                     "vaxterm.screens RecordDoseScreen", "signed in at ",
                     "dose 2 of COVISHIELD recorded", "opened [name] ([number]) on [number]",
                     "No [name] on [number]"):
        assert expected in text, expected
    # Nothing about the certificate is written: neither its number nor its link.
    certificate = rig.registry.state.people[person.beneficiary_reference_id].doses[-1]
    links = {message.link for _, message in rig.registry.state.certificates}
    assert "POST /api/v2/vaccinator/vaccinations/{vaccination_id}/certificate/resend" in text
    secrets = [person.name, *person.name.split(), person.beneficiary_reference_id, MOBILE, otp,
               rig.registry.current_code("demo.north1"), "Train@2026",
               certificate.certificate_id, *links]
    assert find_leaks([tmp_path], secrets) == []


async def test_a_crash_traceback_is_logged_redacted_and_without_locals(tmp_path: Path
                                                                      ) -> None:
    rig = build()
    log = supportlog.start(rig.app.desk.names, folder=tmp_path)
    assert log is not None
    try:
        with pytest.raises(ValueError):
            async with rig.app.run_test(size=(100, 30)) as pilot:
                await flow.signed_in(pilot, rig)
                await flow.consented(pilot, rig, MOBILE)
                name = rig.app.desk.person.name  # type: ignore[union-attr]

                def explode() -> None:
                    held = f"{name} {MOBILE}"  # a local: Textual's own report would show it
                    raise ValueError(f"bad record for {held}")

                pilot.app.screen.call_later(explode)
                await pilot.pause()
                await pilot.pause()
    finally:
        supportlog.stop()
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "in explode" in text
    assert "ValueError: bad record for [name] [number]" in text
    # The reference the vaccinator is told to quote is kept as shown, not masked.
    assert re.search(r" vaxterm crash [0-9a-f]{8}\n", text), text
    assert find_leaks([tmp_path], [name, *name.split(), MOBILE]) == []


def test_without_a_session_nothing_reaches_the_terminal(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    logger = logging.getLogger("vaxterm")
    assert not logger.propagate
    assert all(isinstance(h, logging.NullHandler) for h in logger.handlers)
    logger.error("Bhavna Kaur 9000000002")  # would reach the terminal without the null handler
    assert capsys.readouterr() == ("", "")


def test_the_log_is_where_it_is_told_and_owner_only_whatever_the_umask(tmp_path: Path
                                                                        ) -> None:
    assert paths.log_dir({"VAXTERM_LOG_DIR": str(tmp_path / "x")}) == tmp_path / "x"
    wide = os.umask(0o000)
    try:
        log = supportlog.start(environ={"VAXTERM_LOG_DIR": str(tmp_path / "x")})
        logging.getLogger("vaxterm").info("a line")
        supportlog.stop()
    finally:
        os.umask(wide)
    assert log is not None and log.parent == tmp_path / "x"
    assert (log.stat().st_mode & 0o777) == 0o600
    assert (log.parent.stat().st_mode & 0o777) == 0o700
