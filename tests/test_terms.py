"""Tokenisation for term statistics: what counts as a term, what is dropped, where bigrams stop."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from pipeline.terms import (
    _ASCII_TOKEN, _TOKEN, STOPWORDS_PATH, as_term, count_terms, load_stopwords, make_vectorizer, term_text, term_texts, terms,
    word_form_key,
)
from tests.test_hostile_patterns import KB, PROSE, _check


def unigrams(text: str) -> list[str]:
    return [term for term in terms(text) if " " not in term]


def bigrams(text: str) -> list[str]:
    return [term for term in terms(text) if " " in term]


# --- the stop list file -----------------------------------------------------------------


def test_stop_list_has_every_group_the_domain_needs() -> None:
    stop = load_stopwords()
    for word in ("the", "of", "said", "says", "kcna", "yonhap", "herald", "january", "monday", "mr", "also", "copied", "two"):
        assert word in stop, word


def test_stop_list_keeps_content_words() -> None:
    stop = load_stopwords()
    for word in ("fire", "summit", "missile", "sanctions", "nuclear", "korea", "dprk", "un"):
        assert word not in stop, word


def test_every_group_of_stop_words_opens_with_a_comment() -> None:
    blocks = STOPWORDS_PATH.read_text(encoding="utf-8").strip().split("\n\n")
    assert len(blocks) >= 9
    for block in blocks:
        assert block.startswith("#"), block.splitlines()[0]


def test_words_in_comments_are_not_stop_words() -> None:
    assert "grammar" not in load_stopwords()


def test_stop_list_entries_are_lower_case_single_tokens() -> None:
    for word in load_stopwords():
        assert word == word.lower() and " " not in word


# --- unigrams ---------------------------------------------------------------------------


def test_lower_cases_and_drops_stop_words() -> None:
    assert unigrams("The Envoy SAID the talks were over.") == ["envoy", "talks"]


def test_keeps_hyphenated_words_whole() -> None:
    assert unigrams("Inter-Korean liaison and long-range drills") == ["inter-korean", "liaison", "long-range", "drills"]


def test_drops_numbers_but_keeps_letter_led_codes() -> None:
    assert unigrams("In 2018 some 38th parallel F-35 jets and a Hwasong-18 test, 1,200 km") == [
        "parallel",
        "f-35",
        "jets",
        "hwasong-18",
        "test",
        "km",
    ]


def test_drops_one_letter_tokens() -> None:
    assert unigrams("x y z plan b") == ["plan"]


def test_drops_possessive_s() -> None:
    assert unigrams("Korea's envoy met Japan\u2019s minister") == ["korea", "envoy", "met", "japan", "minister"]


def test_contractions_are_stop_words() -> None:
    assert unigrams("They don't trust what isn't verified") == ["trust", "verified"]


def test_month_and_weekday_names_are_dropped() -> None:
    assert unigrams("On Tuesday, 12 June, the summit opened") == ["summit", "opened"]


@pytest.mark.parametrize("spelling", ["U.S.", "US", "USA", "U.S.A."])
def test_united_states_spellings_become_one_term(spelling: str) -> None:
    assert unigrams(f"{spelling} sanctions") == ["u.s.", "sanctions"]


def test_pronoun_us_is_not_the_country() -> None:
    assert unigrams("They told us about sanctions") == ["sanctions"]


def test_capitals_inside_words_are_not_abbreviations() -> None:
    assert unigrams("BUS routes and USSR archives") == ["bus", "routes", "ussr", "archives"]


def test_hyphen_keeps_united_states_inside_a_word() -> None:
    assert unigrams("an anti-U.S. rally") == ["anti-u.s.", "rally"]


def test_headline_abbreviations_are_spelled_out() -> None:
    assert unigrams("S. Korean drills alarm N. Korea at U.N.") == ["south", "korean", "drills", "alarm", "north", "korea", "un"]


@pytest.mark.parametrize("spelling", ["Kim Jong Un", "Kim Jong-un", "Kim Jong-Un"])
def test_korean_name_spellings_become_one_term(spelling: str) -> None:
    assert unigrams(f"{spelling} inspected the plant") == ["kim-jong-un", "inspected", "plant"]


def test_three_part_names_of_other_officials_are_joined() -> None:
    assert unigrams("Choe Son Hui met Ri Pyong Chol") == ["choe-son-hui", "met", "ri-pyong-chol"]


def test_adjacent_names_are_joined_separately() -> None:
    assert unigrams("Kim Jong Un Ri Pyong Chol") == ["kim-jong-un", "ri-pyong-chol"]


def test_surname_followed_by_english_words_is_not_a_name() -> None:
    assert unigrams("Kim Strongly Denied it near the Han River Bridge") == ["kim", "strongly", "denied", "han", "river", "bridge"]


def test_name_parts_must_be_capitalised_when_written_apart() -> None:
    assert unigrams("Kim jong un") == ["kim", "jong", "un"]


# --- bigrams ----------------------------------------------------------------------------


def test_unigrams_come_first_then_bigrams_in_text_order() -> None:
    assert terms("missile launch drew sanctions") == [
        "missile", "launch", "drew", "sanctions", "missile launch", "launch drew", "drew sanctions",
    ]  # fmt: skip


def test_bigram_does_not_cross_a_stop_word() -> None:
    assert bigrams("summit in Hanoi") == []


def test_bigram_does_not_cross_a_number() -> None:
    assert bigrams("missiles 2 launched") == []


@pytest.mark.parametrize("gap", [". ", ", ", "; ", " -- ", "\n", " (", '" '])
def test_bigram_does_not_cross_punctuation_or_a_line_break(gap: str) -> None:
    assert bigrams(f"summit{gap}talks") == []


def test_bigram_spans_several_spaces() -> None:
    assert bigrams("summit   talks") == ["summit talks"]


def test_joined_name_forms_bigrams_as_one_word() -> None:
    assert bigrams("Kim Jong Un inspected") == ["kim-jong-un inspected"]


def test_custom_stop_list_replaces_the_default() -> None:
    assert terms("said the envoy", stopwords=frozenset({"the"})) == ["said", "envoy"]


def test_empty_and_stop_word_only_texts_have_no_terms() -> None:
    assert terms("") == []
    assert terms("It was said that they would.") == []


# --- what users type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "term"),
    [
        ("Kim Jong Un", "kim-jong-un"),
        ("U.S. Sanctions", "u.s. sanctions"),
        ("  Inter-Korean   SUMMIT ", "inter-korean summit"),
        ("the summit", "summit"),
    ],
)
def test_typed_phrases_are_spelled_like_terms(phrase: str, term: str) -> None:
    assert as_term(phrase) == term


def test_typed_bigram_matches_the_counted_bigram() -> None:
    assert as_term("Missile Launch") in terms("The missile launch failed.")


# --- vectorizer and counts --------------------------------------------------------------

TEXTS = ["Missile launch and missile tests.", "", "Summit talks; summit hopes.", "It was said."]


def test_vectorizer_counts_the_same_terms() -> None:
    vectorizer = make_vectorizer()
    matrix = vectorizer.fit_transform(TEXTS)
    vocabulary = list(vectorizer.get_feature_names_out())
    for row, text in enumerate(TEXTS):
        found = {vocabulary[column]: int(matrix[row, column]) for column in matrix[row].indices}
        assert found == Counter(terms(text))


def test_vectorizer_passes_options_through() -> None:
    vectorizer = make_vectorizer(min_df=2)
    vectorizer.fit(["summit talks", "summit hopes", "launch"])
    assert list(vectorizer.get_feature_names_out()) == ["summit"]


def test_count_terms_matches_terms_per_document() -> None:
    counted = count_terms(TEXTS)
    assert counted.counts.shape == (4, len(counted.vocabulary))
    for row, text in enumerate(TEXTS):
        found = {counted.vocabulary[column]: int(value) for column, value in zip(counted.counts[row].indices, counted.counts[row].data)}
        assert found == Counter(terms(text))


# Texts that end and start with a word (no bigram may join two documents), Korean names, a text
# with no term, one past ASCII, and one that repeats the bigram of another.
BATCH = [
    "missile launch",
    "summit talks ended",
    "Kim Jong Un met the envoy",
    "",
    "talks ended: Ri Son Gwon and Kim Yo-jong spoke",
    "Séoul’s envoy visited U.S. troops and anti-U.S. rallies",
    "missile launch missile launch",
]


def test_count_terms_counts_each_batch_text_as_terms_does() -> None:
    counted = count_terms(BATCH)
    for row, text in enumerate(BATCH):
        found = {counted.vocabulary[column]: int(value) for column, value in zip(counted.counts[row].indices, counted.counts[row].data)}
        assert found == Counter(terms(text))
    assert "launch summit" not in set(counted.vocabulary) and "ended kim-jong-un" not in set(counted.vocabulary)


@pytest.mark.parametrize(
    "text",
    [
        "anti-U.S. rally in U.S.A. and the US-led drills",
        "don't 'quote' it's o'clock -- dash-led -x- x-",
        "snake_case __init__ a_b _x_",
        "tabs\tand\x0bvertical\x0cfeed\rreturn\x1cfile\x1dgroup\x1erecord\x1funit",
        "controls\x00\x01\x7f and U.S.-Korea, U.N.'s role; 38th parallel; f-35 jets\nnext line",
    ],
)
def test_ascii_tokens_are_the_unicode_tokens(text: str) -> None:
    assert text.isascii() and _ASCII_TOKEN.findall(text) == _TOKEN.findall(text)


def test_count_terms_vocabulary_is_alphabetical_and_unique() -> None:
    vocabulary = list(count_terms(TEXTS).vocabulary)
    assert vocabulary == sorted(set(vocabulary))


def test_count_terms_without_any_term_has_no_columns() -> None:
    counted = count_terms(["", "It was said."])
    assert counted.counts.shape == (2, 0)
    assert counted.counts.dtype == np.int64


# --- what of an article is counted (term_text) --------------------------------------------


def test_a_headline_only_record_is_counted_once() -> None:
    headline = "Leader Inspects Fertilizer Plant"
    assert term_text(headline, headline) == headline
    counted = Counter(terms(term_text(headline, headline)))
    assert counted["fertilizer"] == 1 and counted["fertilizer plant"] == 1


def test_a_title_and_a_different_body_are_both_counted() -> None:
    assert term_text("Plant Opens", "Workers gathered at the plant.") == "Plant Opens\nWorkers gathered at the plant."
    assert term_text("", "Only a body.") == "Only a body."
    assert term_text("Only a title", "") == "Only a title"


TRANSCRIPT = """Briefing Room Of The Building

2:15 P.M. EDT

MS. ROE:  Good afternoon.  The sanctions stay in place.

Q    Thanks, Jane.  Will the envoy travel?

SENIOR ADMINISTRATION OFFICIAL:  The envoy travels next week.

MODERATOR: Next question.
THE PRESIDENT: Missiles were discussed.
Q
END 3:02 P.M. EDT"""


def test_transcript_speaker_labels_times_and_venue_are_not_counted() -> None:
    counted = set(terms(term_text("Press Briefing", TRANSCRIPT)))
    assert {"sanctions", "envoy", "missiles", "afternoon", "question", "envoy travels"} <= counted
    assert not {"roe", "senior", "administration official", "moderator", "president", "edt", "briefing room", "building"} & counted
    assert "press briefing" in counted  # the title stays


def test_speaker_labels_stay_in_the_displayed_text_and_plain_prose_keeps_its_q() -> None:
    assert term_text("", "Q scores rose.\nThe plan holds.") == "Q scores rose.\nThe plan holds."  # not a transcript
    assert term_text("", "The report: KCNA said the plan holds.") == "The report: KCNA said the plan holds."


def test_datelines_and_bylines_anywhere_in_the_body_are_not_counted() -> None:
    body = "First story ends here.\nBy Jane Roe, Staff Reporter\nSeoul, May 2 (Yonhap) -- The second story begins."
    assert term_text("Two stories", body) == "Two stories\nFirst story ends here.\nThe second story begins."


def test_term_texts_pairs_titles_and_texts() -> None:
    assert term_texts(["A title", "Same"], ["A body.", "Same"]) == ["A title\nA body.", "Same"]
    assert term_texts([None], ["Body."]) == ["Body."]  # type: ignore[list-item]


@pytest.mark.parametrize("unit", ["A:", "MS. A: ", "Q ", "Q\n", "AAAA ", "1:00 P.M. ", "(", "By A ", "\nA (B) -- "])
def test_term_text_is_linear(unit: str) -> None:
    _check(lambda text: term_text("A title", text), unit, size=128 * KB, plain_unit=PROSE)


@pytest.mark.parametrize(
    "forms",
    [
        ("celebrate", "celebrated", "celebrating", "celebration", "celebrations", "celebrates"),
        ("mourn", "mourning", "mourns", "mourned"),
        ("country", "countries"),
        ("drone", "drones"),
        ("floral basket", "floral baskets"),
        ("election", "elected"),
        ("process", "processes"),
        ("business", "businesses"),
    ],
)
def test_forms_of_one_word_share_a_key(forms: tuple[str, ...]) -> None:
    assert len({word_form_key(form) for form in forms}) == 1, {form: word_form_key(form) for form in forms}


@pytest.mark.parametrize(
    "different",
    [
        ("station", "state"), ("former", "formed"), ("workers", "works"), ("movement", "moves"), ("news", "new"),
        ("memorial", "memory"), ("japan", "japanese"), ("president", "presidential"), ("crisis", "cris"),
        ("status", "stat"), ("kim-jong-un", "kim-jong-unes"),
    ],
)
def test_different_words_keep_different_keys(different: tuple[str, str]) -> None:
    first, second = different
    assert word_form_key(first) != word_form_key(second)


@pytest.mark.parametrize("whole", ["status", "crisis", "process", "kim-jong-un", "station", "100th", "조선"])
def test_words_the_endings_must_not_cut_stay_whole(whole: str) -> None:
    assert word_form_key(whole) == whole

