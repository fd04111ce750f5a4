"""Sentence splitting and text normalisation (pipeline/text.py)."""

from __future__ import annotations

import pytest

from pipeline.text import normalize_text, split_sentences, split_with_starts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Envoys met in the U.S. capital. They talked.", ["Envoys met in the U.S. capital.", "They talked."]),
        ("Gen. Park spoke first. Mr. Lee spoke next.", ["Gen. Park spoke first.", "Mr. Lee spoke next."]),
        ("The summit opens on Dec. 3 in Hanoi. Aides arrive early.", ["The summit opens on Dec. 3 in Hanoi.", "Aides arrive early."]),
        ("It is item No. 1 on the list. Others wait.", ["It is item No. 1 on the list.", "Others wait."]),
        ("Growth slowed to 3.5 percent. Exports fell.", ["Growth slowed to 3.5 percent.", "Exports fell."]),
        ("Envoy J. Biden and Joseph R. Smith met. Nothing was agreed.", ["Envoy J. Biden and Joseph R. Smith met.", "Nothing was agreed."]),
    ],
)
def test_abbreviations_initials_and_decimals_do_not_end_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_multi_dot_abbreviation_ends_a_sentence_before_a_sentence_opener() -> None:
    text = "Talks moved to the U.S. The delegates flew in."
    assert split_sentences(text) == ["Talks moved to the U.S.", "The delegates flew in."]


def test_month_abbreviation_without_a_number_ends_a_sentence() -> None:
    assert split_sentences("The vote was held in Dec. Results came later.") == ["The vote was held in Dec.", "Results came later."]


def test_closing_quote_stays_with_its_sentence() -> None:
    text = 'The envoy said, "We are ready." Then he left. "Is it over?" she asked.'
    assert split_sentences(text) == ['The envoy said, "We are ready."', "Then he left.", '"Is it over?" she asked.']


def test_question_and_exclamation_marks_end_sentences() -> None:
    assert split_sentences("Will they meet? Nobody knows! Wait.") == ["Will they meet?", "Nobody knows!", "Wait."]


def test_agency_dateline_does_not_split_its_sentence() -> None:
    text = "SEOUL, Dec. 3 (Demo) -- The ministry issued a statement. It was short."
    assert split_sentences(text) == ["SEOUL, Dec. 3 (Demo) -- The ministry issued a statement.", "It was short."]


def test_paragraphs_are_boundaries_even_without_punctuation() -> None:
    assert split_sentences("A heading without a stop\nThe first sentence. The second") == [
        "A heading without a stop",
        "The first sentence.",
        "The second",
    ]


def test_lower_case_after_a_stop_is_not_a_boundary() -> None:
    assert split_sentences("They left at 5 p.m. and came back late.") == ["They left at 5 p.m. and came back late."]


def test_abbreviation_before_a_number_is_not_a_boundary() -> None:
    assert split_sentences("The index rose to 2.5 vs. 2.1 last year.") == ["The index rose to 2.5 vs. 2.1 last year."]


def test_empty_and_blank_text_have_no_sentences() -> None:
    assert split_sentences("") == []
    assert split_sentences("  \n \n") == []


def test_very_long_paragraph_is_split_in_linear_time() -> None:
    paragraph = "The side met again. " * 20000
    assert len(split_sentences(paragraph)) == 20000


def test_normalize_folds_compatibility_forms_and_quotes() -> None:
    text = "Kim\u2019s \u201cplan\u201d\u00a0costs \uff11\uff10 won\u2026"
    assert normalize_text(text) == 'Kim\'s "plan" costs 10 won...'


def test_normalize_drops_invisible_and_control_characters() -> None:
    assert normalize_text("no\u200bbel\u00adly\x07 talks\ufeff") == "nobelly talks"


def test_normalize_collapses_spaces_and_keeps_paragraphs_on_single_newlines() -> None:
    text = "  First   paragraph\t here.\r\n\r\n\n  Second\u3000one.  \n"
    assert normalize_text(text) == "First paragraph here.\nSecond one."


def test_normalize_turns_unicode_line_separators_into_paragraphs() -> None:
    assert normalize_text("one\u2028two") == "one\ntwo"


@pytest.mark.parametrize(
    "text",
    ["Kim met Putin, then left.", "", "one", "  leading and  double\tspaced\u2003text \x0b  ", "a\u00a0b\x1cc \n d"],
)
def test_split_with_starts_gives_split_and_where_each_piece_starts(text: str) -> None:
    pieces, starts = split_with_starts(text)
    assert pieces == text.split()
    assert [text[start : start + len(piece)] for piece, start in zip(pieces, starts, strict=True)] == pieces
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
