"""Report a minor reaction (AEFI) seen during the 30-minute observation after a dose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import get_args

from textual.app import ComposeResult
from textual.widgets import Select

from api_client import models as m
from screens.record_dialog import RecordDialog
from screens.widgets import Field


class AefiModal(RecordDialog):
    TITLE_TEXT = "Report a minor reaction"
    CONFIRM = "Report"
    DONE = "The reaction is reported."

    def compose_fields(self) -> ComposeResult:
        yield Select([(x, x) for x in get_args(m.Reaction)], prompt="Reaction", id="reaction")
        yield Field(id="onset", placeholder="minutes after the dose (0-30)", max_length=2,
                    restrict=r"[0-9]*")

    def prepared(self) -> Callable[[], Awaitable[object]] | str:
        reaction = self.query_one("#reaction", Select).value
        onset = self.query_one("#onset", Field).value
        if not isinstance(reaction, str):
            return "Choose the reaction."
        if not onset.isdigit() or int(onset) > 30:
            return "Type the minutes after the dose, 0 to 30."
        return lambda: self.vax.api.report_aefi(
            self.record.vaccination_id, reaction, int(onset))  # type: ignore[arg-type]
