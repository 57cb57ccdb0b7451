"""`vaxterm support-bundle`: doctor's findings and the kept support logs in one zip, to
send to the helpdesk. Every member is passed through `privacy.redact` again before it is
written (a log from an older version, a line that slipped through), the zip is created
owner-only (0600), and its path is printed."""

from __future__ import annotations

import json
import logging
import os
import sys
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from vaxterm import doctor, paths, supportlog
from vaxterm.doctor_model import Check
from vaxterm.privacy import redact

if TYPE_CHECKING:
    from vaxterm.credentials import CredentialStore

README = """\
vaxterm support bundle, reference {reference}

doctor.txt   what `vaxterm doctor` found, one line per check (✓ ok, ! warning, ✗ problem)
doctor.json  the same as data
logs/        the support logs of the last sessions on this computer, oldest first; each
             starts with a header (versions, OS, terminal, server, time zone)

Everything here was passed through vaxterm's redaction again before it was written:
numbers of five digits or more, identifiers, tokens and names are masked.
How to read it: docs/support.md in vaxterm's sources.
"""


def scrubbed(value: Any) -> Any:
    """Every string of a JSON value redacted; the structure (and so the JSON) stays valid."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int) and not isinstance(value, bool):
        masked = redact(str(value))  # a long number becomes the string "[number]"
        return value if masked == str(value) else masked
    if isinstance(value, list):
        return [scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {k: scrubbed(v) for k, v in value.items()}
    return value


def members(report: doctor.Report, folder: Path) -> list[tuple[str, str]]:
    text = "\n".join([*(doctor.line(c) for c in report.checks), doctor.summary(report)])
    texts = [("README.txt", README.format(reference=report.reference)),
             ("doctor.txt", text + "\n")]
    for file in supportlog.session_files(folder):
        try:
            texts.append((f"logs/{file.name}", file.read_text(encoding="utf-8",
                                                              errors="replace")))
        except OSError:
            continue  # pruned meanwhile by another vaxterm
    # The JSON is redacted value by value, so that it stays JSON.
    data = json.dumps(scrubbed(report.as_dict()), ensure_ascii=False, indent=2) + "\n"
    redacted = [(name, redact(content)) for name, content in texts]
    return [*redacted[:2], ("doctor.json", data), *redacted[2:]]


def write(report: doctor.Report, folder: Path, out_dir: Path) -> Path:
    """The zip, created owner-only; never overwrites a file."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = out_dir / f"vaxterm-support-{stamp}-{report.reference}.zip"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(descriptor, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as raw, zipfile.ZipFile(
                raw, "w", zipfile.ZIP_DEFLATED) as archive:
            when = datetime.now(UTC).timetuple()[:6]
            for name, content in members(report, folder):
                info = zipfile.ZipInfo(name, date_time=when)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o600 << 16
                archive.writestr(info, content)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def main(*, server: str | None = None, output: str | None = None,
         environ: Mapping[str, str] | None = None, out: IO[str] | None = None,
         credentials: CredentialStore | None = None) -> int:
    out = out or sys.stdout
    env = os.environ if environ is None else environ
    ctx = doctor.load_settings(env, server)
    ctx.credentials = credentials
    out_dir = Path(output) if output else Path.cwd()
    out.write(f"vaxterm support-bundle · support reference "
              f"{supportlog.session_reference()}\n")

    def show(check: Check) -> None:
        out.write(doctor.line(check) + "\n")
        out.flush()

    try:
        report = doctor.diagnose(ctx, show, command="support-bundle")
        try:
            path = write(report, paths.log_dir(env), out_dir)
        except OSError as exc:
            out.write(f"vaxterm: the bundle could not be written in {out_dir} "
                      f"({type(exc).__name__}); try --output with a folder of yours\n")
            return 1
        logging.getLogger(f"{supportlog.LOGGER}.bundle").info("support bundle written: %s",
                                                              path.name)
    finally:
        supportlog.stop()
    out.write(f"support bundle (redacted, readable by you only): {path}\n")
    return 0
