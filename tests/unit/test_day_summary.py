"""The day added up from the sessions' summaries: counts only, no names."""

from __future__ import annotations

from api_client import models as m
from vaxterm.day_summary import add_up, blocks, headline


def session(vaccine: str, sid: str) -> m.Session:
    return m.Session(session_id=sid, date="28-11-2026", centre_id=1, centre_name="Demo",
                     vaccine=vaccine, min_age_limit=18, capacity=100, doses_given=0,  # type: ignore[arg-type]
                     batches=[])


def record(status: str = "completed") -> m.SummaryRecord:
    return m.SummaryRecord(vaccination_id="v", time="2026-11-28T10:00:00+05:30",
                           beneficiary_reference_id="**********0002", dose=1,
                           vaccine="COVISHIELD", vaccine_batch="SYN-CS-0425",
                           status=status)  # type: ignore[arg-type]


def test_two_sessions_add_up() -> None:
    closure = m.SessionClosure(session_id="s-covishield", closed_at="2026-11-28T17:00:00",
                               batches=[], doses_recorded=2, doses_in_vials=10, wasted=8,
                               wastage_percent=80.0, beyond_allowance=False)
    one = m.SessionSummary(session_id="s-covishield", total=2, by_dose={"1": 1, "2": 1},
                           by_vaccine={"COVISHIELD": 2}, by_batch={"SYN-CS-0425": 2},
                           my_records=[record(), record("entered-in-error")],
                           not_vaccinated={"refused": 1}, closure=closure,
                           aefi={"serious": 1, "minor": 2})
    two = m.SessionSummary(session_id="s-covaxin", total=1, by_dose={"1": 1},
                           by_vaccine={"COVAXIN": 1}, by_batch={"SYN-CX-0311": 1},
                           my_records=[], not_vaccinated={"refused": 1,
                                                          "unwell and deferred": 1},
                           aefi={"severe": 1})
    day = add_up([(session("COVISHIELD", "s-covishield"), one),
                  (session("COVAXIN", "s-covaxin"), two)])
    assert (day.sessions, day.doses, day.mine) == (2, 3, 1)
    assert day.by_dose == {"dose 1": 2, "dose 2": 1}
    assert day.not_vaccinated == {"refused": 2, "unwell and deferred": 1}
    assert day.aefi == {"minor": 2, "severe": 1, "serious": 1}
    assert (day.wasted, day.doses_in_vials) == (8, 10)
    shown = blocks(day)
    assert shown["aefi"].splitlines()[1:] == [
        "minor              2", "severe             1", "serious            1"]
    assert "COVAXIN    not closed" in shown["wastage"]
    assert "COVISHIELD   8/10   80.0%" in shown["wastage"]
    assert "deferred" in shown["not-vaccinated"]
    assert headline(day, "Demo PHC North").startswith(
        "Today at Demo PHC North: 2 sessions, 3 doses recorded, 1 by you.")
    # Nothing about a person: no reference, no record id.
    text = "\n".join(shown.values())
    assert "0002" not in text


def test_an_empty_day_says_none() -> None:
    day = add_up([])
    assert blocks(day)["by-vaccine"].endswith("none")
    assert blocks(day)["wastage"].endswith("no session")
