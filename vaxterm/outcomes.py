"""What a failed call tells about the registry, in words, without a screen. Light on purpose
(errors only, no wire models): the login screen, the first one painted, uses it."""

from __future__ import annotations

from api_client import errors as e


def may_have_acted(error: e.ApiError) -> bool:
    """Whether the request may have reached the registry and been acted on. Every 5xx
    counts: a gateway may answer one after the registry acted, in the registry's own words."""
    return isinstance(error, e.OutcomeUnknown)


def code_not_answered(error: e.ApiError, what: str) -> tuple[str, bool] | None:
    """When a code's (or OTP's) confirmation failed on the way rather than being refused:
    the words to say and whether to keep the typed code (True: Enter sends the same one
    again, which the registry answers as before). None when the registry judged the code."""
    if may_have_acted(error):
        return (f"The registry did not confirm this {what}; it may still have accepted it. Press "
                f"Enter to send the same {what} again; no new {what} is needed.", True)
    if isinstance(error, e.ServerUnreachable):
        return (f"The registry cannot be reached, so the {what} was not sent. Check the "
                f"network, then press Enter to send the same {what}.", True)
    return None
