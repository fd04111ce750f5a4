"""What every clean-up module returns or raises."""

from __future__ import annotations

from typing import NamedTuple


class RecordProblem(ValueError):
    """A record cannot be ingested; the message is the human-readable reject reason."""


class Cleaned(NamedTuple):
    """A cleaned field and whether mis-decoded text (mojibake) had to be repaired in it."""

    text: str
    repaired: bool
