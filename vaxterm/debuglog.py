"""`vaxterm --debug`: a log for support with the HTTP trace and the app's events, every line
passed through `redact`. Without `--debug` nothing is logged anywhere.

Lines say what happened (screens, calls, errors), never what was typed: no key is logged,
no body, no header, no token. Tracebacks carry no local variables. The file is rewritten at
each start, readable by its owner only, and its path is printed when the app ends.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from vaxterm.privacy import redact, reference_tail

if TYPE_CHECKING:
    from api_client.client import TraceEvent

LOGGER = "vaxterm"
FORMAT = "%(asctime)s %(name)s %(message)s"


def log_file(environ: dict[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    override = env.get("VAXTERM_LOG_DIR")
    if override:
        return Path(override) / "debug.log"
    import platformdirs

    return platformdirs.user_log_path("vaxterm", appauthor=False) / "debug.log"


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, then redacts the whole text."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        super().__init__(FORMAT)
        self._names = names

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._names())


def start(names: Callable[[], Iterable[str]], path: Path | None = None) -> Path:
    """Log to `path` (made afresh, mode 0600) through the redacting formatter."""
    path = path or log_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Emptied and owner-only before the handler opens it, even if an older file was wider.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    os.close(descriptor)
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(RedactingFormatter(names))
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path


def stop() -> None:
    """Close the file; the null handler stays, so nothing reaches the terminal after."""
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if not isinstance(handler, logging.NullHandler):
            handler.close()
            logger.removeHandler(handler)


def trace_line(event: TraceEvent) -> str:
    """One HTTP exchange: the path template, never a value, a body or a header."""
    answer = str(event.status) if event.status is not None else "no answer"
    line = (f"{event.method} {event.path} -> {answer} in {event.duration_ms:.0f} ms "
            f"(attempt {event.attempt})")
    if event.error_code:
        line += f" code={event.error_code}"
    if event.request_id:
        line += f" ref={reference_tail(event.request_id)}"
    return line


def log_trace(event: TraceEvent) -> None:
    logging.getLogger(f"{LOGGER}.http").info(trace_line(event))
