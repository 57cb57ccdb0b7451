"""Sliding-window counters for the registry's abuse rules (DESIGN.md §3).

Each rule counts events per key (an account, a mobile, a vaccinator) over a span of time on
the registry's injectable clock, so tests move time instead of sleeping.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta


class Window:
    """At most `limit` events per key within any `span`."""

    def __init__(self, span: timedelta, limit: int) -> None:
        self.span = span
        self.limit = limit
        self._events: dict[str, deque[datetime]] = {}

    def _trim(self, key: str, now: datetime) -> deque[datetime]:
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.span:
            events.popleft()
        if not events:
            del self._events[key]  # idle keys do not pile up
            return deque()
        return events

    def full(self, key: str, now: datetime) -> bool:
        return len(self._trim(key, now)) >= self.limit

    def add(self, key: str, now: datetime) -> int:
        """Count one event; the number now in the window."""
        self._trim(key, now)
        events = self._events.setdefault(key, deque())
        events.append(now)
        return len(events)

    def retry_after(self, key: str, now: datetime) -> int:
        """Whole seconds until one more event fits (at least 1)."""
        events = self._trim(key, now)
        if len(events) < self.limit:
            return 1
        wait = self.span - (now - events[len(events) - self.limit])
        return max(int(wait.total_seconds()) + 1, 1)

    def clear(self) -> None:
        self._events.clear()
