"""The end of the day, without names: today's sessions at the centre added up (doses by
vaccine, dose number and batch; could not vaccinate by reason; reactions by seriousness;
wastage from each closing). For the vaccinator and the supervisor; counts only."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from api_client import errors as e
from screens.base import WorkScreen
from screens.widgets import Problem


class DaySummaryScreen(WorkScreen):
    CSS_PATH = "day_summary.tcss"
    HELP = """
## End of the day
Today's sessions at your centre added up, without names: doses by vaccine, dose number and
batch, could not vaccinate by reason, reactions by seriousness, and the wastage each closed
session counted. **F5** reads it again; **Escape** goes back.
"""
    BINDINGS = [Binding("f5", "reload", "Refresh", id="day.reload")]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="day"):
            yield Static("Reading today's sessions…", id="headline", markup=False)
            with Horizontal(classes="counts"):
                yield Static(id="by-vaccine")
                yield Static(id="by-dose")
                yield Static(id="by-batch")
            with Horizontal(classes="counts"):
                yield Static(id="not-vaccinated")
                yield Static(id="aefi")
                yield Static(id="wastage")
        yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        self.action_reload()

    def action_reload(self) -> None:
        self.load()

    @work(exclusive=True, group="day-summary", exit_on_error=False)
    async def load(self) -> None:
        from vaxterm.day_summary import blocks, headline, load

        try:
            day = await self.vax.call_api(lambda: load(self.vax.api))
        except e.ApiError as error:
            self.problem().say(self.vax.describe(error) + " F5 tries again.")
            return
        self.problem().say("")
        centre = self.vax.user.centre_name if self.vax.user else "your centre"
        self.query_one("#headline", Static).update(headline(day, centre))
        for widget_id, text in blocks(day).items():
            self.query_one(f"#{widget_id}", Static).update(text)
