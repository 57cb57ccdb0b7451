"""The limits of closing a session: words for a could-not-vaccinate refused in a closed
session, and an expired batch counted as 0 vials without a field."""

from __future__ import annotations

from datetime import date

from api_client import errors as e
from api_client import models as m
from api_client.errors import ErrorAnswer, error_for
from vaxterm.session_close import expired_unused

TODAY = date(2026, 11, 28)


def test_sessn0008_says_the_session_is_closed() -> None:
    error = error_for(ErrorAnswer(status=409, code="SESSN0008", text="closed"))
    assert isinstance(error, e.SessionClosedNoRecord)
    assert "This session is closed: nothing more can be recorded" in error.message
    assert "F3 on Search" in error.message


def batch(expiry: str) -> m.Batch:
    return m.Batch(vaccine_batch="SYN-CS-0119", expiry_date=expiry, doses_per_vial=10)


def test_an_expired_batch_nothing_was_recorded_from_takes_no_field() -> None:
    assert expired_unused(batch("27-11-2026"), {}, TODAY)
    assert not expired_unused(batch("28-11-2026"), {}, TODAY)  # good through its day
    # Doses recorded from it (before it expired, or refused later): its vials are counted.
    assert not expired_unused(batch("27-11-2026"), {"SYN-CS-0119": 1}, TODAY)


def test_a_close_that_may_have_landed_is_not_called_not_closed() -> None:
    from vaxterm.session_close import not_closed_words

    lost = e.ServerError(code="GERR002")
    assert not_closed_words(lost, "x").startswith("The registry did not confirm the close")
    assert "Not closed" not in not_closed_words(lost, "x")
    unreached = e.ServerUnreachable(code="CONNECT")
    assert not_closed_words(unreached, "No connection.") == "Not closed: No connection."
