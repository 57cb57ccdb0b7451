"""Pre-vaccination screening without a screen: the checklist as a table, and what the answers
mean for today's dose.

Each question has an outcome: a contraindication stops the dose (the encounter is recorded
as "contraindicated"), a deferral sends the person away until a date ("unwell and deferred"),
a precaution lets the dose go ahead once the vaccinator confirms it, and some answers change
nothing. Where a product's guidance differs (pregnancy, breastfeeding), `BY_PRODUCT` says so.
The answers travel with the dose, or with the encounter, as codes, never as free text.

Sources. `cowin-reference.md` does not cover screening, so each row names the national
guidance it follows, as reported at the time (marked so); check the table against the
current guidance before a real campaign. The registry refuses a dose with any answer of
`api_client.mock.encounters.STOP_CODES`; a unit test keeps this table agreeing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api_client.models import NotVaccinatedReason, ScreeningCode


class Outcome(Enum):
    """Worst first: the verdict of several answers is the first of theirs in this order."""

    CONTRAINDICATED = "contraindicated"
    DEFER = "defer"
    PRECAUTION = "precaution"
    PROCEED = "proceed"


_SEVERITY = list(Outcome)

REPORTED_2021 = "as reported, not in cowin-reference.md"
# NEGVAC recommendation accepted by MoHFW, 19 May 2021: vaccination deferred by 3 months
# after recovery from a laboratory-proven COVID-19 illness.
COVID_DEFER_DAYS = 90
# Fever or acute illness: the guidance is "until recovered", with no fixed interval; this
# table asks the person to come back after a week, when the vaccinator checks again.
ILLNESS_DEFER_DAYS = 7


@dataclass(frozen=True)
class Question:
    code: ScreeningCode
    ask: str  # the question on screen
    outcome: Outcome
    advice: str  # what the vaccinator does or says
    source: str
    defer_days: int = 0  # for a deferral: from today, or from the date asked for
    asks_date: str = ""  # the date a deferral counts from, asked for when ticked


QUESTIONS: tuple[Question, ...] = (
    Question("ALLERGY", "Severe allergy to an earlier COVID-19 dose or an ingredient",
             Outcome.CONTRAINDICATED,
             "Do not vaccinate with this product. Refer to the medical officer.",
             f"Covishield and Covaxin fact sheets, MoHFW, Jan 2021 ({REPORTED_2021})"),
    Question("ACUTE_ILLNESS", "Fever or acute illness today",
             Outcome.DEFER, "Do not vaccinate today. Ask them to come back when well.",
             f"MoHFW operational guidance, 2021: defer until recovered ({REPORTED_2021}); "
             f"come back after {ILLNESS_DEFER_DAYS} days is this table's setting",
             defer_days=ILLNESS_DEFER_DAYS),
    Question("RECENT_COVID", "COVID-19 illness within the last 3 months",
             Outcome.DEFER, "Do not vaccinate today: 3 months after recovery.",
             f"NEGVAC, accepted by MoHFW on 19 May 2021 ({REPORTED_2021})",
             defer_days=COVID_DEFER_DAYS, asks_date="Recovered on"),
    Question("BLEEDING", "Bleeding disorder, or takes blood thinners (anticoagulants)",
             Outcome.PRECAUTION,
             "Give with caution: a fine needle, firm pressure for 2 minutes, watch the site.",
             f"Covishield and Covaxin fact sheets, MoHFW, Jan 2021 ({REPORTED_2021})"),
    Question("PREGNANT", "Pregnant",
             Outcome.PRECAUTION,
             "Guidance for this product in pregnancy is not in vaxterm's table: give only "
             "if the medical officer approves.", "none for this product in this table"),
    Question("BREASTFEEDING", "Breastfeeding",
             Outcome.PRECAUTION,
             "Guidance for this product while breastfeeding is not in vaxterm's table: "
             "give only if the medical officer approves.", "none for this product in this table"),
)

# The products whose national guidance the table has for pregnancy and breastfeeding.
_COUNSELLED = replace(
    QUESTIONS[4], advice="May be vaccinated after counselling on the benefits and risks. "
    "Confirm that the counselling was done.",
    source=f"MoHFW, 2 Jul 2021: pregnant women eligible after counselling ({REPORTED_2021})")
_LACTATING = replace(
    QUESTIONS[5], outcome=Outcome.PROCEED, advice="May be vaccinated.",
    source=f"NEGVAC, accepted by MoHFW on 19 May 2021 ({REPORTED_2021})")
BY_PRODUCT: dict[str, dict[str, Question]] = {
    product: {"PREGNANT": _COUNSELLED, "BREASTFEEDING": _LACTATING}
    for product in ("COVISHIELD", "COVAXIN", "SPUTNIK V")
}


def checklist(vaccine: str) -> tuple[Question, ...]:
    """The questions for this product, in the order they are asked."""
    own = BY_PRODUCT.get(vaccine, {})
    return tuple(own.get(q.code, q) for q in QUESTIONS)


NONE: tuple[ScreeningCode, ...] = ("NONE",)


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    codes: tuple[ScreeningCode, ...]  # what is sent, in the table's order
    answered: tuple[Question, ...]  # the ticked questions, product wording
    come_back: date | None = None  # for a deferral
    problem: str = ""  # something to put right first (a date missing); empty when none

    @property
    def reason(self) -> NotVaccinatedReason | None:
        """The could-not-vaccinate reason the verdict leads to, if it stops the dose."""
        if self.outcome is Outcome.CONTRAINDICATED:
            return "contraindicated"
        if self.outcome is Outcome.DEFER:
            return "unwell and deferred"
        return None

    @property
    def to_confirm(self) -> tuple[Question, ...]:
        return tuple(q for q in self.answered if q.outcome is Outcome.PRECAUTION)


def _ago(gap: timedelta) -> str:
    return f"{gap.days} days ago"


def none_of_these() -> Verdict:
    """The usual case: one key, nothing ticked, the dose goes ahead."""
    return Verdict(Outcome.PROCEED, NONE, ())


def judge(vaccine: str, ticked: set[str], today: date, dates: dict[str, date | None]
          | None = None) -> Verdict:
    """What the ticked answers mean for a dose of `vaccine` today. `dates` holds the date
    each ticked question with `asks_date` was answered with (None: not given or not a
    date). An empty `ticked` is not "none of these": that needs its own key."""
    dates = dates or {}
    answered = tuple(q for q in checklist(vaccine) if q.code in ticked)
    if not answered:
        return Verdict(Outcome.PROCEED, (), (),
                       problem="Tick what applies (Space), or press N if none of these apply.")
    outcome = Outcome.PROCEED
    come_back: date | None = None
    for q in answered:
        effect = q.outcome
        if effect is Outcome.DEFER:
            since = today
            if q.asks_date:
                given = dates.get(q.code)
                if given is None:
                    return Verdict(Outcome.DEFER, (), answered,
                                   problem=f"Type the date: {q.asks_date} (DD-MM-YYYY).")
                if given > today:
                    return Verdict(Outcome.DEFER, (), answered,
                                   problem=f"{q.asks_date}: the date is in the future.")
                since = given
            until = since + timedelta(days=q.defer_days)
            if until <= today:  # long enough ago: the question does not apply
                return Verdict(Outcome.DEFER, (), answered,
                               problem=f"{q.asks_date} {_ago(today - since)}: more than 3 "
                                       "months, so this does not apply. Untick it.")
            come_back = max(come_back or until, until)
        if _SEVERITY.index(effect) < _SEVERITY.index(outcome):
            outcome = effect
    return Verdict(outcome, tuple(q.code for q in answered), answered,
                   come_back if outcome is Outcome.DEFER else None)
