"""ID check: the vaccinator confirms the photo-ID type and its last 4 digits."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Label, Select

from api_client.models import PHOTO_ID_TYPES
from screens.base import WorkScreen
from screens.widgets import Field, Problem
from vaxterm.dose_form import open_draft
from vaxterm.identity import check_id_seen

ID_TYPES = PHOTO_ID_TYPES


class IdCheckScreen(WorkScreen):
    CSS_PATH = "id_check.tcss"
    HELP = """
## Check the photo ID
Ask for the photo ID the beneficiary registered with. Confirm its type and type the **last 4
digits printed on the card**, then **Enter**. A different card cannot be used.
"""

    def compose_body(self) -> ComposeResult:
        person = self.vax.desk.person
        registered = person.photo_id_type if person else ID_TYPES[0]
        types = ID_TYPES if registered in ID_TYPES else (registered, *ID_TYPES)
        with Vertical(id="id-box"):
            yield Label(f"Check the photo ID of {person.name if person else ''}",
                        classes="title", markup=False)
            yield Label("ID type on the card")
            yield Select([(t, t) for t in types], value=registered, allow_blank=False,
                         id="id-type")
            yield Label("Last 4 digits on the card")
            yield Field(id="last4", max_length=4, restrict=r"[0-9]*", placeholder="4 digits")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        self.query_one("#last4", Field).focus()

    @on(Field.Submitted, "#last4")
    def submitted(self, event: Field.Submitted) -> None:
        from screens.screening import ScreeningScreen

        desk = self.vax.desk
        if desk.person is None or desk.session is None:
            return
        id_type = str(self.query_one("#id-type", Select).value)
        checked = check_id_seen(desk.person, id_type, event.value)
        if not checked.ok:
            self.problem().say(checked.message)
            return
        used = desk.batches_of(desk.session.session_id)
        desk.draft = open_draft(desk.person, desk.session, self.vax.today(),
                                finished=used.finished, chosen=used.chosen)
        self.app.switch_screen(ScreeningScreen())
