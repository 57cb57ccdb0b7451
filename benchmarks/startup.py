"""Start-up to an interactive login screen, against a bare Textual app, in the same terminal.

    python benchmarks/startup.py [--runs 10]

Each run starts a fresh Python process on a pseudo-terminal (Textual's real driver, not
headless) and times it from launch until the app has painted its first interactive screen:
the login screen of `vaxterm --mock` (demo accounts loaded), or a bare App with one Label.
Runs alternate between the two so machine noise hits both; bytecode is compiled first, as
`pip install` does. Prints medians and the ratio (goal: <= 1.25x).
"""

from __future__ import annotations

import argparse
import os
import pty
import statistics
import subprocess
import sys
import threading
import time

CHILD_VAXTERM = """
import os, sys, time
from vaxterm.connection import client_for
from vaxterm.settings import Settings
from vaxterm.app import VaxtermApp
from screens.login import LoginScreen
from textual.widgets import DataTable

import vaxterm.app
from pathlib import Path

class Timed(VaxtermApp):
    # Defined in -c code, so Textual cannot locate a relative stylesheet from this class.
    CSS_PATH = str(Path(vaxterm.app.__file__).with_name("app.tcss"))
    form_at = 0.0

    def on_ready(self):
        self.set_interval(0.005, self._check)

    def _check(self):
        if not isinstance(self.screen, LoginScreen):
            return
        if not self.form_at:
            self.screen.call_after_refresh(self._form_painted)
        elif self.screen.query_one("#accounts", DataTable).row_count:
            self.screen.call_after_refresh(self._done)

    def _form_painted(self):
        self.form_at = self.form_at or time.perf_counter()

    def _done(self):
        os.write(int(sys.argv[1]), f"{self.form_at} {time.perf_counter()}".encode())
        self.exit()

settings = Settings()
Timed(lambda: client_for(settings.server, mock=True), settings, training=True).run()
"""

CHILD_BARE = """
import os, sys
from textual.app import App
from textual.widgets import Label

class Bare(App):
    def compose(self):
        yield Label("Hello")
    def on_ready(self):
        self.call_after_refresh(self._done)
    def _done(self):
        import time
        now = time.perf_counter()
        os.write(int(sys.argv[1]), f"{now} {now}".encode())
        self.exit()

Bare().run()
"""


def one_run(code: str) -> tuple[float, float]:
    """Seconds from launch to (first interactive paint, everything filled in) on a fresh
    pseudo-terminal. The child reports both on its own clock, which it shares with us."""
    master, slave = pty.openpty()
    ready_r, ready_w = os.pipe()
    # As installed: pip compiles bytecode at install time, so let the warm-up run write it
    # here too (some machines set PYTHONDONTWRITEBYTECODE, which would recompile each run).
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"})
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", code, str(ready_w)], stdin=slave,
                             stdout=slave, stderr=slave, pass_fds=(ready_w,), env=env,
                             close_fds=True)
    os.close(slave)
    os.close(ready_w)

    def drain() -> None:  # a terminal that is never read would block the child
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    threading.Thread(target=drain, daemon=True).start()
    message = os.read(ready_r, 64).decode()
    if not message:
        raise SystemExit("the child exited before it was ready")
    painted, filled = (float(x) - started for x in message.split())
    os.close(ready_r)
    child.wait(timeout=30)
    os.close(master)
    return painted, filled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = min(parser.parse_args().runs, 50)
    one_run(CHILD_BARE)  # warm the file cache and write bytecode for both
    one_run(CHILD_VAXTERM)
    bare, form, panel = [], [], []
    for _ in range(runs):
        bare.append(one_run(CHILD_BARE)[0])
        painted, filled = one_run(CHILD_VAXTERM)
        form.append(painted)
        panel.append(filled)
    b, f, p = (statistics.median(x) for x in (bare, form, panel))
    print(f"start-up on a pty, {runs} runs each, medians (time.perf_counter is system-wide)")
    print(f"  bare Textual app, one Label painted            {b * 1000:6.0f} ms")
    print(f"  vaxterm --mock, login form painted, focused    {f * 1000:6.0f} ms  "
          f"ratio {f / b:4.2f}x  (goal <= 1.25x)")
    print(f"  vaxterm --mock, demo accounts and codes shown  {p * 1000:6.0f} ms  "
          f"ratio {p / b:4.2f}x")


if __name__ == "__main__":
    main()
