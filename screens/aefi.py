"""Report a minor reaction (AEFI) seen during the 30-minute observation after a dose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import get_args

from textual import on
from textual.app import ComposeResult
from textual.widgets import Select

from api_client import models as m
from screens.record_dialog import RecordDialog
from screens.widgets import DIGITS, Field
from vaxterm.validators import check_minutes

MOST_MINUTES = 30  # the observation after a dose


class AefiModal(RecordDialog):
    TITLE_TEXT = "Report a minor reaction"
    CONFIRM = "Report"
    DONE = "The reaction is reported."

    def compose_fields(self) -> ComposeResult:
        yield Select([(x, x) for x in get_args(m.Reaction)], prompt="Reaction", id="reaction")
        yield Field(id="onset", placeholder=f"minutes after the dose (0-{MOST_MINUTES})",
                    max_length=2, restrict=DIGITS, empty="")  # the dialog says what is missing

    def prepared(self) -> Callable[[], Awaitable[object]] | str:
        reaction = self.query_one("#reaction", Select).value
        onset = check_minutes(self.query_one("#onset", Field).value, most=MOST_MINUTES)
        if not isinstance(reaction, str):
            return "Choose the reaction."
        if not onset.ok:
            return onset.message
        return lambda: self.vax.api.report_aefi(
            self.record.vaccination_id, reaction, int(onset.value))  # type: ignore[arg-type]

    @on(Field.Submitted, "#onset")
    def submitted(self) -> None:
        """Enter in the last field reports, as the Report button does."""
        self.confirmed()
