"""What a doctor check returns, and what the checks share while they run."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from vaxterm.credentials import CredentialStore
    from vaxterm.settings import Settings

T = TypeVar("T")
TIMEOUT_S = 3.0  # every network step and the keyring: a few seconds, never more


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


SYMBOLS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗", Status.SKIP: "-"}


@dataclass
class Check:
    id: str
    name: str
    status: Status
    detail: str
    fix: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    because: str = ""  # a skip caused by a failure: the id of the check that failed first

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "status": str(self.status),
                "symbol": SYMBOLS[self.status], "detail": self.detail, "fix": self.fix or None,
                "skipped_because": self.because or None, "data": self.data}


@dataclass
class Context:
    """Inputs, and what earlier checks found for later ones."""

    environ: Mapping[str, str]
    settings: Settings | None
    settings_error: str = ""
    credentials: CredentialStore | None = None
    timeout: float = TIMEOUT_S
    url: str = ""
    scheme: str = ""
    host: str = ""
    port: int = 0
    addresses: list[str] = field(default_factory=list)
    connected: str = ""
    base_used: str = ""
    server_time: str = ""
    local_time: float = 0.0
    environment: str = ""


def ok(detail: str, **data: Any) -> Check:
    return Check("", "", Status.OK, detail, data=data)


def warn(detail: str, fix: str, **data: Any) -> Check:
    return Check("", "", Status.WARN, detail, fix, data=data)


def fail(detail: str, fix: str, **data: Any) -> Check:
    return Check("", "", Status.FAIL, detail, fix, data=data)


def not_applicable(detail: str, **data: Any) -> Check:
    return Check("", "", Status.SKIP, detail, data=data)


class TookTooLong(Exception):
    pass


def bounded(work: Callable[[], T], seconds: float) -> T:
    """`work()` in a daemon thread, given up after `seconds`: a DNS lookup or a locked
    keyring has no timeout of its own, and doctor must not hang."""
    result: list[T] = []
    problem: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as exc:  # handed to the caller's thread
            problem.append(exc)

    worker = threading.Thread(target=run, daemon=True, name="doctor-bounded")
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise TookTooLong
    if problem:
        raise problem[0]
    return result[0]
