"""The person screen's logic without a terminal: the verdict and what to do instead, the
registry's date in its zone, and when a kept consent is used again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from msgspec.structs import replace

from api_client.client import Consent
from api_client.dates import IST, registry_today, zone_name, zone_named
from api_client.sensitive import Secret
from tests.unit.test_dose_form import SESSION, TODAY, person
from vaxterm.consent import Lookup, keep_consent, reusable_consent
from vaxterm.desk import Desk
from vaxterm.presenting import eligibility
from vaxterm.validators import SearchKind

COVAXIN = replace(SESSION, session_id="session-0002", vaccine="COVAXIN", min_age_limit=15)
CORBEVAX = replace(SESSION, session_id="session-0003", vaccine="CORBEVAX", min_age_limit=12)


# --- the verdict and the advice -------------------------------------------------------------


def test_eligible_has_no_advice_and_no_other_session() -> None:
    found = eligibility(person(), SESSION, [SESSION, COVAXIN], TODAY)
    assert (found.ok, found.why, found.advice, found.other_sessions) == (
        True, "Eligible today for dose 1 of COVISHIELD.", "", ())


def test_wrong_vaccine_names_the_session_that_fits_and_its_key() -> None:
    teen = person(birth_year="2010")
    found = eligibility(teen, SESSION, [SESSION, COVAXIN, CORBEVAX], TODAY)
    assert not found.ok
    assert found.why == "COVISHIELD is not given to the 15-17 age group; use COVAXIN."
    assert found.other_sessions == (COVAXIN,)
    assert found.advice == ("Press F3 to change to today's COVAXIN session; the consent "
                            "still holds.")


def test_wrong_vaccine_with_no_session_for_it_says_where_to_send_them() -> None:
    primed = person((1, "COVAXIN", "01-10-2026"))
    found = eligibility(primed, SESSION, [SESSION], TODAY)
    assert (found.ok, found.other_sessions) == (False, ())
    assert found.advice == ("None of today's sessions here gives COVAXIN: send them to a "
                            "session or centre that does.")


def test_too_early_gives_the_day_to_come_back_even_where_another_vaccine_is_on() -> None:
    early = person((1, "COVISHIELD", "01-11-2026"))
    found = eligibility(early, SESSION, [SESSION, COVAXIN], TODAY)
    assert found.why == "Too early for dose 2: due from 24-01-2027."
    assert found.advice == "Do not vaccinate today. Ask them to come back on or after 24-01-2027."
    assert found.other_sessions == ()


def test_heterologous_precaution_is_offered_in_the_other_session() -> None:
    primed = person((1, "COVISHIELD", "01-01-2025"), (2, "COVISHIELD", "01-04-2025"))
    found = eligibility(primed, COVAXIN, [SESSION, COVAXIN, CORBEVAX], TODAY)
    assert found.other_sessions == (SESSION, CORBEVAX)
    assert "COVISHIELD or CORBEVAX session" in found.advice


@pytest.mark.parametrize(("doses", "birth_year", "advice"), [
    ((), "2018", "Do not vaccinate. They may come back from 01-01-2030, the year they turn 12."),
    (((1, "COVAXIN", "01-01-2026"), (2, "COVAXIN", "01-03-2026")), "2010",
     "Nothing to give: their vaccination is complete."),
    (((1, "COVISHIELD", "28-11-2026"),), "1985", "Next: dose 2 from 20-02-2027."),
], ids=["too young", "complete", "today"])
def test_nothing_due_says_so(doses: tuple[tuple[int, str, str], ...], birth_year: str,
                             advice: str) -> None:
    found = eligibility(person(*doses, birth_year=birth_year), SESSION, [SESSION, COVAXIN],
                        TODAY)
    assert (found.ok, found.advice, found.other_sessions) == (False, advice, ())


# --- the registry's date -------------------------------------------------------------------


def test_the_registry_date_is_ist_whatever_the_workstation_zone() -> None:
    evening_utc = datetime(2026, 11, 28, 20, 0, tzinfo=UTC)
    assert evening_utc.date() == date(2026, 11, 28)
    assert registry_today(evening_utc) == date(2026, 11, 29)
    assert registry_today(evening_utc.astimezone(ZoneInfo("America/New_York"))) == date(
        2026, 11, 29)
    assert registry_today(evening_utc, zone_named("America/New_York")) == date(2026, 11, 28)


@pytest.mark.parametrize(("named", "offset"), [
    ("Asia/Kolkata", timedelta(hours=5, minutes=30)),
    ("", timedelta(hours=5, minutes=30)),
    (None, timedelta(hours=5, minutes=30)),
    ("Not/AZone", timedelta(hours=5, minutes=30)),
    ("../../etc/passwd", timedelta(hours=5, minutes=30)),
    ("+05:45", timedelta(hours=5, minutes=45)),
    ("UTC-03:00", timedelta(hours=-3)),
    ("+99:00", timedelta(hours=5, minutes=30)),
    ("Europe/London", timedelta(0)),
])
def test_zone_named_reads_names_and_offsets_and_falls_back_to_ist(named: str | None,
                                                                  offset: timedelta) -> None:
    winter = datetime(2026, 11, 28, 12, 0)
    assert zone_named(named).utcoffset(winter) == offset


def test_zone_name_is_what_meta_says() -> None:
    assert zone_name(datetime(2026, 11, 28, 10, 0, tzinfo=IST)) == "Asia/Kolkata"
    assert zone_name(datetime(2026, 11, 28, tzinfo=ZoneInfo("America/New_York"))) == (
        "America/New_York")
    assert zone_name(datetime(2026, 11, 28, tzinfo=timezone(timedelta(hours=-3)))) == "-03:00"


# --- the kept consent -----------------------------------------------------------------------

MOBILE = Lookup(SearchKind.MOBILE, "9000000008")
REFERENCE = "99990000000008"


def consent() -> Consent:
    return Consent(Secret("t" * 32), frozenset({REFERENCE}), 600.0, ())


def test_a_kept_consent_answers_the_same_mobile_or_a_person_it_covers() -> None:
    desk, given = Desk(), consent()
    keep_consent(desk, MOBILE, given)
    desk.forget_beneficiary()  # back to Search: the person goes, the consent is kept
    assert desk.consent is None and desk.kept is not None

    def left(c: Consent) -> float:
        return 300.0

    assert reusable_consent(desk, MOBILE, left) is given
    assert reusable_consent(desk, Lookup(SearchKind.REFERENCE_ID, REFERENCE), left) is given
    assert reusable_consent(desk, Lookup(SearchKind.MOBILE, "9000000002"), left) is None
    assert reusable_consent(desk, Lookup(SearchKind.REFERENCE_ID, "99990000000002"),
                            left) is None
    assert "9000000008" not in repr(desk.kept), "the typed mobile is kept as a digest"


def test_a_consent_about_to_expire_is_dropped_and_sign_out_forgets_it() -> None:
    desk, given = Desk(), consent()
    keep_consent(desk, MOBILE, given)
    assert reusable_consent(desk, MOBILE, lambda c: 59.0) is None
    assert desk.kept is None
    keep_consent(desk, MOBILE, given)
    desk.forget_everything()
    assert desk.kept is None and desk.consent is None


# --- "N recorded": per session, and reading the tally finishes no one -----------------------


def test_recorded_counts_the_session_chosen_now() -> None:
    desk = Desk(session=SESSION)
    desk.note_recorded("v-1", SESSION.session_id)
    desk.note_recorded("v-1", SESSION.session_id)  # the form and a retry both heard of it
    desk.note_recorded("v-2", SESSION.session_id)
    assert desk.doses_recorded == 2
    desk.session = COVAXIN  # F3: the other session has none of them
    assert desk.doses_recorded == 0
    desk.note_recorded("v-3", COVAXIN.session_id)
    assert desk.doses_recorded == 1
    desk.session = SESSION
    assert desk.doses_recorded == 2


def test_the_tallys_list_replaces_the_sessions_count_and_keeps_the_consent() -> None:
    desk, given = Desk(session=SESSION), consent()
    desk.note_recorded("v-1", SESSION.session_id)
    desk.note_recorded("v-9", COVAXIN.session_id)
    keep_consent(desk, MOBILE, given)  # someone left unrecorded, to change session
    desk.standing_in(SESSION.session_id, ["v-2", "v-3"])  # v-1 was marked in error
    assert desk.doses_recorded == 2 and desk.recorded["v-9"] == COVAXIN.session_id
    assert desk.kept is not None and desk.kept.consent is given
