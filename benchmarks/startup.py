"""Start-up to an interactive login screen, against two bare Textual apps, in the same terminal.

    python benchmarks/startup.py [--runs 10] [--timeout 30]

Each run starts a fresh Python process on a pseudo-terminal (Textual's real driver, not
headless) and times it from launch to its first screen, in three ways:

  seen   the screen's first frame reached the terminal (a word of it, read by this process);
  ready  the app's first idle moment after that frame: from then on keys are answered. Work
         an app starts right after its first frame (vaxterm loads the demo accounts) delays
         this one. It is what this benchmark has always measured;
  cpu    the CPU time the app had used when ready (all its threads). Other work on the
         machine disturbs it least: on a busy machine, compare this ratio.

The apps:

  A  a bare App with one Label;
  B  a bare App whose pushed screen holds the same kinds of widgets as the login form (a docked
     header, Labels, three Inputs, a Checkbox, a Button, a DataTable with a few rows, a Footer):
     the like-for-like baseline;
  C  `vaxterm --mock` through its real entry point (`vaxterm.cli.main`): the login form,
     focused; then, ready again after the demo accounts are shown.

Runs rotate A/B/C, B/C/A, C/A/B so machine noise hits all three; one unmeasured run of each
first writes bytecode, as `pip install` does. Prints medians and the ratios of C to A and to
B in each column (goal: C <= 1.25x B). A run that fails or takes longer than --timeout is
reported with the last lines of its terminal and the others go on; the exit status is then 1.

The children are this file run with `--child`: each attaches a probe through Textual's public
`auto_pilot` hook, so the apps under test run unchanged and need not be importable by name.
"""

from __future__ import annotations

# The children import this module too: only the little they need is imported at the top,
# so they time the app, not the benchmark. The rest is imported inside functions.
import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from textual.app import App, ComposeResult
    from textual.pilot import Pilot

COLUMNS, LINES = 100, 30
POLL = 0.005  # seconds between looks at the app while waiting for a screen
# The one line a child writes: "startup <ready> <filled> <cpu>\n" (see `Reading`).
RECORD = "startup"

# --- the children ----------------------------------------------------------------------------

Check = Callable[["App[Any]"], bool]


def probe(report_fd: int, shown: Check, filled: Check) -> Callable[[Pilot[Any]], Any]:
    """An auto-pilot that waits until `shown` holds, then for the app's next idle moment
    after a refresh (ready), then the same for `filled`; writes one newline-terminated
    record with both clock readings and the CPU time used when ready, and exits the app.
    It writes once by construction: a coroutine, not a timer that could fire again before
    the app has gone."""
    import asyncio

    async def after_refresh(app: App[Any]) -> tuple[float, float]:
        done: asyncio.Future[tuple[float, float]] = asyncio.get_running_loop().create_future()

        def mark() -> None:
            if not done.done():
                done.set_result((time.perf_counter(), time.process_time()))

        app.screen.call_after_refresh(mark)
        return await done

    async def until(app: App[Any], check: Check) -> bool:
        # A return code means the app is ending (a crash sets 1): stop, let its error be
        # printed, and the parent reports a run without a reading.
        while app.is_running and app.return_code is None:
            if check(app):
                return True
            await asyncio.sleep(POLL)
        return False

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        if not await until(app, shown):
            return
        ready_at, cpu = await after_refresh(app)
        if not await until(app, filled):
            return
        filled_at = ready_at if filled is shown else (await after_refresh(app))[0]
        os.write(report_fd, f"{RECORD} {ready_at!r} {filled_at!r} {cpu!r}\n".encode())
        app.exit()

    return run


def has_label(app: App[Any]) -> bool:
    return bool(app.screen.query("Label"))


def form_focused(app: App[Any]) -> bool:
    return type(app.screen).__name__ == "Form" and app.screen.focused is not None


def login_focused(app: App[Any]) -> bool:
    # By name: importing the screen's module here would time it outside the app's own order.
    return type(app.screen).__name__ == "LoginScreen" and app.screen.focused is not None


def demo_accounts_shown(app: App[Any]) -> bool:
    return any(getattr(table, "row_count", 0) for table in app.screen.query("#accounts"))


def child_label(report_fd: int) -> None:
    from textual.app import App
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("Hello")

    app = Bare()
    app.run(auto_pilot=probe(report_fd, has_label, has_label))
    sys.exit(app.return_code or 0)


def child_widgets(report_fd: int) -> None:
    from textual.app import App
    from textual.binding import Binding
    from textual.containers import Horizontal, Vertical
    from textual.screen import Screen
    from textual.widgets import Button, Checkbox, DataTable, Footer, Input, Label, Static

    class Form(Screen[None]):
        BINDINGS = [Binding("escape", "app.quit", "Back", show=False)]
        DEFAULT_CSS = """
        Form #top { dock: top; height: auto; }
        Form #banner { background: $warning; color: $background; content-align: center middle; }
        Form #row { height: 1fr; }
        Form #form { width: 1fr; max-width: 56; padding: 0 2; height: auto; }
        Form Input { width: 100%; }
        Form #demo { width: 1fr; padding: 0 1; height: auto; }
        Form DataTable { height: auto; max-height: 8; }
        """

        def compose(self) -> ComposeResult:
            with Vertical(id="top"):
                yield Static("A docked header line", id="banner")
                yield Static("Not signed in")
            with Horizontal(id="row"):
                with Vertical(id="form"):
                    yield Label("Sign in")
                    yield Label("Username")
                    yield Input(placeholder="your username")
                    yield Label("Password")
                    yield Input(password=True, placeholder="password")
                    yield Label("Code")
                    yield Input(placeholder="6 digits", max_length=6, restrict=r"[0-9]*")
                    yield Checkbox("Remember password here")
                    yield Static("", id="problem")
                    yield Button("Sign in", variant="primary")
                with Vertical(id="demo"):
                    yield Label("Demo accounts")
                    yield DataTable(show_cursor=False)
                    yield Static("A note under the table")
            yield Footer()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Username", "Password", "Code now")
            for n in range(1, 5):  # synthetic placeholders
                table.add_row(f"sample{n}", "Example@1", f"{n:06d}")
            self.query_one(Input).focus()

    class Bare(App[None]):
        BINDINGS = [Binding("f1", "bell", "Help"),
                    Binding("ctrl+q", "quit", "Quit", priority=True)]

        def on_mount(self) -> None:
            self.push_screen(Form())  # as vaxterm does: the form is a screen of its own

    app = Bare()
    app.run(auto_pilot=probe(report_fd, form_focused, form_focused))
    sys.exit(app.return_code or 0)


def child_vaxterm(report_fd: int) -> None:
    """`vaxterm --mock` by its console entry point. The entry point calls `App.run()` itself,
    so the probe is passed in by wrapping `App.run`: this finds vaxterm's App wherever it
    lives (`vaxterm.app` or the `screens` package) and leaves it unchanged. The wrapping
    happens when vaxterm itself first imports Textual, so whatever it does before that
    (its start-up guards) runs first, as it would outside the benchmark."""
    import importlib.util

    pilot = probe(report_fd, login_focused, demo_accounts_shown)

    def wrap_run(app_class: type[App[Any]]) -> None:
        plain_run = app_class.run

        def run_with_probe(self: App[Any], *args: Any, **kwargs: Any) -> Any:
            return plain_run(self, *args, **{**kwargs, "auto_pilot": pilot})

        app_class.run = run_with_probe  # type: ignore[method-assign]

    class WrapOnImport:
        """A meta-path finder that lets `textual.app` load as usual, then wraps `run`."""

        def find_spec(self, name: str, path: object = None, target: object = None) -> Any:
            if name != "textual.app":
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            assert spec is not None and spec.loader is not None
            plain_exec = spec.loader.exec_module

            def exec_module(module: Any) -> None:
                plain_exec(module)
                wrap_run(module.App)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]
            return spec

    sys.meta_path.insert(0, WrapOnImport())
    from vaxterm import cli

    sys.exit(cli.main(["--mock"]))


class Variant(NamedTuple):
    run: Callable[[int], None]  # the child: starts the app with the probe attached
    marker: str  # a word of its first screen, looked for on the terminal


VARIANTS = {"label": Variant(child_label, "Hello"),
            "widgets": Variant(child_widgets, "Username"),
            "vaxterm": Variant(child_vaxterm, "Username")}

# --- the parent --------------------------------------------------------------------------------


class RunFailed(Exception):
    """One run gave no reading; the message says why, with the terminal's last lines."""


ESCAPES = r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]|\r"


class Terminal:
    """Reads the child's terminal so it never blocks on a full pty. Notes when `marker`
    first shows on it (the first paint as the vaccinator sees it) and keeps the last few KB
    for the report when a run fails."""

    def __init__(self, fd: int, marker: str) -> None:
        import threading

        self.fd = fd
        self.marker = marker
        self.seen_at: float | None = None
        self.head = bytearray()  # everything until the marker shows
        self.tail = bytearray()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        import re

        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:  # EIO: every holder of the child's side has closed it
                return
            if not chunk:
                return
            if self.seen_at is None and len(self.head) < 4_000_000:
                self.head += chunk
                # The whole head each time: a word may be split across two reads.
                if self.marker in re.sub(ESCAPES, "", self.head.decode(errors="replace")):
                    self.seen_at = time.perf_counter()
                    self.head.clear()
            self.tail += chunk
            del self.tail[:-8192]

    def last_lines(self, count: int = 8) -> str:
        import re

        self.thread.join(timeout=2)
        text = re.sub(ESCAPES, "", self.tail.decode(errors="replace"))
        lines = [line.rstrip() for line in text.splitlines() if line.strip()]
        return "\n".join(f"    | {line}" for line in lines[-count:]) or "    | (nothing)"


def read_record(fd: int, deadline: float) -> bytes | None:
    """The first newline-terminated line the child writes, or None if it closed the pipe
    (exited) first. Raises TimeoutError at the deadline."""
    import select

    data = b""
    while b"\n" not in data:
        left = deadline - time.perf_counter()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\n", 1)[0]


class Reading(NamedTuple):
    """Seconds from launch."""

    seen: float | None  # the first screen's marker reached the terminal (None: never found)
    ready: float  # the app's first idle moment after painting its first screen: keys answered
    filled: float  # the same after everything on it was filled in (vaxterm: demo accounts)
    # CPU seconds the child had used when ready, all its threads: what a busy machine
    # disturbs least, so the ratio to compare when other work shares the cores.
    cpu: float


def parse_record(line: bytes, started: float) -> tuple[float, float, float]:
    """(ready, filled) in seconds from launch, and the CPU seconds used when ready. The
    child reads the same system-wide monotonic clock (time.perf_counter) as we do."""
    words = line.decode(errors="replace").split()
    try:
        if len(words) != 4 or words[0] != RECORD:
            raise ValueError
        ready, filled = float(words[1]) - started, float(words[2]) - started
        cpu = float(words[3])
    except ValueError:
        raise RunFailed(f"unreadable reading {line[:80]!r}") from None
    if not 0 < ready <= filled or cpu <= 0:
        raise RunFailed(f"implausible reading {line[:80]!r}")
    return ready, filled, cpu


def child_env(config_home: str) -> dict[str, str]:
    # As installed: pip compiles bytecode at install time, so let the warm-up run write it
    # here too (some machines set PYTHONDONTWRITEBYTECODE, which would recompile each run).
    # No TEXTUAL_* (devtools, logs) or VAXTERM_* from this shell: every app starts the same.
    env = {k: v for k, v in os.environ.items()
           if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("TEXTUAL", "VAXTERM_"))}
    # An empty config directory: defaults, whatever this user's config.toml says.
    env.update({"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(LINES),
                "XDG_CONFIG_HOME": config_home})
    return env


def one_run(variant: str, *, root: str, env: dict[str, str], timeout: float) -> Reading:
    """One start of `variant` on a fresh pseudo-terminal; RunFailed if the child dies,
    reports nonsense or overruns `timeout`."""
    import contextlib
    import fcntl
    import pty
    import struct
    import subprocess
    import termios

    marker = VARIANTS[variant].marker
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    ready_r, ready_w = os.pipe()  # a fresh pipe each run: no reading can leak into the next
    started = time.perf_counter()
    try:
        # `-m` from the project root: the code under test is this checkout's, and the
        # child loads this module from its cached bytecode like every other module.
        child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.startup", "--child", variant, str(ready_w)],
            cwd=root, stdin=slave, stdout=slave, stderr=slave, pass_fds=(ready_w,), env=env,
            close_fds=True)
    finally:
        os.close(slave)
        os.close(ready_w)
    terminal = Terminal(master, marker)
    try:
        try:
            line = read_record(ready_r, started + timeout)
        except TimeoutError:
            child.kill()
            child.wait()
            raise RunFailed(f"no reading within {timeout:g} s; stopped it. Its terminal:\n"
                            f"{terminal.last_lines()}") from None
        if line is None:
            try:
                code: int | str = child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                code = "none yet"
            raise RunFailed(f"exited (code {code}) without a reading. Its terminal:\n"
                            f"{terminal.last_lines()}")
        ready, filled, cpu = parse_record(line, started)
        # It exits by itself after reporting; if not, the reading stands and the kill below
        # tidies up.
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)
        terminal.thread.join(timeout=2)
        seen = None if terminal.seen_at is None else terminal.seen_at - started
        return Reading(seen, ready, filled, cpu)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        terminal.thread.join(timeout=2)
        os.close(ready_r)
        os.close(master)


def main() -> int:
    import argparse
    import tempfile
    from pathlib import Path

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="measured runs of each app")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a run may take before it is stopped and reported")
    args = parser.parse_args()
    if not 1 <= args.runs <= 100 or args.timeout <= 0:
        parser.error("--runs must be 1 to 100 and --timeout positive")
    root = str(Path(__file__).resolve().parent.parent)
    with tempfile.TemporaryDirectory(prefix="vaxterm-startup-") as config_home:
        return measure(args.runs, args.timeout, root, child_env(config_home))


def measure(runs: int, timeout: float, root: str, env: dict[str, str]) -> int:
    names = list(VARIANTS)

    def run(variant: str, label: str) -> Reading | None:
        try:
            return one_run(variant, root=root, env=env, timeout=timeout)
        except RunFailed as failure:
            print(f"{label} of {variant} failed: {failure}", file=sys.stderr)
            return None

    for name in names:  # warm the file cache and write bytecode; a failure here is final
        if run(name, "warm-up run") is None:
            return 1
    readings: dict[str, list[Reading]] = {name: [] for name in names}
    failed = 0
    for round_ in range(runs):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            reading = run(name, f"run {round_ + 1}")
            if reading is None:
                failed += 1
            else:
                readings[name].append(reading)
    if any(not got for got in readings.values()):
        print("no median: an app never finished a run (see above)", file=sys.stderr)
        return 1
    report(readings)
    if failed:
        print(f"{failed} run(s) failed (see above); the medians are of the runs that finished",
              file=sys.stderr)
        return 1
    return 0


def report(readings: dict[str, list[Reading]]) -> None:
    import statistics

    columns = ("seen", "ready", "cpu")
    label, width = 42, 16

    def values(name: str, field: str) -> list[float]:
        return [v for r in readings[name] if (v := getattr(r, field)) is not None]

    def cell(name: str, field: str) -> str:
        got = values(name, field)
        if not got:  # the marker never showed: no figure for this app in this column
            return "?".rjust(width)
        return (f"{statistics.median(got) * 1000:.0f} "
                f"({min(got) * 1000:.0f}-{max(got) * 1000:.0f})").rjust(width)

    def ratio(field: str, top: str, bottom: str) -> str:
        a, b = values(top, field), values(bottom, field)
        if not a or not b:
            return "?".rjust(width)
        return f"{statistics.median(a) / statistics.median(b):.2f}x".rjust(width)

    counts = "/".join(str(n) for n in sorted({len(got) for got in readings.values()}))
    print(f"start-up on a {COLUMNS}x{LINES} pty, {counts} runs each, alternating; "
          "ms, median (min-max)")
    print(" " * (label + 2) + "".join(column.rjust(width) for column in columns))
    for text, name in (("A  bare Textual app, one Label", "label"),
                       ("B  bare Textual app, login-form widgets", "widgets"),
                       ("C  vaxterm --mock, login form", "vaxterm")):
        print(f"  {text:<{label}}" + "".join(cell(name, column) for column in columns))
    print(f"  {'   vaxterm --mock, demo accounts shown':<{label}}{'':>{width}}"
          f"{cell('vaxterm', 'filled')}")
    for text, base in (("ratio C/A  vaxterm vs one Label", "label"),
                       ("ratio C/B  vaxterm vs same widgets", "widgets")):
        goal = "  (goal <= 1.25x)" if base == "widgets" else ""
        print(f"  {text:<{label}}" + "".join(ratio(column, "vaxterm", base)
                                             for column in columns) + goal)
    print("  seen: from launch until the first frame reached the terminal. ready: until the\n"
          "  app's first idle moment after it, when keys are answered (the measure this\n"
          "  benchmark always had). cpu: CPU time the app had used when ready, all threads;\n"
          "  other work on the machine disturbs it least.")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        VARIANTS[sys.argv[2]].run(int(sys.argv[3]))
    else:
        sys.exit(main())
