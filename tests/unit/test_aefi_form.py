"""The reaction form's rules without a screen: what is missing, in the form's order."""

from __future__ import annotations

import pytest

from api_client import aefi
from vaxterm.aefi_form import escalation, explain, read_aefi

GOOD = ("fainting", "severe", "5", "minutes", "recovered")


def test_a_complete_report() -> None:
    report = read_aefi(*GOOD)
    assert not isinstance(report, str)
    assert (report.seriousness, report.onset, report.onset_unit, report.outcome) == (
        "severe", 5, "minutes", "recovered")


@pytest.mark.parametrize(("change", "says"), [
    ({0: None}, "Choose the reaction."),
    ({1: None}, "Choose how serious"),
    ({1: "moderate"}, "Choose how serious"),
    ({3: None}, "Choose minutes, hours or days."),
    ({2: ""}, "minutes after the dose, 0 to 59"),
    ({2: "0", 3: "hours"}, "hours after the dose, 1 to 23"),
    ({2: "29", 3: "days"}, "days after the dose, 1 to 28"),
    ({2: "5x"}, "0 to 59"),
    ({4: None}, "needs its outcome"),
    ({4: "died"}, "makes the reaction serious"),
])
def test_what_is_missing(change: dict[int, object], says: str) -> None:
    fields = list(GOOD)
    for where, value in change.items():
        fields[where] = value  # type: ignore[call-overload]
    answer = read_aefi(*fields)  # type: ignore[arg-type]
    assert isinstance(answer, str) and says in answer


def test_a_minor_reaction_needs_no_outcome_and_shows_no_escalation() -> None:
    assert not isinstance(read_aefi("fever", "minor", "3", "hours", None), str)
    assert escalation("minor") == ""
    assert escalation("severe") == escalation("serious") == aefi.ESCALATION
    assert "medical officer now" in aefi.ESCALATION and "24 hours" in aefi.ESCALATION


def test_each_class_has_its_definition() -> None:
    assert "self-limiting" in explain("minor")
    assert "none of the serious" in explain("severe")
    for outcome in ("death", "life-threatening", "hospitalisation", "disability",
                    "congenital anomaly", "cluster"):
        assert outcome in explain("serious")
    assert "Choose" in explain(None)
