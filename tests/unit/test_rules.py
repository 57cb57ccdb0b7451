"""Every dose rule of cowin-reference.md §2, one row each, with the rule it checks."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import get_args

import pytest

from api_client import models as m
from api_client.dates import DATE_PATTERN, ddmmyyyy, parse_ddmmyyyy
from api_client.rules import (
    VACCINES,
    AgeGroup,
    GivenDose,
    Reason,
    age_group,
    check_dose,
    group_for_age,
    min_age,
    next_due,
    precaution_vaccines,
    primary_vaccines,
)

TODAY = date(2026, 11, 28)


def ago(days: int, on: date = TODAY) -> date:
    return on - timedelta(days=days)


def doses(*spec: tuple[str, int], precaution_last: bool = False) -> list[GivenDose]:
    return [GivenDose(n, vaccine, ago(days), precaution_last and n == len(spec))
            for n, (vaccine, days) in enumerate(spec, start=1)]


@pytest.mark.parametrize(("rule", "birth_year", "group"), [
    ("§2.2 adult: birth year <= Y-18", TODAY.year - 18, AgeGroup.ADULT),
    ("§2.2 15-17: Y-17..Y-15", TODAY.year - 17, AgeGroup.TEEN),
    ("§2.2 15-17 lower edge", TODAY.year - 15, AgeGroup.TEEN),
    ("§2.2 12-14: Y-14..Y-12", TODAY.year - 14, AgeGroup.CHILD),
    ("§2.2 12-14 lower edge", TODAY.year - 12, AgeGroup.CHILD),
    ("§2.2 younger: not eligible", TODAY.year - 11, AgeGroup.TOO_YOUNG),
])
def test_age_group_by_birth_year(rule: str, birth_year: int, group: AgeGroup) -> None:
    assert age_group(birth_year, TODAY) is group, rule


ADULT = TODAY.year - 40
TEEN = TODAY.year - 16
CHILD = TODAY.year - 13

# (rule, history, birth year, vaccine, dose, batch expiry, allowed, reason, earliest)
CASES = [
    ("§2.2 adult, never vaccinated: dose 1 of an adult product",
     [], ADULT, "COVISHIELD", 1, None, True, None, None),
    ("§2.2 under 12 are not eligible",
     [], TODAY.year - 10, "COVAXIN", 1, None, False, Reason.TOO_YOUNG, None),
    ("§2.2 15-17: COVAXIN only",
     [], TEEN, "COVAXIN", 1, None, True, None, None),
    ("§2.2 15-17: COVISHIELD refused",
     [], TEEN, "COVISHIELD", 1, None, False, Reason.VACCINE_NOT_FOR_AGE, None),
    ("§2.2 12-14: CORBEVAX only",
     [], CHILD, "CORBEVAX", 1, None, True, None, None),
    ("§2.2 12-14: COVAXIN refused",
     [], CHILD, "COVAXIN", 1, None, False, Reason.VACCINE_NOT_FOR_AGE, None),
    ("§2.1 CORBEVAX is not an adult primary vaccine",
     [], ADULT, "CORBEVAX", 1, None, False, Reason.VACCINE_NOT_FOR_AGE, None),
    ("§2.1 COVISHIELD dose 2 from day 84",
     doses(("COVISHIELD", 84)), ADULT, "COVISHIELD", 2, None, True, None, None),
    ("§2.1 COVISHIELD dose 2 before day 84 is too early",
     doses(("COVISHIELD", 83)), ADULT, "COVISHIELD", 2, None, False, Reason.TOO_EARLY, ago(-1)),
    ("§2.1 COVAXIN dose 2 from day 28",
     doses(("COVAXIN", 28)), ADULT, "COVAXIN", 2, None, True, None, None),
    ("§2.1 COVAXIN dose 2 on day 27 is too early",
     doses(("COVAXIN", 27)), ADULT, "COVAXIN", 2, None, False, Reason.TOO_EARLY, ago(-1)),
    ("§2.1 SPUTNIK V dose 2 from day 21",
     doses(("SPUTNIK V", 21)), ADULT, "SPUTNIK V", 2, None, True, None, None),
    ("§2.1 CORBEVAX dose 2 from day 28 (12-14)",
     doses(("CORBEVAX", 28)), CHILD, "CORBEVAX", 2, None, True, None, None),
    ("§2.1 ZYCOV-D has three primary doses, 28 days apart",
     doses(("ZYCOV-D", 56), ("ZYCOV-D", 28)), ADULT, "ZYCOV-D", 3, None, True, None, None),
    ("§2.1 same-vaccine rule: dose 2 repeats the dose-1 product",
     doses(("COVISHIELD", 100)), ADULT, "COVAXIN", 2, None, False, Reason.DIFFERENT_VACCINE,
     None),
    ("§2.1 the teen who turned 18 keeps COVAXIN for dose 2",
     doses(("COVAXIN", 60)), TODAY.year - 18, "COVAXIN", 2, None, True, None, None),
    ("§2.3 precaution: homologous, 182 days after dose 2 (from 6 Jul 2022)",
     doses(("COVISHIELD", 400), ("COVISHIELD", 182)), ADULT, "COVISHIELD", 3, None, True, None,
     None),
    ("§2.3 precaution at day 181 is too early",
     doses(("COVISHIELD", 400), ("COVISHIELD", 181)), ADULT, "COVISHIELD", 3, None, False,
     Reason.TOO_EARLY, ago(-1)),
    ("§2.3 CORBEVAX heterologous precaution for COVISHIELD-primed adults (from 12 Aug 2022)",
     doses(("COVISHIELD", 400), ("COVISHIELD", 200)), ADULT, "CORBEVAX", 3, None, True, None,
     None),
    ("§2.3 CORBEVAX heterologous precaution for COVAXIN-primed adults",
     doses(("COVAXIN", 400), ("COVAXIN", 300)), ADULT, "CORBEVAX", 3, None, True, None, None),
    ("§2.3 no heterologous precaution with another product (COVAXIN after COVISHIELD)",
     doses(("COVISHIELD", 400), ("COVISHIELD", 200)), ADULT, "COVAXIN", 3, None, False,
     Reason.DIFFERENT_VACCINE, None),
    ("§2.3 only one precaution dose",
     doses(("COVAXIN", 700), ("COVAXIN", 600), ("COVAXIN", 300), precaution_last=True), ADULT,
     "COVAXIN", 4, None, False, Reason.SERIES_COMPLETE, None),
    ("§2.3 no precaution dose under 18",
     doses(("COVAXIN", 400), ("COVAXIN", 300)), TEEN, "COVAXIN", 3, None, False,
     Reason.SERIES_COMPLETE, None),
    ("§2.4 the dose number must be the one due",
     doses(("COVISHIELD", 100)), ADULT, "COVISHIELD", 3, None, False, Reason.WRONG_DOSE_NUMBER,
     None),
    ("§2.4 a dose already recorded is not recorded again (409)",
     doses(("COVISHIELD", 100)), ADULT, "COVISHIELD", 1, None, False, Reason.ALREADY_RECORDED,
     None),
    ("§2.4 never twice on the same day",
     doses(("COVAXIN", 0)), ADULT, "COVAXIN", 2, None, False, Reason.VACCINATED_TODAY, None),
    ("§5.2 an expired batch is refused",
     [], ADULT, "COVISHIELD", 1, ago(1), False, Reason.BATCH_EXPIRED, None),
    ("§5.2 a batch expiring today may still be used",
     [], ADULT, "COVISHIELD", 1, TODAY, True, None, None),
    ("unknown product",
     [], ADULT, "NOVAXX", 1, None, False, Reason.UNKNOWN_VACCINE, None),
]


@pytest.mark.parametrize(
    ("rule", "history", "birth_year", "vaccine", "dose", "expiry", "allowed", "reason",
     "earliest"), CASES, ids=[c[0] for c in CASES])
def test_dose_rule(rule: str, history: list[GivenDose], birth_year: int, vaccine: str,
                   dose: int, expiry: date | None, allowed: bool, reason: Reason | None,
                   earliest: date | None) -> None:
    verdict = check_dose(history, birth_year, vaccine, dose, TODAY, expiry)
    assert (verdict.allowed, verdict.reason) == (allowed, reason), rule
    assert verdict.earliest == earliest, rule
    if not allowed:
        assert verdict.message, "every refusal explains itself"


@pytest.mark.parametrize(("rule", "on", "gap"), [
    ("§2.3 39 weeks before 6 Jul 2022", date(2022, 7, 5), 273),
    ("§2.3 26 weeks from 6 Jul 2022", date(2022, 7, 6), 182),
])
def test_precaution_gap_changed_on_6_july_2022(rule: str, on: date, gap: int) -> None:
    history = [GivenDose(1, "COVISHIELD", on - timedelta(days=500)),
               GivenDose(2, "COVISHIELD", on - timedelta(days=300))]
    due = next_due(history, 1980, on)
    assert due.is_precaution and due.earliest == history[1].given_on + timedelta(days=gap), rule


@pytest.mark.parametrize(("rule", "on", "expected"), [
    ("§2.3 before 12 Aug 2022: homologous only", date(2022, 8, 11), ("COVISHIELD",)),
    ("§2.3 from 12 Aug 2022: CORBEVAX too", date(2022, 8, 12), ("COVISHIELD", "CORBEVAX")),
])
def test_heterologous_corbevax_from_12_august_2022(rule: str, on: date,
                                                   expected: tuple[str, ...]) -> None:
    assert precaution_vaccines("COVISHIELD", on) == expected, rule


def test_next_due_for_a_never_vaccinated_teen_lists_covaxin_only() -> None:
    due = next_due([], TEEN, TODAY)
    assert (due.dose, due.earliest, due.vaccines) == (1, TODAY, ("COVAXIN",))


def test_next_due_after_dose_one_gives_the_earliest_date() -> None:
    due = next_due(doses(("COVISHIELD", 30)), ADULT, TODAY)
    assert (due.dose, due.earliest, due.vaccines) == (2, ago(30 - 84), ("COVISHIELD",))


# --- facts other modules read from the rules ------------------------------------------------


def test_the_wire_models_know_exactly_the_rules_vaccines() -> None:
    """`models.Vaccine` must stay a Literal (msgspec, OpenAPI); it may not drift."""
    assert set(get_args(m.Vaccine)) == set(VACCINES)


@pytest.mark.parametrize(("vaccine", "youngest"), [
    ("COVISHIELD", 18), ("COVAXIN", 15), ("CORBEVAX", 12), ("ZYCOV-D", 18),
])
def test_a_products_youngest_age(vaccine: str, youngest: int) -> None:
    """§2.1: Covaxin from 15 (3 Jan 2022), Corbevax for 12-14 (16 Mar 2022)."""
    assert min_age(vaccine) == youngest
    assert age_group(TODAY.year - youngest, TODAY) in VACCINES[vaccine].primary_for


def test_primary_vaccines_by_age_group() -> None:
    assert primary_vaccines(AgeGroup.CHILD) == ("CORBEVAX",)
    assert primary_vaccines(AgeGroup.TEEN) == ("COVAXIN",)
    assert primary_vaccines(AgeGroup.TOO_YOUNG) == ()
    assert group_for_age(-1) is AgeGroup.TOO_YOUNG


def test_rule_messages_write_dates_as_the_wire_does() -> None:
    verdict = check_dose(doses(("COVISHIELD", 30)), ADULT, "COVISHIELD", 2, TODAY)
    assert verdict.reason is Reason.TOO_EARLY
    assert ddmmyyyy(verdict.earliest) in verdict.message
    assert parse_ddmmyyyy(ddmmyyyy(verdict.earliest)) == verdict.earliest


@pytest.mark.parametrize(("text", "day"), [
    ("21-01-2027", date(2027, 1, 21)), ("29-02-2028", date(2028, 2, 29)),
    ("29-02-2027", None), ("2027-01-21", None), ("", None), (None, None), ("1-1-2027x", None),
])
def test_parse_ddmmyyyy(text: str | None, day: date | None) -> None:
    assert parse_ddmmyyyy(text) == day


def test_ddmmyyyy() -> None:
    assert ddmmyyyy(date(2026, 3, 5)) == "05-03-2026"
    assert ddmmyyyy(None) == ""
    assert re.match(DATE_PATTERN, ddmmyyyy(date(1999, 12, 31)))
