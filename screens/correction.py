"""Mark a dose recorded by mistake as entered-in-error: same day, same vaccinator, with a
reason from a fixed list (free text could carry personal data). Nothing is deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import get_args

from textual.app import ComposeResult
from textual.widgets import Select

from api_client import models as m
from screens.record_dialog import RecordDialog


class EnteredInErrorModal(RecordDialog):
    TITLE_TEXT = "Mark this record as entered in error?"
    CONFIRM = "Mark entered in error"
    CONFIRM_VARIANT = "error"
    DONE = "The record is marked entered in error."

    def compose_fields(self) -> ComposeResult:
        yield Select([(reason, reason) for reason in get_args(m.ErrorReason)],
                     prompt="Reason", id="reason")

    def prepared(self) -> Callable[[], Awaitable[object]] | str:
        reason = self.query_one("#reason", Select).value
        if not isinstance(reason, str):
            return "Choose the reason."
        return lambda: self.vax.api.entered_in_error(
            self.record.vaccination_id, reason)  # type: ignore[arg-type]
