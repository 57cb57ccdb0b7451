"""Error classes carry their contract codes; every code of the contract becomes an error."""

from __future__ import annotations

from datetime import date

import pytest

from api_client import errors as e
from api_client.codes import CODES
from api_client.rules import Reason


def test_every_class_code_is_a_contract_code() -> None:
    assert set(e.BY_CODE) <= set(CODES)


def test_the_dose_refusals_are_the_rules_reasons() -> None:
    dose_classes = {code: cls for code, cls in e.BY_CODE.items()
                    if cls in (e.NotEligible, e.BatchExpired, e.DoseAlreadyRecorded)}
    assert set(dose_classes) == {r.value for r in Reason}
    assert dose_classes[Reason.BATCH_EXPIRED.value] is e.BatchExpired
    assert dose_classes[Reason.ALREADY_RECORDED.value] is e.DoseAlreadyRecorded


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_contract_code_becomes_a_typed_error(code: str) -> None:
    spec = CODES[code]
    error = e.error_for(e.ErrorAnswer(spec.status, code, "The server's sentence.",
                                      request_id="r1"))
    expected = e.BY_CODE.get(code)
    if expected is None:  # no words of its own: the server's sentence, as given
        expected = e.ServerError if spec.status >= 500 else e.Refused
        assert error.message == "The server's sentence."
    assert type(error) is expected
    assert error.code == code and error.reference == f"{code} / r1"


def test_a_class_reuses_the_contract_sentence_rather_than_repeating_it() -> None:
    reusing: tuple[type[e.ApiError], ...] = (e.AccountLocked, e.OtpExpired)
    for cls in reusing:
        (code,) = cls.codes
        assert cls.default_message is CODES[code].message
    own: tuple[type[e.ApiError], ...] = (e.ConsentExpired, e.WrongPassword)
    for cls in own:
        (code,) = cls.codes
        assert cls.default_message != CODES[code].message, "its own words, for the screen"


def test_details_of_an_answer_reach_the_error() -> None:
    wrong = e.error_for(e.ErrorAnswer(400, "USRAUT0014", "Invalid OTP.", tries_left=1))
    assert isinstance(wrong, e.OtpWrong) and wrong.message == "That code is not right. 1 try left."
    limited = e.error_for(e.ErrorAnswer(429, "RATLMT0001", "", retry_after=42.0))
    assert isinstance(limited, e.RateLimited) and limited.retry_after == 42
    early = e.error_for(e.ErrorAnswer(422, Reason.TOO_EARLY.value, "Too early for dose 2.",
                                      earliest_date=date(2027, 1, 21)))
    assert isinstance(early, e.NotEligible)
    assert (early.message, early.earliest_date) == ("Too early for dose 2.", date(2027, 1, 21))


@pytest.mark.parametrize(("status", "code", "expected"), [
    (429, "", e.RateLimited),                 # a gateway's 429 without our code
    (422, "DOSE0099", e.NotEligible),         # a rule newer than ours
    (502, "UPSTREAM", e.ServerUnavailable),
    (500, "UNKNOWN", e.ServerError),
    (409, "SOMETHING", e.Refused),
])
def test_codes_we_do_not_know_fall_back_on_the_status(status: int, code: str,
                                                      expected: type[e.ApiError]) -> None:
    assert type(e.error_for(e.ErrorAnswer(status, code, "words"))) is expected


def test_an_error_raised_by_the_client_names_its_code() -> None:
    assert e.ConsentScope().reference == "CONSNT0002"
    assert e.LoginExpired().reference == "none"
