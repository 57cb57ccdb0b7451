"""`vaxterm doctor`: what support asks first, checked in order, one line each.

settings → server address → DNS → TCP → TLS → proxy and CA variables → GET /meta → clock
skew → keyring → log folder → terminal → versions. A check whose input an earlier one could
not give is skipped, naming that earlier check once, so one root cause shows as one ✗.
No login, nothing personal; every network step is bounded by a few seconds. The run is a
support-log session of its own: the reference printed first also heads that log.

Exit code: 0 all ✓ (or only !), 1 any ✗, 2 the settings cannot be used.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import IO, TYPE_CHECKING, Any

from vaxterm import __version__, doctor_local, doctor_net, supportlog
from vaxterm.doctor_model import SYMBOLS, TIMEOUT_S, Check, Context, Status

if TYPE_CHECKING:
    from vaxterm.credentials import CredentialStore

EXIT_OK, EXIT_PROBLEM, EXIT_SETTINGS = 0, 1, 2
Run = Callable[[Context], Check]


@dataclass(frozen=True)
class Step:
    id: str
    name: str
    run: Run
    needs: tuple[str, ...] = ()


STEPS = (
    Step("settings", "settings", doctor_local.settings_check),
    Step("address", "server address", doctor_local.address_check, ("settings",)),
    Step("dns", "DNS", doctor_net.dns_check, ("address",)),
    Step("tcp", "TCP", doctor_net.tcp_check, ("dns",)),
    Step("tls", "TLS", doctor_net.tls_check, ("tcp",)),
    Step("environment", "proxy and CA", doctor_local.environment_check),
    Step("meta", "GET /meta", doctor_net.meta_check, ("tcp", "tls")),
    Step("clock", "clock", doctor_net.clock_check, ("meta",)),
    Step("keyring", "keyring", doctor_local.keyring_check),
    Step("logs", "log folder", doctor_local.logs_check),
    Step("terminal", "terminal", doctor_local.terminal_check),
    Step("versions", "versions", doctor_local.versions_check),
)
WIDTH = max(len(step.name) for step in STEPS)


@dataclass
class Report:
    reference: str
    started: str
    checks: list[Check]
    log: str

    @property
    def exit_code(self) -> int:
        if any(c.id == "settings" and c.status is Status.FAIL for c in self.checks):
            return EXIT_SETTINGS
        return EXIT_PROBLEM if any(c.status is Status.FAIL for c in self.checks) else EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        counts = {str(s): sum(c.status is s for c in self.checks) for s in Status}
        return {"reference": self.reference, "started": self.started, "vaxterm": __version__,
                "exit_code": self.exit_code, "summary": counts, "log": self.log,
                "checks": [c.as_dict() for c in self.checks]}


def line(check: Check) -> str:
    """One line: symbol, name, detail, and for ! and ✗ the fix."""
    text = f"{SYMBOLS[check.status]} {check.name:<{WIDTH}}  {check.detail}"
    return f"{text} → {check.fix}" if check.fix else text


def summary(report: Report) -> str:
    fails = sum(c.status is Status.FAIL for c in report.checks)
    warns = sum(c.status is Status.WARN for c in report.checks)
    verdict = ("all good" if not fails and not warns else
               f"{fails} problem(s) ✗, {warns} warning(s) !")
    return f"{verdict} · support reference {report.reference} · log {report.log or '(none)'}"


def _blocker(step: Step, done: dict[str, Check]) -> Check | None:
    """The first earlier check this one needs that failed, or was skipped by a failure."""
    for need in step.needs:
        check = done[need]
        if check.status is Status.FAIL:
            return check
        if check.status is Status.SKIP and check.because:
            return done[check.because]
    return None


def run_checks(ctx: Context, each: Callable[[Check], None] = lambda _: None) -> list[Check]:
    done: dict[str, Check] = {}
    for step in STEPS:
        root = _blocker(step, done)
        if root is None:
            result = _guarded(step, ctx)
        else:
            result = Check(step.id, step.name, Status.SKIP,
                           f"skipped: {root.name} failed", because=root.id)
        done[step.id] = result
        each(result)
    return list(done.values())


def _guarded(step: Step, ctx: Context) -> Check:
    """A bug in one check becomes its ✗ line, not a traceback that hides the others."""
    try:
        result = step.run(ctx)
    except Exception as exc:
        result = Check(step.id, step.name, Status.FAIL,
                       f"the check itself failed ({type(exc).__name__})",
                       "Send the support bundle (vaxterm support-bundle) to support.")
    return replace(result, id=step.id, name=step.name)


def load_settings(environ: Mapping[str, str], server: str | None) -> Context:
    from vaxterm.settings import SettingsError, load

    try:
        settings = load(environ)
    except SettingsError as problem:
        return Context(environ, None, settings_error=str(problem))
    if server:
        settings = replace(settings, server=replace(settings.server, url=server))
    return Context(environ, settings)


def diagnose(ctx: Context, each: Callable[[Check], None] = lambda _: None,
             command: str = "doctor") -> Report:
    """Run every check inside a support-log session of its own, whose reference heads it."""
    started = datetime.now(UTC).isoformat(timespec="seconds")
    log = supportlog.start(command=command, settings=ctx.settings, environ=ctx.environ)
    reference = supportlog.session_reference()
    each_and_log = _logging(each)
    checks = run_checks(ctx, each_and_log)
    return Report(reference, started, checks, str(log or ""))


def _logging(each: Callable[[Check], None]) -> Callable[[Check], None]:
    import logging

    logger = logging.getLogger(f"{supportlog.LOGGER}.doctor")

    def both(check: Check) -> None:
        logger.info("%s", line(check))
        each(check)

    return both


def main(*, server: str | None = None, as_json: bool = False,
         environ: Mapping[str, str] | None = None, out: IO[str] | None = None,
         credentials: CredentialStore | None = None, timeout: float = TIMEOUT_S) -> int:
    import os

    out = out or sys.stdout
    ctx = load_settings(os.environ if environ is None else environ, server)
    ctx.credentials, ctx.timeout = credentials, timeout
    try:
        if as_json:
            report = diagnose(ctx)
            json.dump(report.as_dict(), out, ensure_ascii=False, indent=2)
            out.write("\n")
        else:
            out.write(f"vaxterm doctor · support reference "
                      f"{supportlog.session_reference()}\n")
            out.flush()

            def show(check: Check) -> None:
                out.write(line(check) + "\n")
                out.flush()

            report = diagnose(ctx, show)
            out.write(summary(report) + "\n")
    finally:
        supportlog.stop()
    return report.exit_code
