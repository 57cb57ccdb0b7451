"""The support log: always on, every line redacted, the last sessions kept as evidence.

Each run (the app, `doctor`, `support-bundle`) writes its own file in the user log folder
(`$VAXTERM_LOG_DIR` overrides), named by its UTC start time and its support reference; the
last `KEEP_SESSIONS` sessions are kept, so restarting "for support" destroys nothing. A file
is owner-only (0600) in an owner-only folder (0700 when vaxterm creates it). A session holds
at most two parts of `PART_BYTES`: when the first is full it becomes `….earlier.log`.

Lines say what happened (screens, decisions, calls, errors), never what was typed: no key,
no body, no header, no token; tracebacks carry no local variables. Every line, the header
included, passes `privacy.redact` with the names the app holds at that moment. Times are UTC,
ISO 8601 with the offset. At the normal level the HTTP trace has only the calls that failed;
`--debug`, or `raise_level()` during a session, adds every call. A line repeated (the login
screen polling a training server) is written once, then counted.
"""

from __future__ import annotations

import contextlib
import logging
import os
import platform
import re
import secrets
import shutil
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from vaxterm import __version__
from vaxterm.paths import log_dir
from vaxterm.privacy import redact, reference_tail

if TYPE_CHECKING:
    from api_client.client import TraceEvent
    from api_client.errors import ApiError
    from vaxterm.settings import Settings

LOGGER = "vaxterm"
KEEP_SESSIONS = 10
PART_BYTES = 512 * 1024  # two parts a session: at most 1 MiB
REPEAT_WINDOW_S = 600.0  # a run of identical lines is summed up at least every 10 minutes
REGISTRY_ZONE = "IST (UTC+05:30)"
TIMES = "\u00d7"  # the multiplication sign: twelve times, 80 by 24
PREFIX = "vaxterm-"
# Letters only, no vowels: survives redaction (no digits), never spells a word, and reads
# out over the phone as letters.
REFERENCE_LETTERS = "BCDFGHJKLMNPQRSTVWXZ"
FORMAT = "%(asctime)s %(levelname)-5s %(name)s %(message)s"
_ERROR_LINE = re.compile(r"^error (?P<kind>\w+) code=(?P<code>\S+) ref=(?P<ref>\S+): "
                         r"(?P<message>.*)$", re.DOTALL)
# The app's crash line: "crash <8 hex digits>", the reference the vaccinator is told to quote.
# Random, so nothing personal, but redaction would mask it: it is kept as it is.
_CRASH_LINE = re.compile(r"^crash (?P<ref>[0-9a-f]{8})$")
_KEPT = "\x00CRASHREF\x00"


# --- where ----------------------------------------------------------------------------------


def session_id(file: Path) -> str:
    """The session a file belongs to: its name up to the first dot."""
    return file.name.split(".", 1)[0]


def session_files(folder: Path) -> list[Path]:
    """Every file of every kept session, oldest session first (names sort by UTC time)."""
    try:
        found = [p for p in folder.iterdir() if p.name.startswith(PREFIX)
                 and p.name.endswith(".log") and p.is_file() and not p.is_symlink()]
    except OSError:
        return []
    return sorted(found, key=lambda p: (session_id(p), not p.name.endswith(".earlier.log")))


def prune(folder: Path, keep: int) -> None:
    """Delete the files of all but the newest `keep` sessions."""
    sessions = sorted({session_id(p) for p in session_files(folder)})
    old = set(sessions[:-keep]) if keep > 0 else set(sessions)
    for file in session_files(folder):
        if session_id(file) in old:
            file.unlink(missing_ok=True)


# --- the header -----------------------------------------------------------------------------


def new_reference() -> str:
    """A short random support reference, e.g. KQTM-RBXH."""
    letters = "".join(secrets.choice(REFERENCE_LETTERS) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def safe_url(url: str) -> str:
    """A server address without credentials, query or fragment (one home: api_client)."""
    from api_client.addresses import safe_url as shown

    return shown(url)


def changed_settings(settings: Settings) -> list[str]:
    """The names (never the values) of the settings that differ from the defaults."""
    from vaxterm.settings import Settings as Defaults

    defaults = Defaults()
    changed = []
    for section in fields(settings):
        ours, base = getattr(settings, section.name), getattr(defaults, section.name)
        changed += [f"{section.name}.{item.name}" for item in fields(ours)
                    if getattr(ours, item.name) != getattr(base, item.name)]
    return changed


def textual_version() -> str:
    """Textual's installed version, from its metadata, without importing Textual. The name
    of its .dist-info folder is read first: importlib.metadata costs some 30 ms of the
    app's start-up, when the header is written."""
    import importlib.util

    spec = importlib.util.find_spec("textual")
    if spec is None or spec.origin is None:
        return "not installed"
    for info in Path(spec.origin).parent.parent.glob("textual-*.dist-info"):
        version = info.name.removeprefix("textual-").removesuffix(".dist-info")
        if version:
            return version
    import importlib.metadata  # installed some other way than from a wheel

    try:
        return importlib.metadata.version("textual")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def zone_text(when: datetime | None = None) -> str:
    local = (when or datetime.now(UTC)).astimezone()
    offset = local.strftime("%z")
    return f"{local.tzname() or '?'} (UTC{offset[:3]}:{offset[3:]})"


def terminal_text(environ: Mapping[str, str]) -> str:
    size = shutil.get_terminal_size((0, 0))
    shown = f"{size.columns}{TIMES}{size.lines}" if size.columns else "unknown size"
    names = [f"{n}={environ[n]}" for n in ("TERM", "COLORTERM", "TERM_PROGRAM")
             if environ.get(n)]
    return " ".join([*(names or ["TERM not set"]), shown])


def os_text() -> str:
    """Spaced words: `platform.platform()` runs together into something redaction masks."""
    name = ""
    with contextlib.suppress(OSError):
        name = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    parts = [platform.system(), platform.release(), platform.machine()]
    return " · ".join(p for p in (name, " ".join(filter(None, parts))) if p)


def header_lines(reference: str, started: datetime, command: str, debug: bool,
                 settings: Settings | None, environ: Mapping[str, str]) -> list[str]:
    server = safe_url(settings.server.url) if settings is not None else "(settings not read)"
    changed = changed_settings(settings) if settings is not None else []
    return [
        f"# vaxterm support log · reference {reference}",
        f"# started    {started.isoformat(timespec='seconds')} · {command}"
        f"{' --debug' if debug else ''}",
        f"# times      UTC below; this computer's zone {zone_text(started)}; "
        f"the registry's zone {REGISTRY_ZONE}",
        "# level      INFO: events, decisions, errors, failed HTTP calls; "
        "DEBUG adds every HTTP call",
        f"# versions   vaxterm {__version__} · Python {platform.python_version()} · "
        f"Textual {textual_version()}",
        f"# os         {os_text()}",
        f"# terminal   {terminal_text(environ)}",
        f"# server     {server} · environment not known yet (logged when /meta answers)",
        f"# settings   changed from default: {', '.join(changed) or 'none'} (names only)",
    ]


# --- the file -------------------------------------------------------------------------------


def utc_stamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, in UTC, then redacts the whole text."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        super().__init__(FORMAT)
        self.names = names

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return utc_stamp(record.created)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        crash = _CRASH_LINE.match(record.getMessage())
        if crash is None:
            return redact(text, self.names())
        line = f"crash {crash['ref']}"
        return redact(text.replace(line, _KEPT, 1), self.names()).replace(_KEPT, line, 1)


@dataclass(frozen=True)
class ErrorReference:
    """An error the vaccinator may quote: when, its code, the request id's last 4, what
    the screen said (redacted)."""

    time: str
    kind: str
    code: str
    ref: str
    message: str


class SessionHandler(logging.Handler):
    """Writes one session's file: header, owner-only, two capped parts, repeats counted."""

    def __init__(self, path: Path, header: list[str], names: Callable[[], Iterable[str]],
                 part_bytes: int = PART_BYTES) -> None:
        super().__init__(logging.DEBUG)
        self.path = path
        self.header = [redact(line) for line in header]
        self.part_bytes = part_bytes
        self.setFormatter(RedactingFormatter(names))
        self.errors: deque[ErrorReference] = deque(maxlen=10)
        self._stream: IO[str] | None = None
        self._size = 0
        self._repeat_key: object = None
        self._repeats = 0
        self._repeat_first = self._repeat_last = 0.0
        self._repeat_head = ""  # level and logger of the line being counted

    @property
    def earlier_path(self) -> Path:
        return self.path.with_name(f"{session_id(self.path)}.earlier.log")

    def open(self, note: str = "") -> None:
        """Create the file owner-only (0600 even where the umask is wider) with its header."""
        descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.fchmod(descriptor, 0o600)
        self._stream = os.fdopen(descriptor, "a", encoding="utf-8")
        self._size = 0
        for line in [*self.header, *([note] if note else [])]:
            self._write(line)

    def _write(self, text: str) -> None:
        if self._stream is None:
            return
        data = text + "\n"
        size = len(data.encode("utf-8"))
        if self._size + size > self.part_bytes and self._size > 0 and not text.startswith("#"):
            self._roll()
        self._stream.write(data)
        self._stream.flush()  # each line on disk at once: the evidence outlives a crash
        self._size += size

    def _roll(self) -> None:
        """The full part becomes the earlier one (replacing any before it); a new part
        starts with the header again."""
        assert self._stream is not None
        self._stream.close()
        self._stream = None
        os.replace(self.path, self.earlier_path)
        self.open("# continued: the earlier lines of this session are in its file "
                  "ending .earlier.log")

    def _flush_repeats(self) -> None:
        if self._repeats:
            self._write(f"{utc_stamp(self._repeat_last)} {self._repeat_head} "
                        f"… {TIMES}{self._repeats + 1} in all (the same line again, the last at "
                        f"this time)")
        self._repeats = 0
        self._repeat_key = None

    def _remember_error(self, record: logging.LogRecord) -> None:
        raw = record.getMessage()
        if record.levelno < logging.WARNING and not raw.startswith(("error ", "crash ")):
            return
        formatter = self.formatter
        names = formatter.names() if isinstance(formatter, RedactingFormatter) else ()
        message = redact(raw, names)
        when = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="seconds")
        if found := _ERROR_LINE.match(message):
            self.errors.append(ErrorReference(when, found["kind"], found["code"], found["ref"],
                                              found["message"]))
        elif found := _CRASH_LINE.match(raw):
            self.errors.append(ErrorReference(when, "crash", "CRASH", found["ref"],
                                              "vaxterm stopped after an unexpected error"))
        elif record.levelno >= logging.WARNING:
            self.errors.append(ErrorReference(when, record.name, "-", "-", message))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._remember_error(record)
            text = self.format(record)
            # Only redacted text is kept to compare with the next line: never a raw message
            # or the record, whose arguments may hold a name until the next line comes.
            key = getattr(record, "collapse_key", None) or text.partition(" ")[2]
            if (record.exc_info is None and key == self._repeat_key
                    and record.created - self._repeat_first < REPEAT_WINDOW_S):
                self._repeats += 1
                self._repeat_last = record.created
                return
            self._flush_repeats()  # a long run is summed up, then this line written afresh
            self._write(text)
            self._repeat_key = key
            self._repeat_head = f"{record.levelname:<5} {record.name}"
            self._repeat_first = self._repeat_last = record.created
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        self.acquire()
        try:
            if self._stream is not None:
                self._flush_repeats()
                self._write(f"{utc_stamp(datetime.now(UTC).timestamp())} INFO  {LOGGER} "
                            f"session ended")
                self._stream.close()
                self._stream = None
        finally:
            self.release()
            super().close()


# --- the session ----------------------------------------------------------------------------


_reference: str | None = None
_handler: SessionHandler | None = None
_facts: dict[str, str] = {}
# Without a session nothing is written, and nothing reaches the terminal through Python's
# last-resort handler either.
if not logging.getLogger(LOGGER).handlers:
    logging.getLogger(LOGGER).addHandler(logging.NullHandler())
logging.getLogger(LOGGER).propagate = False


def session_reference() -> str:
    """The support reference of this session (made on first use; heads the log)."""
    global _reference
    if _reference is None:
        _reference = new_reference()
    return _reference


def path() -> Path | None:
    """This session's log file, or None when none could be written."""
    if _handler is None or _handler._stream is None:
        return None
    return _handler.path


def recent_errors() -> list[ErrorReference]:
    """The last 10 errors of this session, oldest first, redacted."""
    return list(_handler.errors) if _handler is not None else []


def facts() -> dict[str, str]:
    """What is known of the server this session (environment, version), for the screen."""
    return dict(_facts)


def start(names: Callable[[], Iterable[str]] = tuple, *, command: str = "app",
          debug: bool = False, settings: Settings | None = None, folder: Path | None = None,
          environ: Mapping[str, str] | None = None, part_bytes: int = PART_BYTES,
          keep: int = KEEP_SESSIONS) -> Path | None:
    """Begin this session's file through the redacting formatter. Returns its path, or None
    when the folder cannot be written (the app then runs without a log)."""
    global _handler
    reference = session_reference()  # kept: it may have been shown already
    _detach()
    env = os.environ if environ is None else environ
    folder = folder or log_dir(env)
    started = datetime.now(UTC)
    file = folder / f"{PREFIX}{started:%Y%m%dT%H%M%S%fZ}-{reference}.log"
    handler = SessionHandler(file, header_lines(reference, started, command, debug, settings,
                                                env), names, part_bytes)
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        prune(folder, keep - 1)  # room for this one
        handler.open()
    except OSError:
        handler._stream = None
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    logger.propagate = False
    _handler = handler
    _facts.clear()
    return path()


def _detach() -> None:
    global _handler
    logger = logging.getLogger(LOGGER)
    for handler in list(logger.handlers):
        if isinstance(handler, SessionHandler):
            logger.removeHandler(handler)
            handler.close()
    _handler = None


def stop() -> None:
    """End the session's file; what remains (a null handler) prints nothing anywhere. The
    next session starts afresh: a new reference, the normal level, no server facts."""
    global _reference
    _detach()
    _reference = None
    _facts.clear()
    logging.getLogger(LOGGER).setLevel(logging.INFO)


def raise_level() -> None:
    """Every HTTP call from now to the end of this session (the support screen's button)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.DEBUG)
    logger.info("log level raised to DEBUG for the rest of this session")


def is_raised() -> bool:
    return logging.getLogger(LOGGER).getEffectiveLevel() <= logging.DEBUG


# --- what the app reports ------------------------------------------------------------------


def decision(text: str) -> None:
    """A decision of the user, e.g. "quit with 1 unconfirmed dose", "unlock failed"."""
    logging.getLogger(f"{LOGGER}.decision").info("%s", text)


def event(text: str) -> None:
    logging.getLogger(LOGGER).info("%s", text)


def server_facts(environment: str, version: str) -> None:
    """What /meta said, once known: completes the header's "environment not known yet"."""
    if _facts.get("environment") == environment and _facts.get("version") == version:
        return
    _facts.update(environment=environment, version=version)
    logging.getLogger(f"{LOGGER}.server").info("environment %s, server version %s",
                                               environment, version)


def error(problem: ApiError) -> None:
    """An error the vaccinator was shown, with its reference (kept for `recent_errors`)."""
    logging.getLogger(f"{LOGGER}.error").warning(
        "error %s code=%s ref=%s: %s", type(problem).__name__, problem.code or "-",
        reference_tail(problem.request_id or "-"), problem.message)


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
    """Failed calls always; the rest only at DEBUG. Repeats of the same call and outcome
    (durations and request ids aside) collapse."""
    failed = event.status is None or event.status >= 400 or bool(event.error_code)
    level = logging.INFO if failed else logging.DEBUG
    logger = logging.getLogger(f"{LOGGER}.http")
    if not logger.isEnabledFor(level):
        return  # most calls, at the normal level: not even formatted
    key: Any = ("http", event.method, event.path, event.status, event.error_code, event.attempt)
    logger.log(level, "%s", trace_line(event), extra={"collapse_key": key})


# --- what the support screen shows ---------------------------------------------------------


def screen_facts(server_url: str, *, mock: bool) -> list[tuple[str, str]]:
    """The lines a vaccinator reads out to a helpdesk, in order: nothing personal."""
    known = facts()
    where = "the built-in training mock (no network)" if mock else safe_url(server_url)
    environment = known.get("environment", "training" if mock else "not known yet")
    if known.get("version"):
        environment += f" (server version {known['version']})"
    log = path()
    level = "raised: every HTTP call is logged" if is_raised() else (
        "normal: events, decisions, errors, failed calls")
    return [
        ("Reference", f"{session_reference()}  (quote it to support)"),
        ("Version", f"vaxterm {__version__} · Textual {textual_version()} · Python "
                    f"{platform.python_version()}"),
        ("Server", where),
        ("Environment", environment),
        ("Log file", str(log) if log is not None else "none: the log folder cannot be written"),
        ("Log level", level),
    ]


def error_lines() -> list[str]:
    """The last errors, newest first, as one line each: time (UTC), code, request, words."""
    return [f"{err.time[11:19]}  {err.code} {err.ref}  {err.message}"
            for err in reversed(recent_errors())]
