"""Training scenarios a trainer switches at runtime: each is a set of the mock's faults and
teaches the production message a vaccinator will meet."""

from __future__ import annotations

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
