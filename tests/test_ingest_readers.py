"""Readers (pipeline/readers.py): finding files, decoding, and turning each format into raw records."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from pipeline.readers import (
    EncodingTally,
    FileInfo,
    GzipLimits,
    GzipStream,
    RawRecord,
    decode,
    discover,
    looks_binary,
    map_fields,
    read_file,
)


def _read(path: Path) -> tuple[list[RawRecord], FileInfo]:
    info = FileInfo()
    return list(read_file(path, info)), info


# --- discover ----------------------------------------------------------------------


def test_discover_recurses_sorted_and_keeps_supported_visible_files(tmp_path: Path) -> None:
    for name in ["b/2.jsonl.gz", "b/1.csv", "a.txt", "c.html", "notes.pdf", ".hidden/x.json", "b/.secret.jsonl", "d.TSV"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a.txt", "b/1.csv", "b/2.jsonl.gz", "c.html", "d.TSV"]


def test_discover_reads_a_file_named_twice_once_and_keeps_named_files(tmp_path: Path) -> None:
    named = tmp_path / "one.csv"
    named.write_text("x")
    assert discover([named, tmp_path, named]) == [named]


def test_discover_names_the_missing_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere.jsonl"):
        discover([tmp_path, tmp_path / "nowhere.jsonl"])


def test_unsupported_named_file_is_a_reject_not_a_silence(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    records, _ = _read(path)
    assert [(r.input, r.problem) for r in records] == [(str(path), "unsupported file type .pdf")]


# --- bytes and encodings -----------------------------------------------------------


def gunzip(raw: bytes) -> tuple[bytes, str]:
    """Everything a GzipStream yields, read in small pieces, and its damage."""
    stream = GzipStream(io.BytesIO(raw), GzipLimits())
    parts = []
    while chunk := stream.read(1000):
        parts.append(chunk)
    return b"".join(parts), stream.damage


def test_gunzip_intact_and_multi_member() -> None:
    assert gunzip(gzip.compress(b"one\n") + gzip.compress(b"two\n")) == (b"one\ntwo\n", "")


def test_gunzip_keeps_everything_before_a_truncation() -> None:
    data = b"".join(b"line %03d\n" % n for n in range(200))
    stored = gzip.compress(data, compresslevel=0)  # stored blocks: byte k of the payload sits at a known offset
    kept, damage = gunzip(stored[: 10 + 5 + 1000])  # gzip header, block header, 1000 payload bytes
    assert kept == data[:1000]
    assert damage.startswith("truncated compressed data")


def test_gunzip_salvages_the_output_before_corruption() -> None:
    data = b"".join(b"record number %05d\n" % n for n in range(20000))
    packed = bytearray(gzip.compress(data))
    packed[len(packed) // 2] ^= 0xFF
    kept, damage = gunzip(bytes(packed))
    assert damage.startswith("corrupted compressed data")
    head = len(data) // 4  # the flipped byte sits near the middle of the stream
    assert kept[:head] == data[:head]


def test_not_a_gzip_file() -> None:
    kept, damage = gunzip(b"plain text, not compressed")
    assert kept == b"" and damage.startswith("corrupted compressed data")


def test_binary_detection() -> None:
    assert looks_binary(b"PK\x03\x04\x00\x00binary")
    assert looks_binary(bytes(range(1, 32)) * 10)
    assert not looks_binary("caf\u00e9 \u2019quoted\u2019\n\ttabbed".encode())


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("caf\u00e9".encode(), ("caf\u00e9", "utf-8")),
        ("\ufeffcaf\u00e9".encode(), ("caf\u00e9", "utf-8")),
        ("caf\u00e9 \u2019".encode("cp1252"), ("caf\u00e9 \u2019", "cp1252")),
        ("caf\u00e9".encode("utf-16"), ("caf\u00e9", "utf-16")),
        (b"ab\x81cd", ("ab\x81cd", "latin-1")),  # 0x81 is undefined in cp1252
    ],
)
def test_decode_chooses_utf8_then_falls_back(data: bytes, expected: tuple[str, str]) -> None:
    assert decode(data) == expected


def test_decode_mixed_file_names_the_lines_that_fell_back() -> None:
    text, encoding = decode("na\u00efve\n".encode() + "caf\u00e9\n".encode("cp1252") + b"plain\n")
    assert text == "na\u00efve\ncaf\u00e9\nplain\n"
    assert encoding == "utf-8 with 1 cp1252 lines"


def test_encoding_tally_of_pure_ascii_is_utf8() -> None:
    tally = EncodingTally()
    assert tally.decode(b"plain") == "plain"
    assert tally.label() == "utf-8"


# --- field mapping -----------------------------------------------------------------


def test_column_names_map_case_insensitively_with_priority() -> None:
    assert map_fields(["\ufeffHeadline", "Pub Date", "CONTENT", "Outlet", "link", "ID"]) == {
        "title": 0,
        "date": 1,
        "body": 2,
        "source": 3,
        "url": 4,
        "id": 5,
    }
    assert map_fields(["text", "body"]) == {"body": 1}  # "body" outranks "text"


# --- JSON --------------------------------------------------------------------------


def test_jsonl_records_carry_their_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"date": "2020-01-02", "title": "A", "body": "x"}\n\n{"Date": "2020-01-03", "Headline": "B"}\n[1]\n')
    records, _ = _read(path)
    assert [(r.input, r.fields, r.has_body, r.problem) for r in records] == [
        (f"{path}:1", {"date": "2020-01-02", "title": "A", "body": "x"}, True, ""),
        (f"{path}:3", {"date": "2020-01-03", "title": "B"}, False, ""),
        (f"{path}:4", {}, True, "malformed record: expected a JSON object, got list"),
    ]


def test_json_values_become_text(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    rows = [{"id": 7, "date": "2020-01-02", "body": ["Para one.", "Para two."], "title": None}, {"date": "2020-01-02", "body": {"x": 1}}]
    path.write_text("\n".join(json.dumps(row) for row in rows))
    first, second = _read(path)[0]
    assert first.fields == {"id": "7", "date": "2020-01-02", "body": "Para one.\nPara two.", "title": ""}
    assert second.problem == "malformed record: field 'body' is not text"


def test_json_object_without_known_fields(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"name": "x", "value": 3}')
    (record,), _ = _read(path)
    assert (record.input, record.problem) == (str(path), "no recognised fields (expected date, title or headline, body or text)")


def test_json_array_items_carry_their_starting_line_and_a_bad_item_stops_only_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('[\n  {"date": "2020-01-02", "title": "A"},\n  {"date": "2020-01-03",\n   "title": "B"},\n  {"date": oops}\n]')
    records, _ = _read(path)
    assert [r.input for r in records] == [f"{path}:2", f"{path}:3", f"{path}:5"]
    assert [r.fields.get("title") for r in records[:2]] == ["A", "B"]
    assert records[2].problem.startswith("malformed JSON: Expecting value at line 5 column 12")


def test_json_file_holding_json_lines_is_read_as_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text('{"date": "2020-01-02", "title": "A"}\n{"date": "2020-01-03", "title": "B"}\n')
    assert [(r.input, r.fields["title"]) for r in _read(path)[0]] == [(f"{path}:1", "A"), (f"{path}:2", "B")]


# --- CSV ---------------------------------------------------------------------------


def test_csv_delimiter_is_sniffed_and_rows_carry_their_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('\ufeffTitle;Date;Text\n"Semi; colon";2020-01-02;"Line one\nline two"\n\nB;2020-01-03;Body\n', encoding="utf-8")
    records, _ = _read(path)
    assert [(r.input, r.fields) for r in records] == [
        (f"{path}:2", {"title": "Semi; colon", "date": "2020-01-02", "body": "Line one\nline two"}),
        (f"{path}:5", {"title": "B", "date": "2020-01-03", "body": "Body"}),
    ]


def test_tsv_and_headline_only_csv(tmp_path: Path) -> None:
    path = tmp_path / "a.tsv"
    path.write_text("date\theadline\tsource\n2020-01-02\tA, with comma\tDemo\n")
    (record,), _ = _read(path)
    assert record.fields == {"date": "2020-01-02", "title": "A, with comma", "source": "Demo"}
    assert record.has_body is False


def test_csv_row_with_wrong_field_count_is_rejected_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("date,title,body\n2020-01-02,A,x,extra\n2020-01-03,B,y\n")
    records, _ = _read(path)
    assert [(r.input, r.problem) for r in records] == [
        (f"{path}:2", "malformed CSV row: 4 fields, the header has 3"),
        (f"{path}:3", ""),
    ]


def test_csv_unterminated_quote_rejects_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text('date,title\n2020-01-02,A\n2020-01-03,"B\n2020-01-04,C\n')
    records, _ = _read(path)
    assert [r.input for r in records] == [f"{path}:2", f"{path}:3"]
    assert records[1].problem.startswith("malformed CSV row: unexpected end of data")


def test_csv_without_known_columns(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("alpha,beta\n1,2\n")
    (record,), _ = _read(path)
    assert record.input == str(path) and record.problem.startswith("no recognised fields")


def test_cp1252_csv_is_decoded_and_the_encoding_recorded(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("date,title\n2020-01-02,Caf\u00e9 \u2019talks\u2019\n".encode("cp1252"))
    (record,), info = _read(path)
    assert record.fields["title"] == "Caf\u00e9 \u2019talks\u2019"
    assert info.encoding == "cp1252"


# --- pasted web pages (.txt) -------------------------------------------------------

PAGE = """The Demo Times

\ub370\ubaa8 \ube14\ub85c\uadf8

[Opinion] Slow road

Why the next round of talks will take longer than anyone hoped

By Demo Times

Published : March 3, 2021 - 09:15

    \u2022 Link copied

First paragraph of the body.

Second paragraph.
"""


def test_txt_header_is_parsed_around_the_date_line(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(PAGE)
    (record,), _ = _read(path)
    assert record.input == str(path)
    assert record.fields["source"] == "The Demo Times"
    assert record.fields["title"] == "[Opinion] Slow road"
    assert record.fields["subtitle"] == "Why the next round of talks will take longer than anyone hoped"
    assert record.fields["date"] == "2021-03-03"
    assert record.fields["body"].split("\n")[0] == ""
    assert "First paragraph of the body." in record.fields["body"]
    assert "Published" not in record.fields["body"] and "By Demo" not in record.fields["body"]


def test_txt_without_subtitle_takes_the_title_line(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text("Demo Daily\nA much longer stray line that is not a title at all here\nShort title\n28 April 2019\nBody text.\n")
    (record,), _ = _read(path)
    assert (record.fields["title"], record.fields["subtitle"]) == ("Short title", "")


@pytest.mark.parametrize(
    "header, expected",
    [
        # A blog name naming the byline's desk before a title with no subtitle.
        ("Demo Wire\nDemo Wire desk blog\nFleet sails north after talks stall\nBy Demo Wire desk\n",
         ("Fleet sails north after talks stall", "")),
        # A site name sharing the outlet's name before a title and a subtitle of the same length.
        ("Demo: Harbour Evening Post\nEvening Post Online\nEnvoys meet in Geneva today\nBoth sides call it useful\nBy Demo Post Staff\n",
         ("Envoys meet in Geneva today", "Both sides call it useful")),
        # A section path before the title.
        ("Demo Herald\nPolitics | Demo Herald desk\nAssembly votes on the budget\nA second attempt after a long night\n",
         ("Assembly votes on the budget", "A second attempt after a long night")),
    ],
)
def test_txt_site_or_blog_line_before_the_title_is_not_the_title(tmp_path: Path, header: str, expected: tuple[str, str]) -> None:
    path = tmp_path / "page.txt"
    path.write_text(header + "Published : May 2, 2021 - 10:00\n\nBody text of the page.\n")
    (record,), _ = _read(path)
    assert (record.fields["title"], record.fields["subtitle"]) == expected


def test_demo_pages_with_a_blog_line_keep_their_headline() -> None:
    pasted = Path(__file__).resolve().parents[1] / "data" / "demo" / "pasted"
    with_blog_line = [path for path in sorted(pasted.glob("*.txt")) if "blog" in path.read_text(encoding="utf-8").split("\n")[1]]
    assert with_blog_line, "the demo keeps pages with a stray blog line before the title"
    for path in with_blog_line:
        (record,), _ = _read(path)
        assert "blog" not in record.fields["title"].lower(), path.name
        assert record.fields["title"] in path.read_text(encoding="utf-8").split("\n")[2:5], path.name


def test_txt_without_date_line(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Demo Daily\nA title\nJust some words, no date at all.\n")
    (record,), _ = _read(path)
    assert record.problem.startswith("no date")


# --- HTML --------------------------------------------------------------------------

HTML = """<html><head><title>Talks resume | Demo Daily</title>
<meta property="og:site_name" content="Demo Daily">
<meta property="article:published_time" content="2019-05-02T09:00:00+09:00">
<script>var secret = "script text";</script></head>
<body><nav>Home | World | Share</nav><article><h1>Talks resume</h1>
<p>Negotiators from both sides met again on Thursday in a quiet hotel by the river and agreed to keep talking.</p>
<p>The envoy said the mood was calm. <img src=x onerror="alert(1)"> Officials expect a longer round in June.</p>
<script>document.write("inline script")</script></article><footer>Copyright</footer></body></html>"""


def test_html_main_text_title_date_and_site_come_from_trafilatura(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML)
    (record,), _ = _read(path)
    assert record.fields["title"] == "Talks resume"
    assert record.fields["date"] == "2019-05-02"
    assert record.fields["source"] == "Demo Daily"
    assert "Negotiators from both sides" in record.fields["body"]
    assert "script" not in record.fields["body"] and "alert" not in record.fields["body"]
    assert "Copyright" not in record.fields["body"]


def test_html_without_main_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.htm"
    path.write_text("<html><head><title>Nothing</title></head><body><script>run()</script></body></html>")
    (record,), _ = _read(path)
    assert record.problem.startswith("no body")


# --- whole-file problems -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.jsonl", b""),
        ("blank.csv", b"  \n\n"),
        ("bom.txt", b"\xef\xbb\xbf"),
        ("bom.csv", b"\xef\xbb\xbf\n"),
        ("e.json.gz", gzip.compress(b"", mtime=0)),
    ],
)
def test_empty_files(tmp_path: Path, name: str, content: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert [(r.input, r.problem) for r in _read(path)[0]] == [(str(path), "empty file")]


@pytest.mark.parametrize("name", ["blob.jsonl", "blob.csv", "blob.txt"])
def test_binary_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert [(r.input, r.problem) for r in _read(path)[0]] == [(str(path), "binary or unreadable file")]


def test_truncated_gzip_keeps_complete_lines_and_reports_the_cut(tmp_path: Path) -> None:
    lines = [json.dumps({"date": f"2020-01-0{n}", "title": f"T{n}"}) for n in range(1, 4)]
    payload = ("\n".join(lines) + "\n").encode()
    cut = len(lines[0]) + 1 + len(lines[1]) + 1 + 10  # ten bytes into the third line
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(gzip.compress(payload, compresslevel=0)[: 10 + 5 + cut])
    records, _ = _read(path)
    assert [r.input for r in records] == [f"{path}:1", f"{path}:2", f"{path}:3", str(path)]
    assert [r.fields.get("title") for r in records] == ["T1", "T2", None, None]
    assert records[2].problem.startswith("malformed JSON: Unterminated string")
    assert records[2].problem.endswith("(the line is cut off where the file is damaged)")
    assert records[3].problem.startswith("truncated compressed data")
    assert records[3].problem.endswith("the rest of the file could not be read")
