"""The wire's date format, DD-MM-YYYY (Co-WIN's), written once: parse, format and pattern;
and the registry's zone, in which "today" is counted (a dose given at 01:00 IST is recorded
on the IST date, whatever the workstation's clock or zone says)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WIRE_FORMAT = "%d-%m-%Y"
DATE_PATTERN = r"^\d{2}-\d{2}-\d{4}$"
OPTIONAL_DATE_PATTERN = r"^(\d{2}-\d{2}-\d{4})?$"

# A registry that does not name its zone is India's: Co-WIN records dates in IST.
REGISTRY_ZONE = "Asia/Kolkata"
# IST has had no daylight saving since 1945, so a fixed offset is exact where the system has
# no zone database (Windows without the tzdata package).
IST = timezone(timedelta(hours=5, minutes=30), "IST")
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})$")


def parse_ddmmyyyy(text: str | None) -> date | None:
    """The day `text` names, or None when it is empty or not a DD-MM-YYYY date."""
    try:
        return datetime.strptime(text or "", WIRE_FORMAT).date()
    except ValueError:
        return None


def ddmmyyyy(day: date | None) -> str:
    """`day` as the wire writes it; empty for no day (the contract's optional dates)."""
    return day.strftime(WIRE_FORMAT) if day else ""


@cache
def zone_named(name: str | None) -> tzinfo:
    """The zone a registry names in `/meta`: an IANA name ("Asia/Kolkata") or a UTC offset
    ("+05:30", "UTC+05:30"). Missing or unreadable: IST, the registry's own."""
    text = (name or "").strip()
    offset = _OFFSET.match(text)
    if offset:
        sign, hours, minutes = offset.groups()
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        if delta < timedelta(hours=15):
            return timezone(-delta if sign == "-" else delta)
        return IST
    if text in ("", REGISTRY_ZONE):
        return IST
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return IST


def zone_name(moment: datetime) -> str:
    """How `/meta` names the zone of `moment`: its IANA name when it has one, else its UTC
    offset ("+05:30"), IST's offset as Asia/Kolkata."""
    zone = moment.tzinfo
    if isinstance(zone, ZoneInfo):
        return zone.key
    offset = moment.utcoffset() or timedelta(0)
    if offset == timedelta(hours=5, minutes=30):
        return REGISTRY_ZONE
    sign = "-" if offset < timedelta(0) else "+"
    minutes = int(abs(offset).total_seconds()) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def registry_today(now: datetime, zone: tzinfo | None = None) -> date:
    """The registry's date at the moment `now` (IST unless the registry named its zone)."""
    return now.astimezone(zone or IST).date()
