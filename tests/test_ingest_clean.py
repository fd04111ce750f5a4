"""Field clean-up and validation (pipeline/clean.py), on text written for these tests."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.clean import (
    RecordProblem,
    check_date,
    check_english,
    clean_body,
    clean_line,
    derive_title,
    find_date_line,
    html_to_text,
    http_url,
    is_byline,
    is_widget_line,
    parse_date,
    repair_encoding,
    unglue_paragraphs,
    unwrap_hard_wrapped,
)

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)

# --- markup ------------------------------------------------------------------------


def test_html_fragment_becomes_paragraphs_of_plain_text() -> None:
    assert html_to_text("<p>Talks &amp; more</p><p>Second<br>line</p>").split() == ["Talks", "&", "more", "Second", "line"]
    assert "\n" in html_to_text("<p>One</p><p>Two</p>")


def test_script_style_and_event_handlers_leave_no_trace() -> None:
    hostile = '<p>Calm day.</p><script>steal("cookie")</script><style>p{}</style><img src=x onerror="alert(1)"><p>End.</p>'
    text = html_to_text(hostile)
    assert "steal" not in text and "alert" not in text and "<" not in text and "{" not in text
    assert text.split() == ["Calm", "day.", "End."]


def test_double_escaped_markup_is_removed_not_kept_as_text() -> None:
    assert html_to_text("&lt;script&gt;alert(1)&lt;/script&gt;Plain words.") == "Plain words."


def test_struck_through_text_is_dropped() -> None:
    assert html_to_text("we are <s>handling</s> heading there").split() == ["we", "are", "heading", "there"]


def test_text_without_markup_is_returned_unchanged() -> None:
    assert html_to_text("AT&T rose 3% and x < y") == "AT&T rose 3% and x < y"


# --- mis-decoded text --------------------------------------------------------------


@pytest.mark.parametrize(
    ("damaged", "expected"),
    [
        ("Kim\u00e2\u20ac\u2122s visit", "Kim\u2019s visit"),  # ’ read as cp1252
        ("caf\u00c3\u00a9 talks", "caf\u00e9 talks"),  # é read as cp1252
        ("it\u00e2\x80\x99s late", "it\u2019s late"),  # ’ read as latin-1
        ("a \x96 b", "a \u2013 b"),  # cp1252 dash read as latin-1
        ("caf\u00c3\u0192\u00c2\u00a9", "caf\u00e9"),  # mis-decoded twice
        ("war\x81@plans", "war\u3000plans"),  # Shift-JIS ideographic space read as latin-1
        ("Japan\u00c2\x81fs plan", "Japan\u2019s plan"),  # Shift-JIS quote read as latin-1, stored as UTF-8, read again
    ],
)
def test_classic_mojibake_is_repaired_and_flagged(damaged: str, expected: str) -> None:
    assert repair_encoding(damaged) == (expected, True)


def test_shift_jis_full_width_letter_becomes_plain_in_a_title() -> None:
    assert clean_line("\u00c2\x82vreath laid").text == "Wreath laid"


def test_cp1252_apostrophe_read_as_latin1_is_not_taken_for_shift_jis() -> None:
    assert repair_encoding("it\x92s late").text == "it\u2019s late"


def test_correct_accented_text_is_left_alone() -> None:
    correct = "Caf\u00e9 na\u00efve S\u00e3o Paulo \u00e0 la carte \u00c0 \u00df"
    assert repair_encoding(correct) == (correct, False)


def test_unrepairable_mojibake_is_rejected() -> None:
    with pytest.raises(RecordProblem, match="mojibake"):
        repair_encoding("broken \u00e2\u20ac quote")


def test_replacement_characters_are_rejected() -> None:
    with pytest.raises(RecordProblem, match="U\\+FFFD"):
        repair_encoding("lost \ufffd bytes")


# --- one-line fields ---------------------------------------------------------------


def test_markdown_escapes_and_cut_marker_leave_titles() -> None:
    assert clean_line("Briefing by Press Secretary Jane\\_Roe and Deputy\\").text == "Briefing by Press Secretary Jane Roe and Deputy"
    assert clean_line("Route to Dover,\\_\\").text == "Route to Dover"


def test_literal_unicode_escapes_in_titles_are_decoded() -> None:
    assert clean_line("Leaders\\u2019 Statement: \\u201CA New\\_Era\\u201D").text == 'Leaders\' Statement: "A New Era"'
    assert clean_line("FINAL COMMUNIQU\\xC9").text == "FINAL COMMUNIQU\u00c9"


def test_section_tag_and_markup_leave_titles() -> None:
    assert clean_line("[Editorial] Hard road <b>ahead</b>").text == "Hard road ahead"
    assert clean_line("  Two\n lines   here ").text == "Two lines here"


# --- bodies ------------------------------------------------------------------------


def test_agency_dateline_and_end_marker_are_removed() -> None:
    body = "Pyongyang, June 13 (Demo) -- The delegation left.\nIt returns soon. -0-"
    assert clean_body(body).text == "The delegation left.\nIt returns soon."


def test_dateline_without_space_after_dashes_is_removed() -> None:
    assert clean_body("Pyongyang, October 3 (Demo) --The plant opened.").text == "The plant opened."


def test_body_that_merely_starts_with_a_name_keeps_it() -> None:
    assert clean_body("Pyongyang is quiet today.").text == "Pyongyang is quiet today."


def test_widget_lines_byline_and_repeated_title_are_removed() -> None:
    body = "Quiet talks\nBy Jane Roe, Staff Reporter\n  \u2022 Link copied\nShare | Print\nThe first paragraph.\nFont size\nThe second one."
    assert clean_body(body, title="Quiet talks").text == "The first paragraph.\nThe second one."


def test_punctuation_only_lines_are_dropped() -> None:
    assert clean_body("The text.\n\n\n, ,\n* * *\nMore text.").text == "The text.\nMore text."


def test_hard_wrapped_markdown_transcript_is_unwrapped_and_unmarked() -> None:
    body = (
        "MS. ROE:  Good afternoon, everyone.  We have two short items for\n"
        "you today, and then I am happy to take **your** questions on the\n"
        "visit \\[next week\\].\n"
        "\n"
        "-   First, the visit of the delegation is now confirmed for the\n"
        "    second day of the month;\n"
        "-   second, see [the notice](https://example.org/n) for details.\n"
    )
    assert clean_body(body).text == (
        "MS. ROE: Good afternoon, everyone. We have two short items for you today, "
        "and then I am happy to take your questions on the visit [next week].\n"
        "First, the visit of the delegation is now confirmed for the second day of the month;\n"
        "second, see the notice for details."
    )


def test_short_line_lists_are_not_unwrapped() -> None:
    text = "Attending were:\nRi Chol Nam\nPak Song Il\nKim Un Hui\n\nThe meeting closed."
    assert unwrap_hard_wrapped(text) == text


def test_long_lines_are_not_unwrapped() -> None:
    paragraph = "word " * 40
    text = f"{paragraph}\n{paragraph}\n\n{paragraph}"
    assert unwrap_hard_wrapped(text) == text


def test_scraper_glued_paragraphs_are_split_but_abbreviations_kept() -> None:
    assert unglue_paragraphs("The plant opened., Workers cheered.") == "The plant opened.\nWorkers cheered."
    assert unglue_paragraphs("Envoys of the U.S., Japan and Co., Ltd. met.") == "Envoys of the U.S., Japan and Co., Ltd. met."


def test_html_body_is_plain_text() -> None:
    assert clean_body("<div><p>One &amp; two.</p><p>Three.</p></div>").text == "One & two.\nThree."


@pytest.mark.parametrize("line", ["    \u2022 Link copied", "Share", "SHARE | PRINT | FONT SIZE", "A A", "Listen to this article"])
def test_widget_lines(line: str) -> None:
    assert is_widget_line(line)


@pytest.mark.parametrize("line", ["Share the burden fairly", "Print media reacted.", ""])
def test_not_widget_lines(line: str) -> None:
    assert not is_widget_line(line)


def test_bylines_versus_sentences_starting_with_by() -> None:
    assert is_byline("By Jane Roe")
    assert is_byline("BY JANE ROE and JOHN DOE")
    assert is_byline("By Peninsula Watch demo desk")  # a desk byline, as in the demo pages
    assert not is_byline("By the end of the year talks had stalled.")
    assert not is_byline("By then everyone knew")


def test_derived_title_is_the_first_sentence_cut_to_ten_words() -> None:
    assert derive_title("Short opening line. More follows.") == "Short opening line."
    long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen."
    assert derive_title(long) == "one two three four five six seven eight nine ten ..."


def test_only_http_urls_are_kept() -> None:
    assert http_url(" https://example.org/a?b=1 ") == "https://example.org/a?b=1"
    assert http_url("javascript:alert(1)") == ""
    assert http_url("example.org") == ""


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2019-04-28", dt.date(2019, 4, 28)),
        ("2019-04-28T23:30:00-05:00", dt.date(2019, 4, 28)),  # the date as written, no zone shift
        ("2019.05.02 18:00", dt.date(2019, 5, 2)),
        ("20190502", dt.date(2019, 5, 2)),
        ("April 28, 2019", dt.date(2019, 4, 28)),
        ("28 April 2019", dt.date(2019, 4, 28)),
        ("28-Apr-2019", dt.date(2019, 4, 28)),
        ("Sept. 3rd, 2019", dt.date(2019, 9, 3)),
        ("04/28/2019", dt.date(2019, 4, 28)),
        ("28/04/2019", dt.date(2019, 4, 28)),
        ("Sunday the 28th of April 2019", dt.date(2019, 4, 28)),  # dateparser fallback
    ],
)
def test_parse_date_forms(value: str, expected: dt.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["", "soon", "yesterday", "2019-02-30", "13 Smarch 2019"])
def test_parse_date_refuses_non_dates_and_impossible_dates(value: str) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Published : April 28, 2019 - 17:07", dt.date(2019, 4, 28)),
        ("Updated: Jun 12, 2018", dt.date(2018, 6, 12)),
        ("2019.05.02 18:00", dt.date(2019, 5, 2)),
        ("28 April 2019", dt.date(2019, 4, 28)),
        ("2019-04-28T17:07:00+09:00", dt.date(2019, 4, 28)),
        ("  \u2022 Posted on 2019-05-02 by Jane Roe", dt.date(2019, 5, 2)),
        ("Thursday, 2 May 2019, 10:31 a.m. KST", dt.date(2019, 5, 2)),
    ],
)
def test_date_lines(line: str, expected: dt.date) -> None:
    assert find_date_line(line) == expected


@pytest.mark.parametrize("line", ["Talks set for May 3, 2019", "By Jane Roe", "Summit 2019", "No end in sight"])
def test_lines_that_are_not_date_lines(line: str) -> None:
    assert find_date_line(line) is None


def test_check_date_reasons() -> None:
    assert check_date(dt.date(2019, 4, 28), "2019-04-28", TOMORROW) == dt.date(2019, 4, 28)
    assert check_date(TOMORROW, "", TOMORROW) == TOMORROW
    with pytest.raises(RecordProblem, match="^no date$"):
        check_date(None, "  ", TOMORROW)
    with pytest.raises(RecordProblem, match="^unreadable date 'soon'$"):
        check_date(None, "soon", TOMORROW)
    with pytest.raises(RecordProblem, match="^implausible date 1850-01-01$"):
        check_date(dt.date(1850, 1, 1), "1850-01-01", TOMORROW)
    with pytest.raises(RecordProblem, match="^implausible date"):
        check_date(TOMORROW + dt.timedelta(days=1), "", TOMORROW)


# --- language ----------------------------------------------------------------------

ENGLISH = "The two sides met again on Thursday and agreed that the talks would go on, but the envoy said that no deal was near. " * 2
FRENCH = (
    "Les deux parties se sont retrouvées jeudi et ont convenu que les discussions allaient continuer, "
    "mais le représentant a dit que la signature d'un accord est encore loin et que les experts restent prudents."
)
INDONESIAN = (
    "Kedua pihak bertemu lagi pada hari Kamis dan sepakat bahwa pembicaraan akan dilanjutkan, tetapi utusan itu "
    "mengatakan bahwa kesepakatan yang diharapkan belum dekat dan para ahli di ibu kota tetap berhati-hati dengan hasilnya."
)


def test_english_prose_passes() -> None:
    check_english(ENGLISH)


def test_list_of_names_passes() -> None:
    check_english("The committee: " + ", ".join(["Ri Chol Nam", "Pak Song Il", "Kim Un Hui", "O Yong Su"] * 10))


def test_non_latin_script_is_rejected() -> None:
    with pytest.raises(RecordProblem, match=r"^not English \(detected mostly non-Latin script\)$"):
        check_english("\ub0a8\ubd81 \uc815\uc0c1\ud68c\ub2f4\uc774 \ub2e4\uc2dc \uc5f4\ub838\ub2e4 \ub300\ud45c\ub2e8")


@pytest.mark.parametrize(("text", "language"), [(FRENCH, "French"), (INDONESIAN, "Indonesian or Malay")])
def test_other_latin_script_languages_are_rejected(text: str, language: str) -> None:
    with pytest.raises(RecordProblem, match=rf"^not English \(reads as {language}"):
        check_english(text)


def test_short_foreign_headline_only_gets_the_script_test() -> None:
    check_english("Les discussions continuent")
