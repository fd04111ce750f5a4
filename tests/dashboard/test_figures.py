"""Shared figure helpers."""
from __future__ import annotations

import pytest

from dashboard.figures import selected_custom_data, tone_color


def test_tone_colours() -> None:
    assert tone_color(0.0) == tone_color(float("nan")) == "rgba(0, 0, 0, 0)"
    assert tone_color(0.5).startswith("rgba(44, 160, 44,")
    assert tone_color(-0.5).startswith("rgba(214, 39, 40,")
    assert tone_color(-3.0) == tone_color(-1.0) == "rgba(214, 39, 40, 0.450)"


def test_stronger_tone_is_more_opaque() -> None:
    alpha = [float(tone_color(tone).rstrip(")").split(",")[-1]) for tone in (0.1, 0.4, 0.9)]
    assert alpha == sorted(alpha) and alpha[0] > 0


@pytest.mark.parametrize("event", [None, {}, {"selection": {"points": []}}])
def test_no_selection(event: dict | None) -> None:
    assert selected_custom_data(event) == []


def test_selected_custom_data_reads_every_point() -> None:
    event = {"selection": {"points": [{"customdata": ["2019-01-01", "A"]}, {"x": 1}, {"customdata": "kim-jong-un"}]}}
    assert selected_custom_data(event) == [("2019-01-01", "A"), ("kim-jong-un",)]

