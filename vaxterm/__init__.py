"""vaxterm: the authorized-user terminal client of a national vaccination registry."""

__version__ = "0.1.0"
