"""Report a reaction (AEFI) after a dose: minor, severe or serious, each with its meaning on
screen, its onset and its outcome. Severe and serious ones show the escalation to follow and
are flagged for the supervisor by the registry. No free text anywhere."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Label, Select, Static

from screens.record_dialog import RecordDialog
from screens.widgets import DIGITS, Field
from vaxterm.aefi_form import (
    OUTCOMES,
    REACTIONS,
    SERIOUSNESS,
    UNITS,
    escalation,
    explain,
    read_aefi,
)


class AefiModal(RecordDialog):
    CSS_PATH = "aefi.tcss"
    TITLE_TEXT = "Report a reaction (AEFI)"
    CONFIRM = "Report"
    DONE = "The reaction is reported."

    def compose_fields(self) -> ComposeResult:
        def row(label: str, *widgets: Widget) -> Horizontal:
            return Horizontal(Label(label, classes="label"), *widgets, classes="row")

        yield row("Reaction", Select([(x, x) for x in REACTIONS], prompt="choose",
                                     id="reaction", compact=True))
        yield row("Seriousness", Select([(x, x) for x in SERIOUSNESS], prompt="choose",
                                        id="seriousness", compact=True))
        yield Static(explain(None), id="definition", markup=False)
        yield row("Onset", Field(id="onset", placeholder="0", max_length=2, restrict=DIGITS,
                                 empty="", compact=True),
                  Select([(x, x) for x in UNITS], value="minutes", allow_blank=False,
                         id="unit", compact=True),
                  Label("after the dose", classes="after"))
        yield row("Outcome", Select([(x, x) for x in OUTCOMES], prompt="choose",
                                    id="outcome", compact=True))
        yield Static("", id="escalation", markup=False)

    def on_mount(self) -> None:
        self.query_one("#escalation", Static).display = False

    @on(Select.Changed, "#seriousness")
    def seriousness_chosen(self, event: Select.Changed) -> None:
        self.query_one("#definition", Static).update(explain(event.value))
        said = escalation(event.value)
        shown = self.query_one("#escalation", Static)
        shown.update(said)
        shown.display = bool(said)

    def prepared(self) -> Callable[[], Awaitable[object]] | str:
        report = read_aefi(self.query_one("#reaction", Select).value,
                           self.query_one("#seriousness", Select).value,
                           self.query_one("#onset", Field).value,
                           self.query_one("#unit", Select).value,
                           self.query_one("#outcome", Select).value)
        if isinstance(report, str):
            return report
        self.DONE = ("The reaction is reported and flagged for your supervisor. "
                     + escalation(report.seriousness)
                     if escalation(report.seriousness) else "The reaction is reported.")
        return lambda: self.vax.api.report_aefi(self.record.vaccination_id, report)

    @on(Field.Submitted, "#onset")
    def submitted(self) -> None:
        """Enter in the onset reports, as the Report button does."""
        self.confirmed()
