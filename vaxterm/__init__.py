"""vaxterm: the authorized-user terminal client of a national vaccination registry."""

__version__ = "0.1.0"

import logging as _logging

# Nothing is logged unless `--debug` adds its redacting file handler (vaxterm.debuglog).
# The null handler keeps Python's last-resort handler from printing to the terminal.
_logging.getLogger("vaxterm").addHandler(_logging.NullHandler())
_logging.getLogger("vaxterm").propagate = False
