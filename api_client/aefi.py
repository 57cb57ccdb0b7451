"""What an AEFI report holds beyond the reaction: its seriousness, its onset and its outcome,
with the fixed words the screen shows and the limits the registry checks. Shared by the mock
registry and the app, like `vials.py`, so the two cannot disagree.

Sources: WHO, *Causality assessment of an adverse event following immunization*, 2nd ed.
(2018) and the WHO AEFI surveillance manual: a *serious* event results in death, is
life-threatening, needs hospitalisation or prolongs it, results in persistent or significant
disability, or is a congenital anomaly; India's *AEFI Surveillance and Response Operational
Guidelines* (MoHFW, 2015) add a cluster of events, and classify events as minor, severe and
serious, serious ones to be notified to the district immunization officer at once (the case
report within 24 hours). The reporting window of 28 days after the dose follows the same
guidelines' four weeks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

Seriousness = Literal["minor", "severe", "serious"]
OnsetUnit = Literal["minutes", "hours", "days"]
Outcome = Literal["recovered", "recovering", "referred or hospitalised", "died", "unknown"]

# What each class means, word for word on the form (no free text: a choice, with its meaning).
DEFINITIONS: dict[str, str] = {
    "minor": "Minor: common, mild and self-limiting (pain, swelling, mild fever, "
             "irritability); simple care at most.",
    "severe": "Severe: intense or disabling for a while (high fever, a faint, a large local "
              "reaction), but none of the serious outcomes.",
    "serious": "Serious: death, life-threatening, hospitalisation or its prolongation, "
               "lasting disability, congenital anomaly, or a cluster.",
}
# Severe and serious: the fixed instruction, shown on the form and flagged for the supervisor.
ESCALATION = ("Tell the medical officer now. Notify the district within 24 hours "
              "(case reporting form).")
FLAGGED: frozenset[str] = frozenset({"severe", "serious"})

REPORT_WINDOW = timedelta(days=28)  # after the dose: India's guidelines' four weeks


@dataclass(frozen=True)
class OnsetRange:
    least: int
    most: int
    step: timedelta


# Minutes within the first hour, hours within the first day, then days up to the window.
ONSET: dict[str, OnsetRange] = {
    "minutes": OnsetRange(0, 59, timedelta(minutes=1)),
    "hours": OnsetRange(1, 23, timedelta(hours=1)),
    "days": OnsetRange(1, REPORT_WINDOW.days, timedelta(days=1)),
}


def onset_problem(onset: int, unit: str) -> str:
    """What is wrong with an onset of `onset` `unit`s, in words; "" when it fits its unit."""
    limits = ONSET.get(unit)
    if limits is None:
        return "Choose minutes, hours or days."
    if not limits.least <= onset <= limits.most:
        return f"Type the {unit} after the dose, {limits.least} to {limits.most}."
    return ""


def onset_delay(onset: int, unit: str) -> timedelta:
    return onset * ONSET[unit].step


def needs_outcome(seriousness: str) -> bool:
    """A severe or serious event is reported with its outcome (which may be "unknown")."""
    return seriousness in FLAGGED
