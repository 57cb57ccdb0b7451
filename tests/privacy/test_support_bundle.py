"""`vaxterm support-bundle`: one owner-only zip of doctor's findings and the support logs,
each member redacted again; the leak scanner finds nothing personal in it after a session
that held synthetic people, even when an older log was not redacted."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from api_client import errors as e
from tests.support import flow
from tests.support.app import build
from tests.support.leaks import find_leaks
from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from tests.support.mock_process import mock_server
from vaxterm import bundle, supportlog
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore

MOBILE = "9000000002"


def environ(tmp_path: Path) -> dict[str, str]:
    return {"VAXTERM_CONFIG_DIR": str(tmp_path / "config"),
            "VAXTERM_LOG_DIR": str(tmp_path / "logs"), "TERM": "xterm-256color",
            "COLUMNS": "100", "LINES": "30", "VAXTERM_LOGIN__USERNAME": "demo.north1"}


def make_bundle(tmp_path: Path, server: str | None = None) -> tuple[int, str, Path]:
    out = io.StringIO()
    store = CredentialStore("", ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, MemoryKeyring())
    (tmp_path / "out").mkdir(exist_ok=True)
    code = bundle.main(server=server, output=str(tmp_path / "out"), environ=environ(tmp_path),
                       out=out, credentials=store)
    [zipped] = (tmp_path / "out").iterdir()
    return code, out.getvalue(), zipped


async def a_session_with_people(tmp_path: Path) -> list[str]:
    """The app at --debug level: sign in, consent, an error naming the person; returns the
    personal values it held."""
    rig = build(trace=supportlog.log_trace)
    supportlog.start(rig.app.desk.names, folder=tmp_path / "logs", debug=True)
    try:
        async with rig.app.run_test(size=(100, 30)) as pilot:
            await flow.signed_in(pilot, rig)
            await flow.consented(pilot, rig, MOBILE)
            person = rig.app.desk.person
            assert person is not None
            rig.app.explain(e.NotRegistered(f"No {person.name} on {MOBILE}"))
            supportlog.decision(f"quit with {person.name}'s dose unconfirmed")
            otp = flow.latest_otp(rig)
            await pilot.press("ctrl+q")
    finally:
        supportlog.stop()
    return [person.name, *person.name.split(), person.beneficiary_reference_id, MOBILE, otp,
            rig.registry.current_code("demo.north1"), "Train@2026"]


@pytest.mark.anyio
@pytest.mark.loopback
async def test_the_bundle_after_a_session_holds_the_evidence_and_nothing_personal(
        tmp_path: Path) -> None:
    secrets = await a_session_with_people(tmp_path)
    with mock_server() as server:
        code, printed, zipped = make_bundle(tmp_path, server.base)
    assert code == 0
    assert printed.splitlines()[-1] == (f"support bundle (redacted, readable by you only): "
                                        f"{zipped}")
    assert (zipped.stat().st_mode & 0o777) == 0o600
    reference = re.search(r"support reference ([B-Z]{4}-[B-Z]{4})", printed).group(1)  # type: ignore[union-attr]
    assert zipped.name.endswith(f"-{reference}.zip")
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        logs = [n for n in names if n.startswith("logs/")]
        assert names[:3] == ["README.txt", "doctor.txt", "doctor.json"]
        assert len(logs) == 2  # the app's session, then this bundle's own
        report = json.loads(archive.read("doctor.json"))
        app_log = archive.read(logs[0]).decode()
        own_log = archive.read(logs[1]).decode()
        doctor_text = archive.read("doctor.txt").decode()
    assert report["reference"] == reference and report["exit_code"] == 0
    assert [c["status"] for c in report["checks"] if c["id"] == "meta"] == ["ok"]
    assert doctor_text.splitlines()[-1].startswith("all good · support reference ")
    assert "error NotRegistered code=USRAUT0024 ref=-: No [name] on [number]" in app_log
    assert "vaxterm.decision quit with [name]'s dose unconfirmed" in app_log
    assert own_log.startswith(f"# vaxterm support log · reference {reference}")
    assert find_leaks([tmp_path / "out"], secrets) == []
    assert find_leaks([tmp_path / "logs"], secrets) == []


def test_an_older_log_that_was_not_redacted_is_redacted_in_the_bundle(tmp_path: Path) -> None:
    raw = ["9876543210", "99990000000002", "eyJhbGciOiJIUzI1NiJ9abcdefghij", "ABCDE1234F"]
    logs = tmp_path / "logs"
    logs.mkdir(mode=0o700)
    old = logs / "vaxterm-20260101T000000000000Z-BCDF-GHJK.log"
    old.write_text(f"# an older version's log\nsearched {raw[0]} ref {raw[1]} token {raw[2]} "
                   f"PAN {raw[3]}\n")
    old.chmod(0o600)
    # The scanner sees them where they are: the check below could fail.
    assert {leak.value for leak in find_leaks([logs], raw)} == set(raw)
    code, _, zipped = make_bundle(tmp_path)
    assert code == 0
    assert find_leaks([tmp_path / "out"], raw) == []
    with zipfile.ZipFile(zipped) as archive:
        member = archive.read(f"logs/{old.name}").decode()
    assert "searched [number] ref [number] token [token] PAN [id]" in member


def test_doctor_json_in_the_bundle_stays_valid_json_after_redaction(tmp_path: Path) -> None:
    code, _, zipped = make_bundle(tmp_path, "https://registry.example:8443/api/v2")
    with zipfile.ZipFile(zipped) as archive:
        report = json.loads(archive.read("doctor.json"))
    assert report["checks"][0]["id"] == "settings"
    assert code == 0  # the bundle is written even when doctor found problems


def test_a_folder_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    out = io.StringIO()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    code = bundle.main(output=str(blocked), environ=environ(tmp_path), out=out,
                       credentials=CredentialStore("", backend=MemoryKeyring()))
    assert code == 1
    assert "the bundle could not be written in" in out.getvalue()
