"""When and how long to wait before trying a request again."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in count and in total time."""

    attempts: int = 3  # tries in all, the first included
    base_delay: float = 0.25
    max_delay: float = 4.0
    total: float = 20.0  # seconds from the first try after which no retry starts

    def delay(self, retry: int, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds to wait before retry number `retry` (1-based). A server's Retry-After is
        a floor, never shortened by jitter."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        jitter = (rng or random).uniform(0, ceiling)
        return max(jitter, retry_after or 0.0)


NO_RETRY = RetryPolicy(attempts=1)
