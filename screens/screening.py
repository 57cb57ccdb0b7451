"""Pre-vaccination screening, between the photo-ID check and the dose form: the checklist of
the session's product; N answers "none of these" (the usual case)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, SelectionList, Static

from api_client.dates import parse_ddmmyyyy
from screens.base import WorkScreen
from screens.tick_list import TickList
from screens.widgets import Field, Problem
from vaxterm.dose_form import DoseDraft
from vaxterm.screening import Outcome, Verdict, checklist, judge, none_of_these


class ScreeningScreen(WorkScreen):
    CSS_PATH = "screening.tcss"
    HELP = """
## Screening before the dose
Ask each question. Usually none applies: press **N**. Otherwise tick what applies
(arrows, **Space**) and press **Enter**: a contraindication or a deferral leads to "could not
vaccinate" with the date they may come back; a precaution needs your confirmation first.
**F6** records that the person could not be vaccinated, for another reason.
"""
    BINDINGS = [
        Binding("n", "none", "None apply", id="screening.none"),
        # Priority: the list's own Enter would tick the highlighted answer.
        Binding("enter", "next", "Continue", priority=True, id="screening.next"),
        Binding("f6", "not_vaccinated", "No dose", id="screening.not_vaccinated"),
    ]

    @property
    def draft(self) -> DoseDraft:
        draft = self.vax.desk.draft
        assert draft is not None, "the ID check opens the form"
        return draft

    def compose_body(self) -> ComposeResult:
        draft = self.draft
        questions = checklist(draft.vaccine)
        with Vertical(id="screening-box"):
            yield Label(f"Before the {draft.vaccine} dose, ask {draft.name}:", classes="title",
                        markup=False)
            yield TickList(*((q.ask, q.code) for q in questions), id="answers")
            yield Static("Usually none applies: press [b]N[/b]. Otherwise tick what applies "
                         "(Space), then Enter.", id="how")
            dated = next((q for q in questions if q.asks_date), None)
            if dated is not None:
                with Vertical(id="dated", classes="-hidden"):
                    yield Label(f"{dated.asks_date} (DD-MM-YYYY)")
                    yield Field(id="date", max_length=10, restrict=r"[0-9-]*",
                                placeholder="DD-MM-YYYY")
            yield Static(id="advice")
            yield Problem(id="problem")

    def on_mount(self) -> None:
        self.refresh_context()
        answers = self.query_one("#answers", SelectionList)
        answers.focus()
        answers.highlighted = 0

    @on(SelectionList.SelectedChanged, "#answers")
    def answers_changed(self) -> None:
        ticked = set(self.query_one("#answers", SelectionList).selected)
        questions = [q for q in checklist(self.draft.vaccine) if q.code in ticked]
        for dated in self.query("#dated"):
            dated.set_class(not any(q.asks_date for q in questions), "-hidden")
        self.query_one("#advice", Static).update("\n".join(
            f"{'✘' if q.outcome in (Outcome.CONTRAINDICATED, Outcome.DEFER) else '!'} "
            f"{q.advice}" for q in questions))
        self.problem().say("")

    def action_none(self) -> None:
        self._proceed(none_of_these())

    def action_next(self) -> None:
        ticked = set(self.query_one("#answers", SelectionList).selected)
        fields = list(self.query("#date").results(Field))
        dates = {"RECENT_COVID": parse_ddmmyyyy(fields[0].value.strip())} if fields else {}
        verdict = judge(self.draft.vaccine, ticked, self.vax.today(), dates)
        if verdict.problem:
            self.problem().say(verdict.problem)
            if fields and "date" in verdict.problem.lower():
                fields[0].focus()
            return
        if verdict.reason is not None:
            self._stop(verdict)
        elif verdict.to_confirm:
            self._confirm(verdict)
        else:
            self._proceed(verdict)

    def _proceed(self, verdict: Verdict) -> None:
        from screens.record_dose import RecordDoseScreen

        self.draft.screening = verdict.codes
        self.app.switch_screen(RecordDoseScreen())

    def _confirm(self, verdict: Verdict) -> None:
        from screens.dialogs import ConfirmModal

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._proceed(verdict)

        self.app.push_screen(ConfirmModal(
            "Precaution: confirm before the dose",
            "\n".join(f"{q.ask}: {q.advice}" for q in verdict.to_confirm),
            confirm="Confirmed, go on"), answered)

    def _stop(self, verdict: Verdict) -> None:
        from screens.not_vaccinated import NotVaccinatedScreen

        assert verdict.reason is not None
        # Pushed: Escape comes back to the answers.
        self.app.push_screen(NotVaccinatedScreen(
            verdict.reason, screening=verdict.codes, come_back=verdict.come_back,
            why="\n".join(q.advice for q in verdict.answered
                          if q.outcome is not Outcome.PRECAUTION)))

    def action_not_vaccinated(self) -> None:
        from screens.not_vaccinated import NotVaccinatedScreen

        self.app.push_screen(NotVaccinatedScreen())
