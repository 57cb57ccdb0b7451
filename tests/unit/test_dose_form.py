"""The record-dose form without a terminal: defaults, warnings, the exact request."""

from __future__ import annotations

from datetime import date

from api_client import models as m
from vaxterm.dose_form import open_draft, usable_batches
from vaxterm.identity import check_id_seen
from vaxterm.presenting import due_line, eligibility_line

TODAY = date(2026, 11, 28)
SESSION = m.Session(
    session_id="session-0001", date="28-11-2026", centre_id=1, centre_name="Demo PHC",
    vaccine="COVISHIELD", min_age_limit=18, capacity=100, doses_given=0,
    batches=[m.Batch(vaccine_batch="LATE-0002", expiry_date="01-03-2027", doses_per_vial=10),
             m.Batch(vaccine_batch="OLD-0001", expiry_date="27-11-2026", doses_per_vial=10),
             m.Batch(vaccine_batch="SOON-0003", expiry_date="15-12-2026", doses_per_vial=10)])


def person(*doses: tuple[int, str, str], birth_year: str = "1985") -> m.Beneficiary:
    return m.Beneficiary(
        beneficiary_reference_id="99990000000002", name="Synthetic Person",
        birth_year=birth_year, gender="Female", photo_id_type="Voter ID",
        photo_id_number="XXXXXXXX2470", vaccination_status="Partially Vaccinated",
        mobile_number="0002", comorbidity_ind="N",
        doses=[m.DoseGiven(vaccination_id=f"v{n}", dose=n, vaccine=v, vaccine_batch="B-1",  # type: ignore[arg-type]
                           date=d) for n, v, d in doses],
        eligibility=m.Eligibility(eligible=True))


def test_expired_batches_are_not_offered_and_the_soonest_comes_first() -> None:
    assert [b.vaccine_batch for b in usable_batches(SESSION, TODAY)] == ["SOON-0003",
                                                                          "LATE-0002"]


def test_draft_derives_the_dose_and_keeps_one_key() -> None:
    draft = open_draft(person((1, "COVISHIELD", "20-08-2026")), SESSION, TODAY)
    assert (draft.dose, draft.batch, draft.warnings) == (2, "SOON-0003", [])
    key = draft.idempotency_key
    assert draft.request().dose == 2 and draft.request().id_verified
    assert draft.idempotency_key == key
    assert dict(draft.summary(TODAY))["Batch"] == "SOON-0003 (vial expires 15-12-2026)"


def test_warnings_for_same_day_and_vaccine_mismatch() -> None:
    today_dose = open_draft(person((1, "COVISHIELD", "28-11-2026")), SESSION, TODAY)
    assert today_dose.warnings == [
        "Already vaccinated today: check the record before giving anything."]
    mismatch = open_draft(person((1, "COVAXIN", "01-10-2026")), SESSION, TODAY)
    assert mismatch.warnings == ["First dose was COVAXIN; this session gives COVISHIELD."]
    early = open_draft(person((1, "COVISHIELD", "01-11-2026")), SESSION, TODAY)
    assert early.warnings == ["Too early for dose 2: due from 24-01-2027."]


def test_eligibility_and_due_lines_use_the_shared_rules() -> None:
    due = person((1, "COVISHIELD", "20-08-2026"))
    assert eligibility_line(due, SESSION, TODAY) == (
        True, "Eligible today for dose 2 of COVISHIELD.")
    assert due_line(due, TODAY) == "Dose 2 due today: COVISHIELD."
    early = person((1, "COVISHIELD", "01-11-2026"))
    assert due_line(early, TODAY) == "Dose 2 due from 24-01-2027: COVISHIELD."


def test_the_id_seen_must_be_the_registered_one() -> None:
    p = person()
    assert check_id_seen(p, "Voter ID", "2470").ok
    assert "registered with a Voter ID" in check_id_seen(p, "PAN Card", "2470").message
    assert "do not match" in check_id_seen(p, "Voter ID", "2471").message
    assert "last 4 digits" in check_id_seen(p, "Voter ID", "24").message
