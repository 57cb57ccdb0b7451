"""`vaxterm doctor` against real `vaxterm mock-server` processes on loopback: each situation
support meets, with the ✓/!/✗ line expected and the exit code; the JSON read back each time."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.loopback import free_port
from tests.support.memkeyring import MEMORY_BACKEND, MemoryKeyring
from tests.support.mock_process import Certificate, MockServer, certificate, mock_server
from vaxterm import doctor
from vaxterm.credentials import ENCRYPTED_BACKENDS, CredentialStore

pytestmark = pytest.mark.loopback
IDS = [step.id for step in doctor.STEPS]
USER = "demo.north1"
KEYS = {"id", "name", "status", "symbol", "detail", "fix", "skipped_because", "data"}


@pytest.fixture(scope="module")
def plain() -> Iterator[MockServer]:
    with mock_server() as server:
        yield server


@pytest.fixture(scope="module")
def good_cert(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    return certificate(tmp_path_factory.mktemp("good"))


@pytest.fixture(scope="module")
def tls(good_cert: Certificate) -> Iterator[MockServer]:
    with mock_server(tls=good_cert) as server:
        yield server


def environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A terminal of 100 by 30, folders of the test's own, no proxy: nothing of the host's."""
    return {"VAXTERM_CONFIG_DIR": str(tmp_path / "config"),
            "VAXTERM_LOG_DIR": str(tmp_path / "logs"), "VAXTERM_LOGIN__USERNAME": USER,
            "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30", **extra}


def safe_keyring(stored: bool = True) -> CredentialStore:
    """An in-memory keyring accepted as encrypted (what a Secret Service gives)."""
    backend = MemoryKeyring()
    store = CredentialStore("127.0.0.1", ENCRYPTED_BACKENDS | {MEMORY_BACKEND}, backend)
    if stored:
        backend.set_password(store.service, USER, "Train@2026")
    return store


def run(env: dict[str, str], server: str | None, *, as_json: bool = True,
        credentials: CredentialStore | None = None, timeout: float = 3.0
        ) -> tuple[int, Any]:
    out = io.StringIO()
    code = doctor.main(server=server, as_json=as_json, environ=env, out=out,
                       credentials=credentials or safe_keyring(), timeout=timeout)
    return code, (json.loads(out.getvalue()) if as_json else out.getvalue())


def checks(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's checks by id, after checking the JSON's shape."""
    assert set(report) == {"reference", "started", "vaxterm", "exit_code", "summary", "log",
                           "checks"}
    assert re.fullmatch(r"[B-Z]{4}-[B-Z]{4}", report["reference"])
    assert [c["id"] for c in report["checks"]] == IDS
    for check in report["checks"]:
        assert set(check) == KEYS
        assert check["symbol"] == {"ok": "✓", "warn": "!", "fail": "✗", "skip": "-"}[
            check["status"]]
        assert (check["fix"] is not None) == (check["status"] in ("warn", "fail")), check
    assert sum(report["summary"].values()) == len(IDS)
    return {c["id"]: c for c in report["checks"]}


def statuses(found: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {key: check["status"] for key, check in found.items()}


ALL_OK = dict.fromkeys(IDS, "ok")


def test_all_good_over_tls_with_pin_ca_bundle_and_a_stored_password(
        tls: MockServer, good_cert: Certificate, tmp_path: Path) -> None:
    env = environ(tmp_path, VAXTERM_SERVER__CA_BUNDLE=str(good_cert.ca),
                  VAXTERM_SERVER__PIN_SHA256=good_cert.pin)
    code, report = run(env, tls.base)
    found = checks(report)
    assert statuses(found) == ALL_OK, found
    assert code == report["exit_code"] == 0
    assert "the pin matches" in found["tls"]["detail"]
    assert found["tls"]["data"]["days_left"] >= 360
    assert found["meta"]["data"]["environment"] == "training"
    assert abs(found["clock"]["data"]["skew_seconds"]) <= 2
    assert found["keyring"]["data"] == {"backend": MEMORY_BACKEND, "encrypted": True,
                                        "service": "vaxterm:127.0.0.1",
                                        "password_stored": True}
    assert "Train@2026" not in json.dumps(report)
    # The reference heads this run's log.
    log = Path(report["log"])
    assert log.read_text().startswith(f"# vaxterm support log · reference {report['reference']}")


def test_plain_http_on_loopback_is_fine_and_tls_is_not_applicable(plain: MockServer,
                                                                   tmp_path: Path) -> None:
    code, text = run(environ(tmp_path), plain.base, as_json=False)
    assert code == 0
    lines = text.splitlines()
    assert re.fullmatch(r"vaxterm doctor · support reference [B-Z]{4}-[B-Z]{4}", lines[0])
    assert len(lines) == 2 + len(IDS)
    assert "- TLS" in text and "plain http: no TLS to check" in text
    assert [line[0] for line in lines[1:-1]] == ["✓"] * 4 + ["-"] + ["✓"] * 7
    assert lines[-1].startswith("all good · support reference ")


def test_nothing_listening_names_one_cause_and_skips_what_depends_on_it(tmp_path: Path
                                                                        ) -> None:
    port = free_port()
    code, report = run(environ(tmp_path), f"http://127.0.0.1:{port}/api/v2")
    found = checks(report)
    assert code == 1
    assert found["tcp"]["status"] == "fail"
    assert found["tcp"]["detail"] == f"nothing listening at 127.0.0.1:{port} (connection refused)"
    assert "not running there" in found["tcp"]["fix"]
    for later in ("tls", "meta", "clock"):
        assert found[later]["status"] == "skip"
        assert found[later]["detail"] == "skipped: TCP failed"
        assert found[later]["skipped_because"] == "tcp"
    assert [c["status"] for c in report["checks"]].count("fail") == 1


def test_a_base_without_api_v2_is_probed_and_the_fix_names_the_right_one(
        plain: MockServer, tmp_path: Path) -> None:
    code, text = run(environ(tmp_path), plain.origin, as_json=False)
    assert code == 0
    meta = next(line for line in text.splitlines() if "GET /meta" in line)
    assert meta.startswith("! GET /meta")
    assert f"found at {plain.base}, not at the address configured" in meta
    assert meta.endswith(f"→ Set server.url (or --server) to {plain.base}.")
    code, report = run(environ(tmp_path), plain.origin)
    found = checks(report)
    assert found["meta"]["data"]["base_used"] == plain.base
    assert found["clock"]["status"] == "ok"  # the probed address was used on
    # The log says which address was asked, since the trace shows the contract's path.
    log = Path(report["log"]).read_text()
    # The address and its port read as one number to the redaction: masked whole.
    assert "asking GET http://[number]/meta" in log
    assert "asking GET http://[number]/api/v2/meta" in log


def test_a_wrong_pin_fails_tls_and_nothing_is_asked(tls: MockServer, good_cert: Certificate,
                                                     tmp_path: Path) -> None:
    wrong = base64.b64encode(hashlib.sha256(b"another key").digest()).decode()
    env = environ(tmp_path, VAXTERM_SERVER__CA_BUNDLE=str(good_cert.ca),
                  VAXTERM_SERVER__PIN_SHA256=wrong)
    code, text = run(env, tls.base, as_json=False)
    assert code == 1
    line = next(line for line in text.splitlines() if " TLS " in line)
    assert line.startswith("✗ TLS")
    assert f"the server's key is not the pinned one (server {good_cert.pin}, pinned {wrong})" \
        in line
    assert "→ If the registry changed its key" in line
    assert "- GET /meta       skipped: TLS failed" in text
    assert "- clock           skipped: TLS failed" in text


def test_an_untrusted_certificate_fails_tls(tls: MockServer, tmp_path: Path) -> None:
    code, report = run(environ(tmp_path), tls.base)
    found = checks(report)
    assert code == 1
    assert found["tls"]["status"] == "fail"
    assert found["tls"]["detail"].startswith("the certificate is not trusted by the system's CAs")
    assert "issued by" in found["tls"]["detail"] and "trustme" in found["tls"]["detail"]
    assert "set server.ca_bundle" in found["tls"]["fix"]
    assert found["meta"]["skipped_because"] == "tls"


def test_a_certificate_for_another_name_fails_tls(tls: MockServer, good_cert: Certificate,
                                                  tmp_path: Path) -> None:
    env = environ(tmp_path, VAXTERM_SERVER__CA_BUNDLE=str(good_cert.ca))
    code, report = run(env, f"https://localhost:{tls.port}/api/v2")
    found = checks(report)
    assert code == 1
    assert found["tcp"]["status"] == "ok"  # ::1 may be refused first; 127.0.0.1 answers
    assert found["tls"]["detail"] == "the certificate is not for localhost: it names 127.0.0.1"


@pytest.mark.parametrize(("days", "status", "words", "code"), [
    (10, "warn", "the certificate expires in 10 day(s)", 0),
    (-2, "fail", "the certificate expired on ", 1),
], ids=["expiring", "expired"])
def test_certificate_expiry(days: int, status: str, words: str, code: int, tmp_path: Path
                            ) -> None:
    cert = certificate(tmp_path / "cert", days=days)
    with mock_server(tls=cert) as server:
        got, report = run(environ(tmp_path, VAXTERM_SERVER__CA_BUNDLE=str(cert.ca)),
                          server.base)
    found = checks(report)
    assert (got, found["tls"]["status"]) == (code, status)
    assert found["tls"]["detail"].startswith(words)
    if status == "warn":
        assert "renewed before" in found["tls"]["fix"]
        assert found["meta"]["status"] == found["clock"]["status"] == "ok"


@pytest.mark.parametrize(("offset", "status", "side", "code"), [
    (120, "fail", "behind", 1), (-120, "fail", "ahead of", 1), (45, "warn", "behind", 0),
], ids=["2-minutes-slow", "2-minutes-fast", "45-seconds"])
def test_clock_skew_against_a_mock_whose_clock_is_off(offset: int, status: str, side: str,
                                                      code: int, tmp_path: Path) -> None:
    with mock_server("--clock-offset", str(offset)) as server:
        got, report = run(environ(tmp_path), server.base)
    found = checks(report)
    assert got == code
    clock = found["clock"]
    assert clock["status"] == status
    assert abs(clock["data"]["skew_seconds"] - offset) <= 2
    said = re.match(rf"this computer is (\d+) s {side} the server", clock["detail"])
    assert said is not None and abs(int(said.group(1)) - abs(offset)) <= 2, clock["detail"]
    assert "Turn on automatic time (NTP)" in clock["fix"]
    assert found["meta"]["status"] == "ok"


def test_a_keyring_that_does_not_encrypt_is_a_warning(plain: MockServer, tmp_path: Path
                                                      ) -> None:
    backend = MemoryKeyring()  # what keyrings.alt's plain-text file would be: not allowed
    store = CredentialStore("127.0.0.1", backend=backend)
    code, report = run(environ(tmp_path), plain.base, credentials=store)
    found = checks(report)
    assert code == 0
    assert found["keyring"]["status"] == "warn"
    assert found["keyring"]["detail"] == (f"{MEMORY_BACKEND} does not keep passwords "
                                          f"encrypted: vaxterm will not keep the password here")
    assert found["keyring"]["data"]["password_stored"] is None  # not even looked up


def test_no_password_stored_is_fine_and_said(plain: MockServer, tmp_path: Path) -> None:
    code, report = run(environ(tmp_path), plain.base, credentials=safe_keyring(stored=False))
    found = checks(report)
    assert code == 0
    assert found["keyring"]["detail"].endswith("a password is not stored for the configured user")


def test_a_proxy_variable_is_reported_without_credentials_and_not_used(
        plain: MockServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Were the proxy used, GET /meta would fail: nothing listens at the proxy's port.
    proxy = f"http://agent:s3cret@127.0.0.1:{free_port()}"
    for name, value in (("HTTPS_PROXY", proxy), ("http_proxy", proxy),
                        ("no_proxy", "registry.example")):
        monkeypatch.setenv(name, value)  # where httpx would read them
    env = environ(tmp_path, HTTPS_PROXY=proxy, http_proxy=proxy, no_proxy="registry.example")
    code, text = run(env, plain.base, as_json=False)
    assert code == 0
    line = next(line for line in text.splitlines() if "proxy and CA" in line)
    shown = proxy.replace("agent:s3cret@", "")
    assert line.startswith(f"! proxy and CA    set: HTTPS_PROXY={shown}, http_proxy={shown}, "
                           f"no_proxy=registry.example (not used by these checks)")
    assert "→ The app's connections go through the proxy" in line
    assert "s3cret" not in text and "agent" not in text
    assert "✓ GET /meta" in text


def test_a_server_that_accepts_but_never_answers_is_given_up_in_bounded_time(
        tmp_path: Path) -> None:
    with socket.socket() as listener:  # accepts connections (backlog), never reads
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        begun = time.monotonic()
        code, report = run(environ(tmp_path), f"http://127.0.0.1:{port}/api/v2", timeout=1.0)
        took = time.monotonic() - begun
    found = checks(report)
    assert code == 1
    assert found["tcp"]["status"] == "ok"
    assert found["meta"]["detail"] == "no complete answer to GET /meta (TIMEOUT-READ)"
    assert found["clock"]["skipped_because"] == "meta"
    assert took < 8, took
