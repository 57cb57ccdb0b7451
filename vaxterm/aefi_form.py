"""The reaction (AEFI) form without its screen: what the choices make, or what is missing in
words. The registry checks the same (api_client/aefi.py); the form says it first."""

from __future__ import annotations

from typing import get_args

from api_client import aefi
from api_client import models as m
from vaxterm.validators import ascii_digits

REACTIONS: tuple[str, ...] = get_args(m.Reaction)
SERIOUSNESS: tuple[str, ...] = get_args(aefi.Seriousness)
UNITS: tuple[str, ...] = get_args(aefi.OnsetUnit)
OUTCOMES: tuple[str, ...] = get_args(aefi.Outcome)


def explain(seriousness: object) -> str:
    """The chosen class's definition, and the escalation for severe and serious ones."""
    if not isinstance(seriousness, str) or seriousness not in aefi.DEFINITIONS:
        return "Choose how serious it is: its meaning shows here."
    return aefi.DEFINITIONS[seriousness]


def escalation(seriousness: object) -> str:
    return aefi.ESCALATION if seriousness in aefi.FLAGGED else ""


def read_aefi(reaction: object, seriousness: object, onset: str, unit: object,
              outcome: object) -> m.AefiRequest | str:
    """The report, or the first thing missing or wrong, in the form's order."""
    if reaction not in REACTIONS:
        return "Choose the reaction."
    if seriousness not in SERIOUSNESS:
        return "Choose how serious it is: minor, severe or serious."
    if unit not in UNITS:
        return "Choose minutes, hours or days."
    text = ascii_digits(onset.strip())
    number = int(text) if text.isascii() and text.isdigit() and len(text) <= 3 else -1
    problem = aefi.onset_problem(number, str(unit))
    if problem:
        return problem
    chosen = outcome if outcome in OUTCOMES else ""
    if aefi.needs_outcome(str(seriousness)) and not chosen:
        return f"A {seriousness} reaction needs its outcome: choose one (unknown if not known)."
    if seriousness != "serious" and chosen in ("died", "referred or hospitalised"):
        return "A death or a hospitalisation makes the reaction serious: choose serious."
    return m.AefiRequest(reaction=reaction, seriousness=seriousness, onset=number,  # type: ignore[arg-type]
                         onset_unit=unit, outcome=chosen)  # type: ignore[arg-type]
