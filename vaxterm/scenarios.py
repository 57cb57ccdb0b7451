"""Training scenarios a trainer switches at runtime: each is a set of the mock's faults and
teaches the production message a vaccinator will meet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from api_client import models as m


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    teaches: str
    faults: m.Faults | None  # None: restore the initial population instead


SCENARIOS = (
    Scenario("normal", "Normal", "The everyday flow, with nothing going wrong.", m.Faults()),
    Scenario("slow", "Slow network",
             "Every answer takes 3 seconds: wait for the screen, do not press keys twice.",
             m.Faults(latency_ms=3000)),
    Scenario("flaky", "Flaky network",
             "A third of the answers fail: a failed search is simply repeated; a dose is "
             "retried safely with Retry and is never recorded twice.",
             m.Faults(error_rate=0.34)),
    Scenario("down", "Server down",
             "The registry is unavailable: nothing is recorded; the form is kept until it "
             "comes back.", m.Faults(down=True)),
    Scenario("expiring", "Login about to expire",
             "Logins last 2 minutes: after a pause, sign in again on top of the form, which "
             "keeps what was typed.", m.Faults(token_lifetime_s=120)),
    Scenario("rate", "Rate limited",
             "Searches are refused for a while: the search field counts down to when you may "
             "search again.", m.Faults(rate_limited=True)),
    Scenario("reset", "Reset to the initial population",
             "Every dose recorded in class is undone and every login ends: sign in again.",
             None),
)
BY_KEY = {s.key: s for s in SCENARIOS}


# --- the trainer's authority over a room ------------------------------------------------------

ROOM_KEY_ENV = "VAXTERM_ROOM_KEY"  # a trainer's vaxterm may start with the key
MIN_KEY_LENGTH = 8


def room_key_problem(key: str) -> str:
    """What is wrong with a room key, or "": it travels in a header."""
    if len(key) < MIN_KEY_LENGTH:
        return f"must have at least {MIN_KEY_LENGTH} characters"
    if len(key) > 256 or not all("!" <= c <= "~" for c in key):
        return "must be printable ASCII without spaces"
    return ""


def room_key_from(environ: Mapping[str, str]) -> str:
    key = environ.get(ROOM_KEY_ENV, "").strip()
    return key if key and not room_key_problem(key) else ""


def is_trainer(in_process: bool, room_key: str) -> bool:
    """Reset and scenarios change the whole room, so they are the trainer's: whoever holds
    the room key `vaxterm mock-server` printed. The in-process mock (`--mock`) is one
    laptop's own room: the person at its keyboard is the trainer."""
    return in_process or bool(room_key)


def offered(in_process: bool, room_key: str) -> tuple[Scenario, ...]:
    """The scenarios (reset included) to show: none to a trainee."""
    return SCENARIOS if is_trainer(in_process, room_key) else ()


def reset_question(in_process: bool) -> tuple[str, str]:
    """The confirmation before a reset: title and what it does."""
    if in_process:
        return ("Reset the practice?", "Every dose recorded in this practice is undone and "
                "you sign in again. This cannot be undone.")
    return ("Reset the whole room?", "Every dose recorded in class is undone and every login "
            "on this server ends, every trainee's included. This cannot be undone.")
