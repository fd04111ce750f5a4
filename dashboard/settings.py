"""Numeric settings from the environment, validated: a bad value is reported and the default used.

A setting such as `PENINSULA_WATCH_UPLOAD_TTL_HOURS=nan` must not silently turn a safety
limit off (nan compares false with everything, inf never expires), so every value is
checked to be a finite number inside its range; otherwise the caller gets the default
and a sentence to show the operator. No Streamlit here.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    """A setting's value and, when the configured value was refused, why (None when it was fine)."""

    value: float
    warning: str | None = None


def number_setting(
    environ: Mapping[str, str], name: str, default: float, *, minimum: float, maximum: float, integer: bool = False,
) -> Setting:
    """Read `name` from `environ` as a finite number in [minimum, maximum] (a whole number if `integer`).

    Unset or blank gives the default silently; anything else that is not a valid value
    gives the default with a warning naming the variable, the value and the rule.
    """
    raw = environ.get(name, "").strip()
    if not raw:
        return Setting(default)
    kind = "a whole number" if integer else "a number"
    rule = f"{name} must be {kind} from {minimum:g} to {maximum:g}"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    if not math.isfinite(value) or not minimum <= value <= maximum or (integer and not value.is_integer()):
        return Setting(default, f'{rule}; "{shown}" is not, so the default {default:g} is used.')
    return Setting(int(value) if integer else value)
