"""Close the session: vials opened per batch, the count against the doses recorded, the
wastage and, beyond the open-vial allowance, why; confirmed (default No), then sent."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, SelectionList, Static

from api_client import errors as e
from api_client import models as m
from screens.base import WorkScreen
from screens.tick_list import TickList
from screens.widgets import DIGITS, Field, Problem
from vaxterm.session_close import (
    REASONS,
    closure_line,
    closure_lines,
    count_lines,
    counted_batches,
    expired_unused,
    not_closed_words,
    preview,
    problems,
    read_vials,
    request,
)


class SessionCloseScreen(WorkScreen):
    CSS_PATH = "session_close.tcss"
    HELP = """
## Close the session
At the end of the day, type the vials you opened of each batch (an empty field is none).
The screen counts the doses they held against the doses the registry recorded, and the
wastage. More wasted than the last vial's leftover needs a reason (**Space** ticks one).
**F10** (or Enter in the last field) reviews; the confirmation starts on **No**. After it the
session records no more doses.
"""
    BINDINGS = [Binding("f10", "review", "Close session", id="close.review")]

    def __init__(self) -> None:
        super().__init__()
        self._recorded: dict[str, int] = {}
        self._batches: list[m.Batch] = []
        self._loaded = False
        self._closure: m.SessionClosure | None = None

    @property
    def session(self) -> m.Session:
        session = self.vax.desk.session
        assert session is not None, "the tally opens this screen for its session"
        return session

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="close-box"):
            yield Label(f"Close the session: {self.session.vaccine}, "
                        f"{self.session.centre_name}", classes="title", markup=False)
            yield Static("Loading the doses recorded…", id="batches-note")
            yield VerticalScroll(id="batches")
            yield Static(id="count", markup=False)
            yield Label("Wastage beyond the open-vial allowance: why (Space ticks)",
                        id="reasons-label")
            yield TickList(*((r, r) for r in REASONS), id="reasons")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        self.query_one("#reasons", SelectionList).disabled = True
        self.load()

    @work(exclusive=True, group="close", exit_on_error=False)
    async def load(self) -> None:
        session = self.session
        try:
            summary = await self.vax.call_api(
                lambda: self.vax.api.session_summary(session.session_id))
        except e.ApiError as error:
            self.problem().say(self.vax.describe(error) + " Escape, then F10 again.")
            return
        if summary.closure is not None:
            self._show_closed(summary.closure)
            return
        self._recorded = dict(summary.by_batch)
        today = self.vax.today()
        every = counted_batches(session, self._recorded)
        # An expired batch nothing was recorded from takes 0 vials and gets no field.
        self._batches = [b for b in every if not expired_unused(b, self._recorded, today)]
        rows = self.query_one("#batches", VerticalScroll)
        for index, batch in enumerate(self._batches):
            done = self._recorded.get(batch.vaccine_batch, 0)
            await rows.mount(Horizontal(
                Label(f"{batch.vaccine_batch:<12} {batch.doses_per_vial:>2} a vial, "
                      f"{done:>3} recorded  vials opened:", markup=False),
                Field(id=f"vials-{index}", max_length=3, restrict=DIGITS, compact=True,
                      placeholder="none", advance=index < len(self._batches) - 1, empty=""),
                classes="batch"))
        for batch in every:
            if batch not in self._batches:
                await rows.mount(Label(
                    f"{batch.vaccine_batch:<12} expired {batch.expiry_date}: not used, "
                    "counted as 0 vials", markup=False, classes="expired"))
        total = sum(self._recorded.values())
        self.query_one("#batches-note", Static).update(
            f"Doses recorded in this session (the registry's count): {total}")
        self._loaded = True
        self._recount()
        if self._batches:
            self.query_one("#vials-0", Field).focus()

    def _typed(self) -> tuple[dict[str, int], str]:
        return read_vials({b.vaccine_batch: self.query_one(f"#vials-{i}", Field).value
                           for i, b in enumerate(self._batches)})

    def _reasons(self) -> list[m.WastageReason]:
        return list(self.query_one("#reasons", SelectionList).selected)

    @on(Input.Changed)
    def _recount(self) -> None:
        if not self._loaded or self._closure is not None:
            return
        vials, wrong = self._typed()
        if wrong:
            self.problem().say(wrong)
            return
        count = preview(self.session, self._recorded, vials)
        self.query_one("#count", Static).update("\n".join(count_lines(count)))
        self.query_one("#reasons", SelectionList).disabled = not count.beyond_allowance
        self.problem().say("")

    @on(Input.Submitted)
    def _last_field(self, event: Input.Submitted) -> None:
        if isinstance(event.input, Field) and not event.input.advance:
            self.action_review()

    def action_review(self) -> None:
        from screens.dialogs import ConfirmModal

        if self._closure is not None:
            self.problem().say("This session is already closed. Escape goes back.", note=True)
            return
        if not self._loaded:
            self.problem().say("The doses recorded are still loading.", note=True)
            return
        vials, wrong = self._typed()
        reasons = self._reasons()
        count = preview(self.session, self._recorded, vials)
        said = wrong or problems(count, reasons)
        if said:
            self.problem().say(said)
            return
        if not count.beyond_allowance:
            reasons = []  # ticked before the count changed: not part of this count
        lines = [("Count", line) for line in count_lines(count)]
        lines += [("Why", r) for r in reasons]

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self.send(request(vials, reasons))

        self.app.push_screen(ConfirmModal(
            "Close this session?",
            "No dose can be recorded in it afterwards. This cannot be undone.",
            confirm="Close session", cancel="No", lines=lines, default_no=True), answered)

    @work(exclusive=True, group="close", exit_on_error=False)
    async def send(self, closing: m.SessionCloseRequest) -> None:
        from vaxterm.session_close import close

        session_id = self.session.session_id
        self.problem().say("Closing…", note=True)
        try:
            closure = await self.vax.call_api(
                lambda: close(self.vax.api, self.vax.desk, session_id, closing))
        except e.ApiError as error:
            self.problem().say(not_closed_words(error, self.vax.describe(error)))
            return
        self._show_closed(closure)
        self.app.notify(closure_line(closure), title="Session closed", markup=False)

    def _show_closed(self, closure: m.SessionClosure) -> None:
        from vaxterm.session_close import mark_closed

        self._closure = closure
        mark_closed(self.vax.desk, closure.session_id)
        self.refresh_context()
        self.query_one("#batches-note", Static).update("")
        for field in self.query(Field):
            field.disabled = True
        self.query_one("#reasons", SelectionList).disabled = True
        self.query_one("#count", Static).update("\n".join(closure_lines(closure)))
        self.problem().say(closure_line(closure) + " Escape goes back.", note=True)
