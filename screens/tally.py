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
Counts for this session and your records today, newest first. Pick a record with the
arrows, then **F6** to mark it entered in error (same day, with a reason) or **F7** to report
a reaction (minor, severe or serious, with its onset and outcome). **F10** closes the
session at the end of the day (vials opened, wastage); after it the session records no more
doses. **F2** shows the whole day at the centre, without names.
"""
    # Short words: the footer must fit in 80 columns (F1 says them in full).
    BINDINGS = [
        Binding("f6", "entered_in_error", "In error", id="tally.error"),
        Binding("f7", "aefi", "AEFI", id="tally.aefi"),
        Binding("f10", "close_session", "Close session", id="tally.close"),
        # F2 again (F2 on Search opens the tally): the whole day, without names. Out of the
        # footer, which must fit 80 columns with F4 shown; F1 lists it.
        Binding("f2", "day_summary", "Day", show=False, id="tally.day"),
        # Offered in words when a read fails, like the person screen's.
        Binding("f5", "reload", "Refresh", show=False, id="tally.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._records: list[m.SummaryRecord] = []
        self._loaded = False

    def compose_body(self) -> ComposeResult:
        yield Static(id="closed", markup=False)
        with Horizontal(id="counts"):
            yield Static(id="by-dose")
            yield Static(id="by-vaccine")
            yield Static(id="by-batch")
            yield Static(id="not-vaccinated")
        yield Label("Your records today", id="mine", classes="title")
        yield DataTable(id="records", cursor_type="row")
        yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        table = self.query_one("#records", DataTable)
        # Widths fixed to the longest value ("entered-in-error"): a column sized to the first
        # rows cut the status it later showed.
        for label, width in (("Time", 5), ("Reference", 9), ("Dose", 4), ("Vaccine", 10),
                             ("Batch", 11), ("Status", len("entered-in-error"))):
            table.add_column(label, width=width)
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
        closed = self.query_one("#closed", Static)
        closed.display = summary.closure is not None
        if summary.closure is not None:
            from vaxterm.session_close import closure_line, mark_closed

            mark_closed(self.vax.desk, summary.closure.session_id)
            closed.update(closure_line(summary.closure))

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
        kept = self._records[table.cursor_row].vaccination_id if (
            self._records and 0 <= table.cursor_row < len(self._records)) else None
        table.clear()
        # Newest first, and the newest chosen: F6 or F7 pressed at once act on the dose just
        # recorded, never on the morning's first.
        self._records = sorted(summary.my_records, key=lambda r: r.time, reverse=True)
        for record in self._records:
            table.add_row(record.time[11:16], record.beneficiary_reference_id[-6:],
                          str(record.dose), record.vaccine, record.vaccine_batch, record.status,
                          key=record.vaccination_id)
        ids = [r.vaccination_id for r in self._records]
        table.move_cursor(row=ids.index(kept) if kept in ids else 0, animate=False)
        self._loaded = True
        self._count(session.session_id, summary.my_records)

    def _count(self, session_id: str, records: list[m.SummaryRecord]) -> None:
        """"N recorded" (here and on every screen's context line) counts the doses that stand:
        one marked entered in error no longer does, and the table shows it as such."""
        standing = [r.vaccination_id for r in records if r.status == "completed"]
        in_error = len(records) - len(standing)
        self.vax.desk.standing_in(session_id, standing)
        self.query_one("#mine", Label).update(
            f"Your records today: {len(standing)} recorded"
            + (f" · {in_error} entered in error" if in_error else ""))
        self.refresh_context()

    def _chosen(self) -> m.SummaryRecord | None:
        table = self.query_one("#records", DataTable)
        if not self._loaded:
            self.problem().say("The records are still loading.", note=True)
            return None
        if not self._records or table.cursor_row is None:
            self.problem().say("You have no records in this session today.", note=True)
            return None
        record = self._records[table.cursor_row]
        if record.status != "completed":
            self.problem().say("This record is already marked entered in error.")
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

    def action_close_session(self) -> None:
        from screens.session_close import SessionCloseScreen

        if self.vax.desk.session is not None:
            self.app.push_screen(SessionCloseScreen(), self._after_close)

    def _after_close(self, _: None) -> None:
        self.load()

    def action_day_summary(self) -> None:
        from screens.day_summary import DaySummaryScreen

        self.app.push_screen(DaySummaryScreen())

    def action_aefi(self) -> None:
        from screens.aefi import AefiModal

        record = self._chosen()
        if record is not None:
            self.app.push_screen(AefiModal(record))
