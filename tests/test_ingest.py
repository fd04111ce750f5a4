"""Ingest end to end on files the tests write: accounting, rejects, duplicates, ids, encodings."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest

from pipeline.dedup import _NON_WORD, comparison_key
from pipeline.ingest import MAX_TEXT_CHARS, UNKNOWN_SOURCE, Article, IngestResult, ingest

STORY = (
    "The two delegations met again on Thursday in the border village and agreed to keep talking. "
    "Officials said that the mood was calm and that a further round was likely next month."
)
OTHER_STORY = (
    "Farmers in the southern provinces began the rice harvest early this year because the rains came late and the fields dried fast."
)
FRENCH = (
    "Les deux délégations se sont retrouvées jeudi dans le village frontalier et ont convenu de poursuivre les discussions. "
    "Les responsables ont dit que le climat était calme et que une nouvelle série est probable le mois prochain."
)


def _jsonl(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("\n".join(row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows) + "\n")
    return path


def _accounted(result: IngestResult) -> bool:
    return result.read == len(result.articles) + len(result.duplicates) + len(result.rejects)


# --- the malformed-input battery ---------------------------------------------------


@pytest.fixture()
def battery(tmp_path: Path) -> Path:
    """A folder of inputs, each record designed to end in one known place."""
    folder = tmp_path / "battery"
    folder.mkdir()
    (folder / "a_empty.jsonl").write_bytes(b"")
    (folder / "b_binary.csv").write_bytes(b"\x00\x01\x02\x03PK\x03\x04" + bytes(range(256)) * 4)
    _jsonl(
        folder / "c_records.jsonl",
        [
            {"date": "2021-05-01", "title": "Talks resume", "body": STORY, "source": "Demo Daily"},  # 1 kept
            '{"date": "2021-05-01", "title": "Cut off", "body": "The line ends',  # 2 malformed
            {"title": "No date here", "body": OTHER_STORY, "source": "Demo Daily"},  # 3 no date
            {"date": "1850-01-01", "title": "Old", "body": OTHER_STORY},  # 4 implausible
            {"date": "2999-01-01", "title": "Future", "body": OTHER_STORY},  # 5 implausible
            {"date": "next week", "title": "Vague", "body": OTHER_STORY},  # 6 unreadable date
            {"date": "2021-05-02", "title": "Photo item", "body": ""},  # 7 kept as a headline (empty body)
            {"date": "2021-05-02", "title": "Widgets only", "body": "Share\n  \u2022 Link copied\nPrint"},  # 8 no body
            {
                "date": "2021-05-03",
                "title": "<b>Hostile</b> page",
                "body": '<p>Calm words.</p><script>steal()</script><img src=x onerror="alert(1)"><p>More calm words.</p>',
                "url": "javascript:alert(1)",
            },  # 9 kept, cleaned
            {"date": "2021-05-04", "title": "En fran\u00e7ais", "body": FRENCH},  # 10 not English
            # 11: exact duplicate of 1 (case, punctuation, spacing and source spelling differ)
            {"date": "2021-05-01", "title": "TALKS RESUME!", "body": "  " + STORY.upper().replace(". ", " ... "), "source": "demo daily"},
            # 12: kept, mojibake repaired
            {
                "date": "2021-05-05",
                "title": "Mis\u00e2\u20ac\u2122decoded",
                "body": "Kim\u00e2\u20ac\u2122s plan was caf\u00c3\u00a9 talk.",
            },
            {"date": "2021-05-05", "title": "Broken", "body": "An \u00e2\u20ac unrepairable quote."},  # 13 mojibake
            [1, 2],  # 14 not an object
            {"date": "2021-05-06", "title": "Too long", "body": "word " * 400_000},  # 15: a 2 MB body, too long
            {"date": "2021-05-07", "headline": "Headline only record"},  # 16 kept, headline is the text
            {"date": "2021-05-07", "title": "", "body": "An untitled note about the harvest. It is short."},  # 17 kept, derived title
            {"date": "2021-05-08", "body": "\ub0a8\ubd81 \ub300\ud45c\ub2e8\uc774 \ub2e4\uc2dc \ub9cc\ub0ac\ub2e4"},  # 18 not English
        ],
    )
    (folder / "d_cp1252.csv").write_bytes(
        'date,title,body,source\n2021-06-01,Caf\u00e9 talks,"\u201cWe\u2019re close,\u201d an aide said.",Demo Weekly\n'.encode("cp1252")
    )
    (folder / "e_rows.csv").write_text(f"date,title,body\n2021-06-02,Extra field,{OTHER_STORY},oops\n2021-06-03,Fine row,{OTHER_STORY}\n")
    (folder / "f_mojibake.txt").write_text(
        "Demo Herald\nQuiet progress\nPublished : June 4, 2021 - 10:00\nThe envoy\u00e2\u20ac\u2122s team arrived.\n", encoding="utf-8"
    )
    (folder / "g_undated.txt").write_text("Demo Herald\nA title\nNo date line anywhere in this file.\n")
    payload = (json.dumps({"date": "2021-06-05", "title": "Packed", "body": OTHER_STORY}) + "\n" + '{"date": "2021-06-06", "ti').encode()
    (folder / "h_cut.jsonl.gz").write_bytes(gzip.compress(payload, compresslevel=0)[:-8])  # trailer (CRC, size) lost
    return folder


def test_battery_accounting_is_exact(battery: Path) -> None:
    result = ingest([battery])
    assert (result.read, len(result.articles), len(result.duplicates), len(result.rejects)) == (28, 10, 1, 17)
    assert _accounted(result)


def test_battery_rejects_name_file_line_and_reason(battery: Path) -> None:
    records = f"{battery}/c_records.jsonl"
    expected = [
        (f"{battery}/a_empty.jsonl", "empty file"),
        (f"{battery}/b_binary.csv", "binary or unreadable file"),
        (f"{records}:2", "malformed JSON: Unterminated string starting at column "),
        (f"{records}:3", "no date"),
        (f"{records}:4", "implausible date 1850-01-01"),
        (f"{records}:5", "implausible date 2999-01-01"),
        (f"{records}:6", "unreadable date 'next week'"),
        (f"{records}:8", "no body"),
        (f"{records}:10", "not English (reads as French: "),
        (f"{records}:13", "mis-decoded text that could not be repaired (mojibake such as "),
        (f"{records}:14", "malformed record: expected a JSON object, got list"),
        (f"{records}:15", "body too long (1,999,999 characters; the limit is 1,000,000)"),
        (f"{records}:18", "not English (detected mostly non-Latin script)"),
        (f"{battery}/e_rows.csv:2", "malformed CSV row: 4 fields, the header has 3"),
        (f"{battery}/g_undated.txt", "no date"),
        (f"{battery}/h_cut.jsonl.gz:2", "malformed JSON: Unterminated string starting at column "),
        (f"{battery}/h_cut.jsonl.gz", "truncated compressed data"),
    ]
    rejects = [(r.input, r.reason) for r in ingest([battery]).rejects]
    assert [where for where, _ in rejects] == [where for where, _ in expected]
    for (where, reason), (_, start) in zip(rejects, expected):
        assert reason.startswith(start), (where, reason)


def test_battery_kept_articles_are_clean(battery: Path) -> None:
    result = ingest([battery])
    by_input = {a.input.rsplit("/", 1)[1]: a for a in result.articles}
    assert sorted(by_input) == [
        "c_records.jsonl:1",
        "c_records.jsonl:12",
        "c_records.jsonl:16",
        "c_records.jsonl:17",
        "c_records.jsonl:7",
        "c_records.jsonl:9",
        "d_cp1252.csv:2",
        "e_rows.csv:3",
        "f_mojibake.txt",
        "h_cut.jsonl.gz:1",
    ]
    hostile = by_input["c_records.jsonl:9"]
    assert (hostile.title, hostile.text, hostile.url) == ("Hostile page", "Calm words.\nMore calm words.", "")
    repaired = by_input["c_records.jsonl:12"]
    assert (repaired.title, repaired.text) == ("Mis'decoded", "Kim's plan was caf\u00e9 talk.")
    headline = by_input["c_records.jsonl:16"]
    assert (headline.title, headline.text, headline.source) == ("Headline only record", "Headline only record", UNKNOWN_SOURCE)
    assert by_input["c_records.jsonl:17"].title == "An untitled note about the harvest."
    cp1252 = by_input["d_cp1252.csv:2"]
    assert (cp1252.title, cp1252.text, cp1252.source) == ("Caf\u00e9 talks", '"We\'re close," an aide said.', "Demo Weekly")
    page = by_input["f_mojibake.txt"]
    assert (page.source, page.title, page.date) == ("Demo Herald", "Quiet progress", dt.date(2021, 6, 4))
    assert page.text == "The envoy's team arrived."


def test_battery_duplicate_points_at_the_kept_article(battery: Path) -> None:
    result = ingest([battery])
    (duplicate,) = result.duplicates
    kept = next(a for a in result.articles if a.input.endswith("c_records.jsonl:1"))
    assert (duplicate.input, duplicate.kept, duplicate.kind) == (f"{battery}/c_records.jsonl:11", kept.article_id, "exact")


def test_battery_encodings_record_fallbacks_and_repairs(battery: Path) -> None:
    assert ingest([battery]).encodings == {
        f"{battery}/c_records.jsonl": "utf-8 (mojibake repaired in 1 records)",
        f"{battery}/d_cp1252.csv": "cp1252",
        f"{battery}/f_mojibake.txt": "utf-8 (mojibake repaired in 1 records)",
    }


def test_long_body_under_the_limit_is_kept_whole(tmp_path: Path) -> None:
    paragraph = "The delegates talked about the railway and the fishing zones for a long time. " * 50
    body = "\n".join([paragraph.strip()] * (MAX_TEXT_CHARS // len(paragraph)))
    (article,) = ingest([_jsonl(tmp_path / "long.jsonl", [{"date": "2021-05-06", "title": "Long", "body": body}])]).articles
    assert article.text == body and len(body) > 0.99 * MAX_TEXT_CHARS


# --- ids ---------------------------------------------------------------------------


def test_ids_are_stable_across_runs_and_own_ids_are_kept(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": 42, "date": "2021-01-01", "title": "With id", "body": STORY},
            {"date": "2021-01-02", "title": "Without id", "body": OTHER_STORY},
        ],
    )
    first, second = ingest([path]), ingest([path])
    assert [a.article_id for a in first.articles] == [a.article_id for a in second.articles]
    assert first.articles[0].article_id == "42"
    assert len(first.articles[1].article_id) == 16 and int(first.articles[1].article_id, 16) >= 0


def test_hashed_id_ignores_case_and_punctuation_of_the_title(tmp_path: Path) -> None:
    one = _jsonl(tmp_path / "one.jsonl", [{"date": "2021-01-02", "title": "Talks, resumed!", "body": STORY, "source": "Demo"}])
    two = _jsonl(tmp_path / "two.jsonl", [{"date": "2021-01-02", "title": "talks resumed", "body": OTHER_STORY, "source": "DEMO"}])
    assert ingest([one]).articles[0].article_id == ingest([two]).articles[0].article_id


def test_colliding_ids_are_made_unique_in_input_order(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"date": "2021-01-02", "title": "Greetings", "body": STORY},
            {"date": "2021-01-02", "title": "Greetings", "body": OTHER_STORY},
            {"id": "x", "date": "2021-01-03", "title": "One", "body": STORY},
            {"id": "x", "date": "2021-01-04", "title": "Two", "body": OTHER_STORY},
        ],
    )
    ids = [a.article_id for a in ingest([path]).articles]
    assert ids[1] == ids[0] + "-2"
    assert ids[2:] == ["x", "x-2"]


def test_untitled_records_get_ids_from_their_bodies(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"date": "2021-01-02", "title": "", "body": "Same opening words here. " + STORY},
            {"date": "2021-01-02", "title": "", "body": "Same opening words here. " + OTHER_STORY},
        ],
    )
    first, second = ingest([path]).articles
    assert first.title == second.title == "Same opening words here."
    assert first.article_id.split("-")[0] != second.article_id.split("-")[0]


# --- duplicates --------------------------------------------------------------------

LONG_STORY = " ".join(
    f"In session {n} the delegates from the northern side discussed the railway link, the fishing zones and the family reunions."
    for n in range(12)
)


def _reworded(text: str) -> str:
    """A second translation: a few words changed, as two translators would."""
    return text.replace("discussed", "talked about", 2).replace("delegates", "envoys", 1).replace("fishing zones", "fishing areas", 1)


def test_reworded_long_story_on_the_same_day_is_a_near_duplicate(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"date": "2021-01-02", "title": "Talks on railway", "body": LONG_STORY},
            {"date": "2021-01-02", "title": "Talks held on railway link", "body": _reworded(LONG_STORY)},
            {"date": "2021-01-03", "title": "Talks on railway", "body": _reworded(LONG_STORY)},
        ],
    )
    result = ingest([path])
    assert [(d.input, d.kind) for d in result.duplicates] == [(f"{path}:2", "near")]
    assert result.duplicates[0].kept == result.articles[0].article_id
    assert len(result.articles) == 2  # another day is another record


def test_near_duplicate_checks_stay_bounded_on_a_hostile_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hundreds of long texts with one vocabulary on one day: edit-distance work stays bounded.

    Edit-distance ratios cost length squared, so a hostile upload of long same-day texts
    could stall a build; each record meets a bounded number of kept records on bounded prefixes.
    """
    import random

    from pipeline import dedup

    calls: list[int] = []
    real_ratio = dedup.fuzz.ratio
    monkeypatch.setattr(dedup.fuzz, "ratio", lambda a, b, **kw: calls.append(max(len(a), len(b))) or real_ratio(a, b, **kw))
    rng = random.Random(5)
    vocabulary = [f"word{index}" for index in range(200)]
    deduplicator, day = dedup.Deduplicator(), dt.date(2024, 6, 1)
    n_records = 2 * dedup.NEAR_MAX_COMPARISONS + 20
    for index in range(n_records):
        text = " ".join(rng.choice(vocabulary) for _ in range(15_000))  # about 110,000 characters
        record = dedup.Fingerprint("Demo wire", day, text)
        if deduplicator.match(record) is None:
            deduplicator.keep(record, f"a{index}")
    assert calls, "the shuffled texts share their vocabulary, so the running-text ratio is reached"
    assert max(calls) <= dedup.NEAR_TEXT_CHARS
    assert len(calls) <= n_records * dedup.NEAR_MAX_COMPARISONS


def test_short_formula_items_are_never_near_duplicates(tmp_path: Path) -> None:
    greeting = "The premier sent a message of greeting to the president of {} on the national day of that country."
    path = _jsonl(
        tmp_path / "a.jsonl",
        [{"date": "2021-01-02", "title": f"Greetings to {c}", "body": greeting.format(c)} for c in ("Fiji", "Peru", "Chad")],
    )
    result = ingest([path])
    assert len(result.articles) == 3 and not result.duplicates


def test_identical_long_text_filed_next_day_is_an_exact_duplicate_but_not_two_days_later(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [
            {"date": "2021-01-02", "title": "Briefing", "body": LONG_STORY},
            {"date": "2021-01-03", "title": "Briefing (2)", "body": LONG_STORY},
            {"date": "2021-01-05", "title": "Briefing", "body": LONG_STORY},
        ],
    )
    result = ingest([path])
    assert [(d.input, d.kind) for d in result.duplicates] == [(f"{path}:2", "exact")]
    assert len(result.articles) == 2


def test_same_story_from_two_sources_is_kept_for_both(tmp_path: Path) -> None:
    path = _jsonl(
        tmp_path / "a.jsonl",
        [{"date": "2021-01-02", "title": "Wire story", "body": STORY, "source": source} for source in ("Demo Daily", "Demo Weekly")],
    )
    assert len(ingest([path]).articles) == 2


def test_headlines_repeat_across_days_but_not_within_a_day(tmp_path: Path) -> None:
    path = tmp_path / "h.csv"
    path.write_text("date,title\n2001-01-01,New Year address\n2002-01-01,New Year address\n2002-01-01,new year address.\n")
    result = ingest([path])
    assert [a.date.year for a in result.articles] == [2001, 2002]
    assert [(d.input, d.kind) for d in result.duplicates] == [(f"{path}:4", "exact")]


def test_first_seen_is_kept_across_files_in_sorted_order(tmp_path: Path) -> None:
    row = {"date": "2021-01-02", "title": "Same", "body": STORY}
    _jsonl(tmp_path / "b.jsonl", [row])
    _jsonl(tmp_path / "a.jsonl", [row])
    result = ingest([tmp_path])
    assert result.articles[0].input == f"{tmp_path}/a.jsonl:1"
    assert result.duplicates[0].input == f"{tmp_path}/b.jsonl:1"


# --- progress and errors -----------------------------------------------------------


def test_progress_is_monotonic_and_ends_complete(tmp_path: Path) -> None:
    rows = [{"date": "2021-01-02", "title": f"Item {n}", "body": f"Item {n}. {STORY}"} for n in range(4500)]
    _jsonl(tmp_path / "big.jsonl", rows)
    _jsonl(tmp_path / "small.jsonl", rows[:1])
    calls: list[tuple[int, int]] = []
    ingest([tmp_path], progress=lambda done, total: calls.append((done, total)))
    dones = [done for done, _ in calls]
    assert dones == sorted(dones) and len(calls) > 2
    assert calls[-1][0] == calls[-1][1]


def test_missing_input_raises_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="absent.csv"):
        ingest([tmp_path / "absent.csv"])


def test_article_fields_have_the_promised_types(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "a.jsonl", [{"date": "2021-01-02T10:00:00Z", "title": "T", "body": STORY, "url": "https://example.org/x"}])
    (article,) = ingest([path]).articles
    assert isinstance(article, Article)
    assert article.date == dt.date(2021, 1, 2) and article.url == "https://example.org/x" and article.subtitle == ""


@pytest.mark.parametrize(
    "text",
    ["Kim Jong Un's  visit -- to the U.S.", "snake_case__x", " \t\x1c\x1f lead and trail \x00\x7f ", "", "___", "Mr.Roe,Ms.Doe!"],
)
def test_ascii_comparison_key_is_the_unicode_rule(text: str) -> None:
    """ASCII text takes a bytes path: the same key as the rule for any text (words, lower case, single spaces)."""
    assert comparison_key(text) == _NON_WORD.sub(" ", text.casefold()).strip()
