"""Shared figure helpers."""
from __future__ import annotations

import colorsys

import pytest

from dashboard import figures
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



# --- text on coloured cells (WCAG AA) -----------------------------------------------------


def test_contrast_ratio_follows_wcag() -> None:
    assert figures.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert figures.contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-below-AA grey
    assert figures.contrast_ratio("rgb(255, 255, 255)", "#ffffff") == pytest.approx(1.0)


@pytest.mark.parametrize("fill", ["rgb(8, 48, 107)", "#08306b", "rgb(247, 251, 255)", "#6baed6", "#c6dbef", "#2171b5", "#ffe08a"])
def test_text_on_a_cell_meets_aa_contrast(fill: str) -> None:
    assert figures.contrast_ratio(figures.text_color_on(fill), fill) >= 4.5


def test_heatmap_counts_are_white_on_navy_and_dark_on_pale_blue() -> None:
    colors = figures.text_colors_on_scale([0, 2, 10, 20], "Blues", 0, 20)
    assert colors[0] == figures.DARK_TEXT and colors[-1] == figures.LIGHT_TEXT
    assert figures.text_colors_on_scale([3], "Blues", 3, 3) == [figures.DARK_TEXT]  # one value: no range


def _reads_as_red_or_green(color: str) -> bool:
    """A clearly coloured (not greyish) hue near red or green: the colours the app keeps for tone."""
    hue, _, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in figures._rgb(color)))
    return saturation > 0.25 and (hue * 360 < 20 or hue * 360 > 340 or 75 < hue * 360 < 165)


def test_series_colours_leave_red_and_green_to_tone() -> None:
    from dashboard.overview import EVENT_MARK, SIDE_COLORS
    from dashboard.topics_view import TOPIC_COLOR, TOPIC_COLORS

    assert _reads_as_red_or_green(f"rgb{figures.NEGATIVE_RGB}") and _reads_as_red_or_green(f"rgb{figures.POSITIVE_RGB}")
    series = [*figures.PALETTE, *TOPIC_COLORS, TOPIC_COLOR, *SIDE_COLORS.values(), EVENT_MARK["color"]]
    assert [color for color in series if _reads_as_red_or_green(color)] == []
    assert len(set(TOPIC_COLORS)) == len(TOPIC_COLORS) == 20
