"""The screening table and its answers, the walk-in form's checks, photo-ID formats and the
could-not-vaccinate reasons: without a terminal or a server."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from api_client import models as m
from api_client.mock.encounters import STOP_CODES
from api_client.photo_ids import normalise, problem, verhoeff_valid
from api_client.rules import VACCINES
from vaxterm import screening as s
from vaxterm.not_vaccinated import come_back_for
from vaxterm.walk_in import Typed, check

TODAY = date(2026, 11, 28)


# --- screening ------------------------------------------------------------------------------


def test_the_table_asks_every_code_but_none() -> None:
    assert {q.code for q in s.QUESTIONS} | {"NONE"} == set(get_args(m.ScreeningCode))


@pytest.mark.parametrize("vaccine", sorted(VACCINES))
def test_the_registry_refuses_exactly_the_answers_that_stop_every_product(vaccine: str) -> None:
    stops = {q.code for q in s.checklist(vaccine)
             if q.outcome in (s.Outcome.CONTRAINDICATED, s.Outcome.DEFER)}
    assert stops == STOP_CODES


def test_none_of_these_is_its_own_answer() -> None:
    verdict = s.none_of_these()
    assert (verdict.outcome, verdict.codes, verdict.reason) == (s.Outcome.PROCEED, ("NONE",),
                                                                None)
    empty = s.judge("COVISHIELD", set(), TODAY)
    assert empty.problem and empty.codes == ()


def test_a_contraindication_outweighs_everything() -> None:
    verdict = s.judge("COVISHIELD", {"ALLERGY", "ACUTE_ILLNESS", "BLEEDING"}, TODAY)
    assert verdict.outcome is s.Outcome.CONTRAINDICATED
    assert verdict.reason == "contraindicated" and verdict.come_back is None
    assert verdict.codes == ("ALLERGY", "ACUTE_ILLNESS", "BLEEDING")


def test_illness_defers_by_the_tables_days() -> None:
    verdict = s.judge("COVAXIN", {"ACUTE_ILLNESS"}, TODAY)
    assert verdict.reason == "unwell and deferred"
    assert verdict.come_back == date(2026, 12, 5)


def test_recent_covid_defers_3_months_from_recovery() -> None:
    assert "Recovered on" in s.judge("COVISHIELD", {"RECENT_COVID"}, TODAY).problem
    verdict = s.judge("COVISHIELD", {"RECENT_COVID", "ACUTE_ILLNESS"}, TODAY,
                      {"RECENT_COVID": date(2026, 11, 1)})
    assert verdict.come_back == date(2027, 1, 30), "the later of the two deferrals"
    future = s.judge("COVISHIELD", {"RECENT_COVID"}, TODAY, {"RECENT_COVID": date(2026, 12, 1)})
    assert "future" in future.problem
    long_ago = s.judge("COVISHIELD", {"RECENT_COVID"}, TODAY,
                       {"RECENT_COVID": date(2026, 8, 1)})
    assert "does not apply" in long_ago.problem


def test_a_precaution_is_confirmed_and_then_proceeds() -> None:
    verdict = s.judge("COVISHIELD", {"BLEEDING"}, TODAY)
    assert verdict.outcome is s.Outcome.PRECAUTION and verdict.reason is None
    assert [q.code for q in verdict.to_confirm] == ["BLEEDING"]


@pytest.mark.parametrize(("vaccine", "pregnant", "breastfeeding"), [
    ("COVISHIELD", s.Outcome.PRECAUTION, s.Outcome.PROCEED),
    ("COVAXIN", s.Outcome.PRECAUTION, s.Outcome.PROCEED),
    ("CORBEVAX", s.Outcome.PRECAUTION, s.Outcome.PRECAUTION),
])
def test_pregnancy_and_breastfeeding_follow_the_product(
        vaccine: str, pregnant: s.Outcome, breastfeeding: s.Outcome) -> None:
    assert s.judge(vaccine, {"PREGNANT"}, TODAY).outcome is pregnant
    assert s.judge(vaccine, {"BREASTFEEDING"}, TODAY).outcome is breastfeeding
    advice = {q.code: q.advice for q in s.checklist(vaccine)}
    if vaccine == "CORBEVAX":  # no guidance in the table: the medical officer decides
        assert "medical officer" in advice["PREGNANT"]


def test_every_row_names_its_source() -> None:
    for vaccine in VACCINES:
        assert all(q.source for q in s.checklist(vaccine))


# --- could not vaccinate ----------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "expected"), [
    ("refused", None), ("contraindicated", None), ("already vaccinated elsewhere", None),
    ("unwell and deferred", date(2026, 12, 5)), ("vaccine not available", date(2026, 11, 29)),
])
def test_come_back_dates(reason: str, expected: date | None) -> None:
    assert come_back_for(reason, TODAY) == expected
    if expected is not None and reason == "unwell and deferred":
        assert come_back_for(reason, TODAY, date(2027, 1, 30)) == date(2027, 1, 30)


# --- the walk-in form and photo IDs -----------------------------------------------------------


def typed(**overrides: str) -> Typed:
    fields = {"name": " Zeta   Canary ", "gender": "Female", "birth_year": "1990",
              "id_type": "PAN Card", "id_number": "abcde-1234 f"}
    return Typed(**{**fields, **overrides})


def test_a_good_form_is_normalised_into_the_request() -> None:
    request, problems = check(typed(), TODAY)
    assert problems == {}
    assert request == m.RegistrationRequest(name="Zeta Canary", birth_year="1990",
                                            gender="Female", photo_id_type="PAN Card",
                                            photo_id_number="ABCDE1234F")


@pytest.mark.parametrize(("field", "value", "key"), [
    ("name", "", "name"), ("name", "Zeta <b>", "name"), ("gender", "", "gender"),
    ("birth_year", "1990-01-01", "birth_year"), ("birth_year", "2016", "birth_year"),
    ("birth_year", "2027", "birth_year"), ("id_type", "Library card", "id_type"),
    ("id_number", "", "id_number"), ("id_number", "ABCDE12345", "id_number"),
])
def test_each_problem_is_named_by_its_field(field: str, value: str, key: str) -> None:
    request, problems = check(typed(**{field: value}), TODAY)
    assert request is None and key in problems
    assert all(value not in said for said in problems.values() if value)


def test_twelve_this_year_is_old_enough() -> None:
    assert check(typed(birth_year="2014"), TODAY)[1] == {}
    assert "born 2014 or earlier" in check(typed(birth_year="2015"), TODAY)[1]["birth_year"]


def test_aadhaar_needs_its_check_digit() -> None:
    assert verhoeff_valid("2363") and verhoeff_valid("999999990019")
    assert not verhoeff_valid("999999990018") and not verhoeff_valid("12a4")
    assert problem("Aadhaar Card", "999999990019") == ""
    assert "check digit" in problem("Aadhaar Card", "999999990018")
    assert "not starting with 0 or 1" in problem("Aadhaar Card", "123412341234")
    assert normalise("9999 9999-0019") == "999999990019"


def test_an_id_is_kept_as_its_last_4_digits() -> None:
    from api_client.photo_ids import last4

    assert last4("ABCDE1234F") == "1234" and last4("999999990019") == "0019"
    assert "fewer than 4 digits" in problem("Passport", "ABCDEF12")


def test_the_photo_id_types_are_one_list() -> None:
    assert get_args(m.PhotoIdType) == m.PHOTO_ID_TYPES
