"""The wire's date format, DD-MM-YYYY (Co-WIN's), written once: parse, format and pattern."""

from __future__ import annotations

from datetime import date, datetime

WIRE_FORMAT = "%d-%m-%Y"
DATE_PATTERN = r"^\d{2}-\d{2}-\d{4}$"
OPTIONAL_DATE_PATTERN = r"^(\d{2}-\d{2}-\d{4})?$"


def parse_ddmmyyyy(text: str | None) -> date | None:
    """The day `text` names, or None when it is empty or not a DD-MM-YYYY date."""
    try:
        return datetime.strptime(text or "", WIRE_FORMAT).date()
    except ValueError:
        return None


def ddmmyyyy(day: date | None) -> str:
    """`day` as the wire writes it; empty for no day (the contract's optional dates)."""
    return day.strftime(WIRE_FORMAT) if day else ""
