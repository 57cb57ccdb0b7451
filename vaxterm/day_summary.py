"""The end of the day without names, without a screen: today's sessions at the centre added
up from the registry's session summaries. Doses by vaccine, dose number and batch, encounters
that ended without a dose by reason, reactions by seriousness, and the wastage each closing
counted. For the vaccinator (their own doses are counted apart) and the supervisor alike;
nothing here names or identifies a person."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vaxterm.not_vaccinated import SHORT

if TYPE_CHECKING:
    from api_client import models as m
    from api_client.client import ApiClient

SERIOUSNESS_ORDER = ("minor", "severe", "serious")


@dataclass(frozen=True)
class SessionWastage:
    vaccine: str
    closed: bool
    wasted: int = 0
    doses_in_vials: int = 0
    percent: float = 0.0


@dataclass
class DaySummary:
    sessions: int = 0
    doses: int = 0
    mine: int = 0
    by_vaccine: Counter[str] = field(default_factory=Counter)
    by_dose: Counter[str] = field(default_factory=Counter)
    by_batch: Counter[str] = field(default_factory=Counter)
    not_vaccinated: Counter[str] = field(default_factory=Counter)
    aefi: Counter[str] = field(default_factory=Counter)
    wastage: list[SessionWastage] = field(default_factory=list)

    @property
    def wasted(self) -> int:
        return sum(w.wasted for w in self.wastage)

    @property
    def doses_in_vials(self) -> int:
        return sum(w.doses_in_vials for w in self.wastage)


def add_up(summaries: Iterable[tuple[m.Session, m.SessionSummary]]) -> DaySummary:
    """Today's sessions' summaries as one day; only counts, no record of anyone."""
    day = DaySummary()
    for session, summary in summaries:
        day.sessions += 1
        day.doses += summary.total
        day.mine += sum(1 for r in summary.my_records if r.status == "completed")
        day.by_vaccine.update(summary.by_vaccine)
        day.by_dose.update({f"dose {k}": v for k, v in summary.by_dose.items()})
        day.by_batch.update(summary.by_batch)
        day.not_vaccinated.update(summary.not_vaccinated)
        day.aefi.update(summary.aefi)
        closure = summary.closure
        day.wastage.append(
            SessionWastage(session.vaccine, True, closure.wasted, closure.doses_in_vials,
                           closure.wastage_percent) if closure is not None
            else SessionWastage(session.vaccine, False))
    return day


def _rows(counts: Counter[str], order: Iterable[str] = ()) -> list[str]:
    keys = [k for k in order if counts.get(k)] + sorted(k for k in counts if k not in order)
    return [f"{k:<16}{counts[k]:>4}" for k in keys if counts[k]] or ["none"]


def blocks(day: DaySummary) -> dict[str, str]:
    """The screen's blocks, by id: a bold title, then a row a count."""
    def block(title: str, rows: list[str]) -> str:
        return "\n".join([f"[b]{title}[/b]", *rows])

    wastage = [
        (f"{w.vaccine:<11}{w.wasted:>3}/{w.doses_in_vials:<4}{w.percent:>5.1f}%" if w.closed
         else f"{w.vaccine:<11}not closed") for w in day.wastage] or ["no session"]
    total = (f"All closed    {day.wasted}/{day.doses_in_vials}"
             f" {100 * day.wasted / day.doses_in_vials:.1f}%" if day.doses_in_vials else "")
    return {
        "by-vaccine": block(f"Doses ({day.doses})", _rows(day.by_vaccine)),
        "by-dose": block("By dose number", _rows(day.by_dose)),
        "by-batch": block("By batch", _rows(day.by_batch)),
        "not-vaccinated": block(f"Not vaccinated ({sum(day.not_vaccinated.values())})",
                                _rows(Counter({SHORT.get(k, k): v for k, v in
                                               day.not_vaccinated.items()}))),
        "aefi": block(f"Reactions ({sum(day.aefi.values())})",
                      _rows(day.aefi, SERIOUSNESS_ORDER)),
        "wastage": block("Wastage (closed)", [*wastage, *([total] if total else [])]),
    }


def headline(day: DaySummary, centre: str) -> str:
    return (f"Today at {centre}: {day.sessions} session{'s' if day.sessions != 1 else ''}, "
            f"{day.doses} dose{'s' if day.doses != 1 else ''} recorded, {day.mine} by you. "
            "No names: counts only.")


async def load(api: ApiClient) -> DaySummary:
    """Today's sessions at the centre, each one's summary, added up."""
    sessions = await api.sessions()
    return add_up([(s, await api.session_summary(s.session_id)) for s in sessions])
