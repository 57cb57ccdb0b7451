"""The session tally: doses by dose number, vaccine and batch; this vaccinator's records
today, masked. A record can be marked entered-in-error or get a reaction (AEFI) report."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Label, Static

from api_client import errors as e
from api_client import models as m
from screens.base import WorkScreen
from screens.widgets import Problem
from vaxterm.not_vaccinated import SHORT


class TallyScreen(WorkScreen):
    CSS_PATH = "tally.tcss"
    HELP = """
## Session tally
Counts for this session and your records today. Pick a record with the arrows, then
**F6** to mark it entered in error (same day, with a reason) or **F7** to report a minor
reaction seen during the 30-minute observation.
"""
    BINDINGS = [
        Binding("f6", "entered_in_error", "Entered in error", id="tally.error"),
        Binding("f7", "aefi", "Reaction (AEFI)", id="tally.aefi"),
        Binding("f5", "reload", "Refresh", id="tally.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._records: list[m.SummaryRecord] = []

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="counts"):
            yield Static(id="by-dose")
            yield Static(id="by-vaccine")
            yield Static(id="by-batch")
            yield Static(id="not-vaccinated")
        yield Label("Your records today", classes="title")
        yield DataTable(id="records", cursor_type="row")
        yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        table = self.query_one("#records", DataTable)
        table.add_columns("Time", "Reference", "Dose", "Vaccine", "Batch", "Status")
        table.focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="tally", exit_on_error=False)
    async def load(self) -> None:
        session = self.vax.desk.session
        if session is None:
            return
        try:
            summary = await self.vax.call_api(
                lambda: self.vax.api.session_summary(session.session_id))
        except e.ApiError as error:
            self.problem().say(self.vax.describe(error) + " F5 tries again.")
            return
        self.problem().say("")  # an earlier failure is no longer true

        def block(title: str, counts: dict[str, int]) -> str:
            rows = [f"{k:<14}{v:>4}" for k, v in sorted(counts.items())] or ["none yet"]
            return "\n".join([f"[b]{title}[/b]", *rows])

        self.query_one("#by-dose", Static).update(
            block(f"Doses ({summary.total})", {f"dose {k}": v for k, v in summary.by_dose.items()}))
        self.query_one("#by-vaccine", Static).update(block("Vaccine", summary.by_vaccine))
        self.query_one("#by-batch", Static).update(block("Batch", summary.by_batch))
        self.query_one("#not-vaccinated", Static).update(
            block(f"Not vaccinated ({sum(summary.not_vaccinated.values())})",
                  {SHORT.get(k, k): v for k, v in summary.not_vaccinated.items()}))
        table = self.query_one("#records", DataTable)
        table.clear()
        self._records = list(summary.my_records)
        for record in self._records:
            table.add_row(record.time[11:16], record.beneficiary_reference_id[-6:],
                          str(record.dose), record.vaccine, record.vaccine_batch, record.status,
                          key=record.vaccination_id)

    def _chosen(self) -> m.SummaryRecord | None:
        table = self.query_one("#records", DataTable)
        if not self._records or table.cursor_row is None:
            return None
        record = self._records[table.cursor_row]
        if record.status != "completed":
            self.problem().say("This record is already marked entered "
                                                    "in error.")
            return None
        return record

    def action_entered_in_error(self) -> None:
        from screens.correction import EnteredInErrorModal

        record = self._chosen()
        if record is not None:
            self.app.push_screen(EnteredInErrorModal(record), self._corrected)

    def _corrected(self, done: bool | None) -> None:
        if done:
            self.load()

    def action_aefi(self) -> None:
        from screens.aefi import AefiModal

        record = self._chosen()
        if record is not None:
            self.app.push_screen(AefiModal(record))
