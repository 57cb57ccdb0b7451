"""How long one call may take: the defaults live here, once.

Light on purpose (no httpx): settings import it to offer the same defaults before the client
loads.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Timeouts:
    """Seconds. `connect`, `read`, `write` and `pool` are httpx's per-step limits; a read
    timeout restarts with each byte, so `total` bounds one whole attempt (connect, send
    and the complete answer) and a server that trickles its answer still ends."""

    connect: float = 5.0
    read: float = 15.0
    write: float = 10.0
    pool: float = 5.0
    total: float = 30.0
