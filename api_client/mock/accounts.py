"""Demo vaccinator accounts, their centres and today's sessions.

The TOTP secrets are published for trainers (README): these accounts exist only in the mock.
Trainee accounts (`trainee01`...) give each person in a training room their own login.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from api_client import models as m
from api_client.rules import min_age


@dataclass(frozen=True)
class Centre:
    centre_id: int
    name: str


@dataclass
class Account:
    username: str
    password: str
    name: str
    centre_id: int
    totp_secret: str
    locked: bool = False  # by a supervisor, until unlocked (demo.locked)
    failed_logins: int = 0  # wrong passwords since the last full login or lockout
    failed_codes: int = 0  # wrong login codes, across login transactions
    locked_until: datetime | None = None  # a lockout after too many failures
    last_totp_counter: int = -1  # a code may be used once


@dataclass(frozen=True)
class BatchStock:
    code: str
    expiry: date
    doses_per_vial: int = 10


@dataclass
class SessionPlan:
    session_id: str
    centre_id: int
    vaccine: str
    min_age: int
    max_age: int | None
    capacity: int
    batches: tuple[BatchStock, ...]
    slots: tuple[str, ...] = ("09:00AM-11:00AM", "11:00AM-01:00PM", "02:00PM-05:00PM")
    doses_given: int = field(default=0)
    closure: m.SessionClosure | None = None  # set once, when the session is closed


CENTRES = (
    Centre(100001, "Demo PHC North (training)"),
    Centre(100002, "Demo UPHC South (training)"),
)
DEMO_PASSWORD = "Train@2026"
LOCKED_PASSWORD = "Locked@2026"
MAX_FAILED_LOGINS = 5  # wrong passwords before a lockout
MAX_WRONG_CODES = 5  # wrong login codes before a lockout, whatever the transaction
LOCKOUT = timedelta(minutes=15)


def _secret(label: str) -> str:
    """A stable base32 TOTP secret derived from a label (for trainee accounts)."""
    return base64.b32encode(hashlib.sha256(label.encode()).digest()[:20]).decode()


DEMO_ACCOUNTS = (
    ("demo.north1", "Demo Vaccinator North One", 100001, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
    ("demo.north2", "Demo Vaccinator North Two", 100001, "KRSXG5DSNFXGOIDUN5XWSZLSMFZGK3TU"),
    ("demo.south", "Demo Vaccinator South", 100002, "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U"),
)


def build_accounts(trainees: int = 40) -> dict[str, Account]:
    accounts = {
        username: Account(username, DEMO_PASSWORD, name, centre, secret)
        for username, name, centre, secret in DEMO_ACCOUNTS
    }
    accounts["demo.locked"] = Account("demo.locked", LOCKED_PASSWORD, "Demo Locked Account",
                                      100001, _secret("demo.locked"), locked=True)
    for n in range(1, trainees + 1):
        username = f"trainee{n:02d}"
        accounts[username] = Account(username, DEMO_PASSWORD, f"Trainee {n:02d}",
                                     CENTRES[(n - 1) % len(CENTRES)].centre_id, _secret(username))
    return accounts


def _session_id(seed: int, centre_id: int, vaccine: str, day: date) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"vaxterm-mock/{seed}/{centre_id}/{vaccine}/{day}"))


def build_sessions(seed: int, today: date) -> dict[str, SessionPlan]:
    """Today's sessions: centre 100001 runs two (so its vaccinators pick one), 100002 one.
    Each offers a batch that expired recently, which must never be offered or accepted."""
    def plan(centre_id: int, vaccine: str, capacity: int, *batches: tuple[str, int, int]
             ) -> SessionPlan:
        # The age limit is the rules' youngest age for the product's primary series.
        return SessionPlan(_session_id(seed, centre_id, vaccine, today), centre_id, vaccine,
                           min_age(vaccine), None, capacity,
                           tuple(BatchStock(code, today + timedelta(days=days), per_vial)
                                 for code, days, per_vial in batches))

    # (batch, days to expiry, doses per vial). Vial sizes (cowin-reference.md §8):
    # Covishield 10-dose vials; Covaxin 20-dose vials at first, then also 10-dose (Mint,
    # 25 Jan 2021; The Hindu, 13 Mar 2022), so the two Covaxin batches differ; Corbevax's
    # size is not confirmed: 10 is assumed.
    plans = (
        plan(100001, "COVISHIELD", 200, ("SYN-CS-0425", 90, 10), ("SYN-CS-0119", -3, 10)),
        plan(100001, "COVAXIN", 150, ("SYN-CX-0311", 60, 20), ("SYN-CX-0512", 75, 10),
             ("SYN-CX-0207", -12, 20)),
        plan(100002, "CORBEVAX", 150, ("SYN-CB-0710", 120, 10), ("SYN-CB-0102", -10, 10)),
    )
    return {plan.session_id: plan for plan in plans}
