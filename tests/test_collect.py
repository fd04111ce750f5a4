"""The collector (issue 17) against a news site served on 127.0.0.1: no test touches the internet.

The site (tests/collect_site.py) has RSS and Atom feeds, a malformed feed, a missing feed, a
GDELT-style answer, and pages that are kept, missing, slow, redirected, not HTML, forbidden by
robots.txt, undated, too short or off the subject. One module-scoped pair of runs (the first,
then a rerun with one more feed) is checked by many small tests.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipeline import collect as collect_module
from pipeline.cli import main
from pipeline.collect import REJECTS_FILE, STATE_FILE, CollectOptions, CollectReport, collect
from pipeline.feeds import (
    CollectError,
    Feed,
    Rejected,
    compile_subject,
    default_subject,
    feed_items,
    gdelt_items,
    gdelt_request,
    read_feeds_file,
    url_key,
)
from pipeline.fetch import HTML_TYPES, FetchError, FetchOptions, Fetcher, user_agent
from pipeline.ingest import discover, ingest
from tests.collect_site import SLOW_SECONDS, local_server, served_site

REPO = Path(__file__).resolve().parents[1]
FAST = FetchOptions(user_agent=user_agent("tests@example.invalid"), timeout=0.4, total_timeout=5, delay=0, retries=1, backoff=0)
assert FAST.timeout * (FAST.retries + 1) < SLOW_SECONDS


@pytest.fixture(scope="module")
def site() -> Iterator[HTTPServer]:
    with served_site() as server:
        yield server


@pytest.fixture()
def other_site() -> Iterator[HTTPServer]:
    """A second host, for robots.txt rules of its own."""
    server = local_server()
    yield server
    server.clear()
    server.stop()


def _feeds(site: HTTPServer, *paths: str) -> list[Feed]:
    return [Feed(site.url_for(path)) for path in paths]


def _options(site: HTTPServer, fetch: FetchOptions = FAST) -> CollectOptions:
    # the API is on the same host as the pages here, so its five-second pause would slow every page
    return CollectOptions(default_subject(), fetch, gdelt_url=site.url_for("/api/v2/doc/doc"), gdelt_pause=0)


FEEDS = ("/feeds/rss.xml", "/feeds/atom.xml", "/feeds/broken.xml", "/feeds/gone.xml")


@pytest.fixture(scope="module")
def runs(site: HTTPServer, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CollectReport, CollectReport, list[str]]:
    """A first run over every feed and GDELT, then a rerun with one more feed; the paths the rerun asked for."""
    into = tmp_path_factory.mktemp("collected")
    first = collect(_feeds(site, *FEEDS), ["north korea"], into, _options(site))
    before = len(site.log)
    second = collect(_feeds(site, *FEEDS, "/feeds/copy.xml"), ["north korea"], into, _options(site))
    return into, first, second, [request.path for request, _ in site.log[before:]]


# --- a run ------------------------------------------------------------------------------


def test_keeps_each_relevant_article_once(site: HTTPServer, runs) -> None:
    _, first, _, _ = runs
    urls = sorted(record["url"] for record in first.articles)
    assert urls == sorted(site.url_for(path) for path in ("/news/talks", "/news/envoy", "/news/summit", "/news/gdelt-story"))
    assert len({record["id"] for record in first.articles}) == 4


def test_the_same_item_in_two_feeds_is_fetched_once(site: HTTPServer, runs) -> None:
    _, first, _, _ = runs
    assert first.duplicates == 1  # /news/talks is in the RSS and the Atom feed
    assert first.listed == 9 + 2 + 1


def test_records_carry_what_build_reads(runs) -> None:
    into, first, _, _ = runs
    written = [json.loads(line) for line in first.output.read_text(encoding="utf-8").splitlines()]
    assert written == first.articles
    talks = next(record for record in written if record["url"].endswith("/news/talks"))
    assert talks["date"] == "2024-05-10"
    assert talks["title"] == "Talks with Pyongyang to resume"
    assert talks["source"] == "Example Times"
    assert talks["author"] == "Jane Roe"
    assert talks["body"].count("Yongbyon") == 3 and "all rights reserved" not in talks["body"]
    assert first.output.parent == into and first.output.name.startswith("collected-")


def test_redirect_is_followed_and_the_canonical_url_kept(site: HTTPServer, runs) -> None:
    _, first, _, _ = runs
    summit = next(record for record in first.articles if "Panmunjom" in record["body"])
    assert summit["url"] == site.url_for("/news/summit")
    assert summit["feed"] == site.url_for("/feeds/rss.xml")


def test_a_page_without_its_own_date_takes_the_listing_date(runs) -> None:
    _, first, _, _ = runs
    story = next(record for record in first.articles if record["url"].endswith("/news/gdelt-story"))
    assert story["date"] == "2024-05-12"  # GDELT's seendate 20240512T101500Z
    assert story["feed"] == "gdelt:north korea"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/news/weather", "not about the subject"),
        ("/news/missing", "HTTP error 404"),
        ("/news/slow", "timed out"),
        ("/files/report.pdf", "not an HTML page (Content-Type application/pdf)"),
        ("/private/memo", "disallowed by robots.txt"),
        ("/news/undated", "no date"),
        ("/news/brief", "too short to be an article"),
        ("/feeds/broken.xml", "malformed feed"),
        ("/feeds/gone.xml", "feed unavailable: HTTP error 404"),
        ("/news/en-francais", "not in English (GDELT language French)"),
    ],
)
def test_every_failure_is_recorded_with_url_and_reason(site: HTTPServer, runs, path: str, reason: str) -> None:
    _, first, _, _ = runs
    reasons = [reject["reason"] for reject in first.rejects if reject["url"] == site.url_for(path)]
    assert len(reasons) == 1 and reasons[0].startswith(reason), reasons


def test_rejects_file_lists_both_runs(runs) -> None:
    into, first, second, _ = runs
    lines = [json.loads(line) for line in (into / REJECTS_FILE).read_text(encoding="utf-8").splitlines()]
    assert lines == first.rejects + second.rejects
    assert all(set(line) == {"url", "reason", "feed", "at"} for line in lines)


def test_rerun_reports_only_new_failures_and_those_that_may_pass(site: HTTPServer, runs) -> None:
    _, _, second, _ = runs
    assert sorted(reject["url"] for reject in second.rejects) == [site.url_for("/feeds/broken.xml"), site.url_for("/feeds/gone.xml"),
                                                                  site.url_for("/news/slow")]


def test_an_invalid_gdelt_address_is_a_reject(tmp_path: Path) -> None:
    options = CollectOptions(default_subject(), FAST, gdelt_url="ftp://127.0.0.1/api")
    report = collect([], ["north korea"], tmp_path, options)
    (reject,) = report.rejects
    assert reject["reason"].startswith("GDELT unavailable: not an http(s) URL: 'ftp://127.0.0.1/api?query=north+korea&mode=artlist")


def test_rerun_adds_nothing(runs) -> None:
    into, _, second, _ = runs
    assert second.articles == [] and second.output is None
    assert len(list(into.glob("collected-*.jsonl"))) == 1
    assert second.duplicates == 1  # /news/talks-copy: the same text under another URL


def test_rerun_fetches_only_what_is_new(runs) -> None:
    _, first, second, paths = runs
    pages = {path for path in paths if path.startswith(("/news/", "/files/", "/private/"))}
    # the copy is new; the slow page timed out (a failure that may pass), so it is tried again
    assert pages == {"/news/talks-copy", "/news/slow"}
    # every listed item but the slow page (/news/talks once per feed), and the French entry GDELT listed
    assert second.seen_before == (first.listed - 1) + 1


def test_build_reads_the_collected_folder(runs) -> None:
    into, first, _, _ = runs
    assert discover([into]) == [first.output]  # neither the state nor the rejects are read as corpus
    result = ingest([into])
    assert len(result.articles) == 4 and result.rejects == []
    assert {article.article_id for article in result.articles} == {record["id"] for record in first.articles}


# --- the fetcher --------------------------------------------------------------------------


def test_page_over_the_size_limit_is_refused(site: HTTPServer) -> None:
    fetcher = Fetcher(FetchOptions(timeout=1, delay=0, retries=0, max_bytes=100_000))
    with pytest.raises(FetchError, match=r"too large \(over 100,000 bytes\)"):
        fetcher.get(site.url_for("/limits/big"), HTML_TYPES)


def test_gzip_body_is_decompressed(site: HTTPServer) -> None:
    assert "Pyongyang ✓" in Fetcher(FAST).get(site.url_for("/limits/gzipped"), HTML_TYPES).data.decode("utf-8")


def test_gzip_body_is_limited_once_decompressed(site: HTTPServer) -> None:
    fetcher = Fetcher(FetchOptions(timeout=1, delay=0, retries=0, max_bytes=100_000))
    with pytest.raises(FetchError, match="once decompressed"):
        fetcher.get(site.url_for("/limits/bomb"), HTML_TYPES)


def test_a_trickling_page_meets_the_time_limit(site: HTTPServer) -> None:
    fetcher = Fetcher(FetchOptions(timeout=1, total_timeout=0.5, delay=0, retries=0))
    with pytest.raises(FetchError, match=r"timed out \(the response took over 0.5 s\)"):
        fetcher.get(site.url_for("/limits/trickle"), HTML_TYPES)


def test_gdelt_is_asked_at_most_once_per_pause(site: HTTPServer, tmp_path: Path) -> None:
    time = _FakeTime()
    fetcher = Fetcher(FetchOptions(timeout=1, delay=0, retries=0), sleep=time.sleep, clock=time.clock)
    options = CollectOptions(compile_subject("nothing matches this", "--match"), gdelt_url=site.url_for("/api/v2/doc/doc"), gdelt_pause=5)
    collect([], ["one", "two"], tmp_path, options, fetcher=fetcher)
    assert time.slept[:1] == [5.0]  # the second query five seconds after the first


def test_links_with_spaces_and_hangul_are_percent_encoded(other_site: HTTPServer) -> None:
    other_site.expect_request("/뉴스/a b").respond_with_data("ok")
    assert Fetcher(FAST).get(other_site.url_for("/뉴스/a b"), robots=False).data == b"ok"
    (request, _), = other_site.log
    assert request.environ["RAW_URI"] == "/%EB%89%B4%EC%8A%A4/a%20b"


def test_a_link_that_would_split_the_request_line_stays_one_path(other_site: HTTPServer) -> None:
    other_site.expect_request("/aX-Injected: 1").respond_with_data("ok")  # line breaks are dropped, as browsers do
    assert Fetcher(FAST).get(other_site.url_for("/a\r\nX-Injected: 1"), robots=False).data == b"ok"
    (request, _), = other_site.log
    assert "X-Injected" not in request.headers


def test_redirects_are_bounded(site: HTTPServer) -> None:
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        Fetcher(FAST).get(site.url_for("/limits/loop"))


def test_redirect_to_a_local_file_is_refused(site: HTTPServer) -> None:
    with pytest.raises(FetchError, match="not an http"):
        Fetcher(FAST).get(site.url_for("/limits/to-file"))


def test_user_agent_names_the_project_and_contact(site: HTTPServer) -> None:
    before = len(site.log)
    Fetcher(FAST).get(site.url_for("/feeds/atom.xml"))
    agents = {request.headers.get("User-Agent") for request, _ in site.log[before:]}
    assert agents == {FAST.user_agent}
    assert "PeninsulaWatch" in FAST.user_agent and "tests@example.invalid" in FAST.user_agent


def test_retries_honour_retry_after_within_bounds(other_site: HTTPServer) -> None:
    other_site.expect_oneshot_request("/flaky").respond_with_data("busy", status=503, headers={"Retry-After": "7"})
    other_site.expect_oneshot_request("/flaky").respond_with_data("busy", status=429, headers={"Retry-After": "600"})
    other_site.expect_request("/flaky").respond_with_data("ok", content_type="text/plain")
    slept: list[float] = []
    options = FetchOptions(timeout=1, delay=0, retries=2, backoff=0, max_retry_after=60)
    response = Fetcher(options, sleep=slept.append).get(other_site.url_for("/flaky"), robots=False)
    assert response.data == b"ok"
    assert slept == [7, 60]


def test_retries_are_bounded_and_the_failure_transient(other_site: HTTPServer) -> None:
    other_site.expect_request("/down").respond_with_data("down", status=502)
    slept: list[float] = []
    with pytest.raises(FetchError, match="HTTP error 502") as caught:
        Fetcher(FetchOptions(timeout=1, delay=0, retries=2, backoff=1.5), sleep=slept.append).get(other_site.url_for("/down"), robots=False)
    assert caught.value.transient
    assert slept == [1.5, 3.0]  # doubling back-off, two retries, then give up


class _FakeTime:
    """A clock that moves only when the fetcher sleeps, so pauses can be checked exactly and take no time."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def test_one_host_is_asked_at_most_once_per_delay(site: HTTPServer) -> None:
    time = _FakeTime()
    fetcher = Fetcher(FetchOptions(timeout=1, delay=2.0, retries=0), sleep=time.sleep, clock=time.clock)
    fetcher.get(site.url_for("/feeds/atom.xml"))
    fetcher.get(site.url_for("/feeds/rss.xml"))
    assert time.slept == [2.0, 2.0]  # robots.txt, then each feed two seconds after the last request


def test_crawl_delay_lengthens_the_pause(other_site: HTTPServer) -> None:
    other_site.expect_request("/robots.txt").respond_with_data("User-agent: *\nCrawl-delay: 5\n", content_type="text/plain")
    other_site.expect_request("/a").respond_with_data("a")
    time = _FakeTime()
    Fetcher(FetchOptions(timeout=1, delay=0, retries=0), sleep=time.sleep, clock=time.clock).get(other_site.url_for("/a"))
    assert time.slept == [5.0]


def test_robots_rules_for_the_project_agent(other_site: HTTPServer) -> None:
    other_site.expect_request("/robots.txt").respond_with_data(
        "User-agent: PeninsulaWatch\nDisallow: /\n\nUser-agent: *\nAllow: /\n", content_type="text/plain")
    other_site.expect_request("/a").respond_with_data("a")
    with pytest.raises(FetchError, match="disallowed by robots.txt"):
        Fetcher(FAST).get(other_site.url_for("/a"))


def test_unreadable_robots_txt_skips_the_host_for_this_run(other_site: HTTPServer) -> None:
    other_site.expect_request("/robots.txt").respond_with_data("oops", status=503)
    other_site.expect_request("/a").respond_with_data("a")
    with pytest.raises(FetchError, match="robots.txt of .* could not be read") as caught:
        Fetcher(FAST).get(other_site.url_for("/a"))
    assert caught.value.transient
    assert all(request.path == "/robots.txt" for request, _ in other_site.log)


def test_missing_robots_txt_allows_everything(other_site: HTTPServer) -> None:
    other_site.expect_request("/robots.txt").respond_with_data("none", status=404)
    other_site.expect_request("/a").respond_with_data("a")
    assert Fetcher(FAST).get(other_site.url_for("/a")).data == b"a"


# --- listings, subject, feeds file ----------------------------------------------------------


def test_feed_links_are_made_absolute_and_only_http_kept() -> None:
    data = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            b"<item><title>a</title><link>/news/a</link></item><item><title>b</title><link>file:///etc/passwd</link></item>"
            b"<item><title>c</title><link>javascript:alert(1)</link></item></channel></rss>")
    items = feed_items(data, Feed("http://127.0.0.1:9/feed.xml"), "http://127.0.0.1:9/feed.xml", "application/rss+xml")
    assert [item.url for item in items] == ["http://127.0.0.1:9/news/a"]


def _rss_with_doctype(doctype: str, title: str) -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE rss [{doctype}]><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>http://127.0.0.1:9/a</link></item></channel></rss>").encode()


def test_a_feed_entity_bomb_is_not_expanded() -> None:
    entities = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{level} "{f"&a{level - 1};" * 10}">' for level in range(1, 10))
    items = feed_items(_rss_with_doctype(entities, "&a9;"), Feed("http://127.0.0.1:9/f"), "http://127.0.0.1:9/f", "application/rss+xml")
    assert [item.url for item in items] == ["http://127.0.0.1:9/a"] and len(items[0].title) < 100


def test_a_feed_cannot_read_local_files_through_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("local-secret-42", encoding="utf-8")
    doctype = f'<!ENTITY x SYSTEM "{secret.as_uri()}">'
    items = feed_items(_rss_with_doctype(doctype, "x&x;y"), Feed("http://127.0.0.1:9/f"), "http://127.0.0.1:9/f", "application/rss+xml")
    assert [item.url for item in items] == ["http://127.0.0.1:9/a"] and "local-secret" not in items[0].title


def test_a_web_page_is_not_a_feed() -> None:
    with pytest.raises(Rejected, match="not an RSS or Atom feed"):
        feed_items(b"<html><body><p>hello</p></body></html>", Feed("http://x.invalid/f"), "http://x.invalid/f", "text/html")


def test_gdelt_request_has_the_documented_parameters() -> None:
    url = gdelt_request("http://127.0.0.1:9/api/v2/doc/doc", "kim jong un", 50, "1d")
    assert url == "http://127.0.0.1:9/api/v2/doc/doc?query=kim+jong+un&mode=artlist&format=json&maxrecords=50&timespan=1d&sort=datedesc"


def test_gdelt_error_text_is_a_reject_not_a_crash() -> None:
    with pytest.raises(Rejected, match="GDELT answer is not JSON: 'The specified phrase is too short.'"):
        gdelt_items(b"The specified phrase is too short.", "kim", None)


def test_url_key_ignores_case_fragment_port_and_tracking() -> None:
    assert url_key("HTTPS://Example.org:443/a?utm_source=x&id=3#top") == "https://example.org/a?id=3"
    assert url_key("http://example.org") == "http://example.org/"
    assert url_key("http://example.org:8080/a") != url_key("http://example.org/a")


@pytest.mark.parametrize("text", ["Kim Jong Un spoke", "kim jong-un spoke", "the DPRK said", "North Korean troops", "Choe Son Hui met"])
def test_default_subject_finds_terms_and_gazetteer_names(text: str) -> None:
    assert default_subject().matches(text)


@pytest.mark.parametrize("text", ["South Korea's exports rose", "Kim Kardashian", "a korean restaurant"])
def test_default_subject_is_not_any_mention_of_korea(text: str) -> None:
    assert not default_subject().matches(text)


def test_user_pattern_is_re2_and_case_insensitive() -> None:
    assert compile_subject("nuclear (talks|deal)", "--match").matches("NUCLEAR TALKS")
    with pytest.raises(CollectError, match=r"--match: not a valid pattern .*RE2"):
        compile_subject(r"(a)\1", "--match")  # backreferences are not linear time


def test_feeds_file_with_names_and_matches(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('match = "sanctions"\n[[feed]]\nurl = "https://example.org/rss"\nname = "Example"\n'
                    '[[feed]]\nurl = "https://example.org/atom"\nmatch = "envoy"\n', encoding="utf-8")
    feeds, subject = read_feeds_file(path)
    assert [(feed.url, feed.name) for feed in feeds] == [("https://example.org/rss", "Example"), ("https://example.org/atom", "")]
    assert subject.matches("new Sanctions") and feeds[0].subject is None and feeds[1].subject.matches("the envoy")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[feed]\nurl = "x"\n', r"not valid TOML: .*line 1"),
        ('[[feed]]\nurl = "ftp://example.org/f"\n', r"feed 1: url must be an http\(s\) address"),
        ('[[feed]]\nurl = "https://example.org/f"\nmatch = "(x"\n', r"feed 1: match: not a valid pattern"),
        ('[[feed]]\nurl = "https://example.org/f"\nlink = "y"\n', r"feed 1: unknown key 'link'"),
        ('feeds = []\n', r"unknown setting 'feeds'"),
    ],
)
def test_feeds_file_errors_name_the_file_and_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CollectError, match=f"{path}: {message}"):
        read_feeds_file(path)


def test_shipped_feeds_file_suggests_feeds_but_touches_nothing(tmp_path: Path) -> None:
    path = REPO / "data" / "feeds.toml"
    feeds, subject = read_feeds_file(path)
    assert feeds == [] and subject is None  # everything is commented out
    lines = path.read_text(encoding="utf-8").splitlines()
    suggested = [line for line in lines if line.startswith("# url = ")]
    assert len(suggested) >= 5
    uncommented = tmp_path / "feeds.toml"
    uncommented.write_text("\n".join(line[2:] if line.startswith(("# [[feed]]", "# url = ", "# name = ")) else line for line in lines),
                           encoding="utf-8")
    assert len(read_feeds_file(uncommented)[0]) == len(suggested)  # each suggestion is valid once uncommented


# --- the folder, the state, interrupts ------------------------------------------------------


def test_damaged_state_file_is_named_and_nothing_fetched(site: HTTPServer, tmp_path: Path) -> None:
    (tmp_path / STATE_FILE).write_text("{not json", encoding="utf-8")
    before = len(site.log)
    with pytest.raises(CollectError, match=r"\.collect-state\.json: not a collector state file"):
        collect(_feeds(site, "/feeds/atom.xml"), [], tmp_path, _options(site))
    assert len(site.log) == before


def test_one_collect_at_a_time_per_folder(site: HTTPServer, tmp_path: Path) -> None:
    with collect_module._folder_lock(tmp_path):
        with pytest.raises(CollectError, match="another collect .* is writing into"):
            collect(_feeds(site, "/feeds/atom.xml"), [], tmp_path, _options(site))


def test_a_build_folder_is_refused(tmp_path: Path, site: HTTPServer) -> None:
    (tmp_path / "manifest.json").write_text('{"schema_version": 1}', encoding="utf-8")
    with pytest.raises(CollectError, match="is a build's artifact folder"):
        collect(_feeds(site, "/feeds/atom.xml"), [], tmp_path, _options(site))


class _InterruptedFetcher(Fetcher):
    """Raises KeyboardInterrupt at the n-th request for an article page, as Ctrl-C would."""

    def __init__(self, options: FetchOptions, after: int) -> None:
        super().__init__(options)
        self.pages_left = after

    def get(self, url: str, accept: tuple[str, ...] = (), **kwargs) -> object:
        if accept == HTML_TYPES:
            if self.pages_left == 0:
                raise KeyboardInterrupt
            self.pages_left -= 1
        return super().get(url, accept, **kwargs)


def test_an_interrupt_keeps_what_was_collected(site: HTTPServer, tmp_path: Path) -> None:
    feeds = _feeds(site, "/feeds/atom.xml")
    with pytest.raises(KeyboardInterrupt):
        collect(feeds, [], tmp_path, _options(site), fetcher=_InterruptedFetcher(FAST, after=1))
    (written,) = tmp_path.glob("collected-*.jsonl")
    assert [json.loads(line)["url"] for line in written.read_text(encoding="utf-8").splitlines()] == [site.url_for("/news/talks")]
    again = collect(feeds, [], tmp_path, _options(site))
    assert [record["url"] for record in again.articles] == [site.url_for("/news/envoy")]
    assert not list(tmp_path.glob(".tmp-*"))


# --- command line ----------------------------------------------------------------------------


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(["collect", *args], stderr=err, stdout=out)
    return status, out.getvalue(), err.getvalue()


def test_cli_collects_and_summarises(site: HTTPServer, tmp_path: Path) -> None:
    status, out, err = _cli("--feed", site.url_for("/feeds/atom.xml"), "--into", str(tmp_path), "--delay", "0",
                            "--timeout", "0.5", "--backoff", "0", "--contact", "tests@example.invalid", "--quiet")
    assert status == 0, err
    assert out.startswith("collected 2 new articles into ") and "from 2 listed items" in out
    assert err == ""


def test_a_feed_named_twice_is_read_once(site: HTTPServer, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.toml"
    feeds.write_text(f'[[feed]]\nurl = "{site.url_for("/feeds/atom.xml")}"\nname = "Example Wire"\n', encoding="utf-8")
    before = len(site.log)
    status, out, _ = _cli("--feeds", str(feeds), "--feed", site.url_for("/feeds/atom.xml"), "--into", str(tmp_path / "corpus"),
                          "--delay", "0", "--quiet")
    assert status == 0 and "from 2 listed items" in out
    assert [request.path for request, _ in site.log[before:]].count("/feeds/atom.xml") == 1
    (written,) = (tmp_path / "corpus").glob("collected-*.jsonl")
    assert {json.loads(line)["source"] for line in written.read_text(encoding="utf-8").splitlines()} == {"Example Wire"}


def test_cli_match_narrows_and_reports_reasons(site: HTTPServer, tmp_path: Path) -> None:
    status, out, _ = _cli("--feed", site.url_for("/feeds/atom.xml"), "--into", str(tmp_path), "--match", "beijing",
                          "--delay", "0", "--timeout", "0.5", "--quiet")
    assert status == 0
    assert out.startswith("collected 1 new article into ")
    assert f"main reasons for rejects: not about the subject (1); all are listed in {tmp_path / REJECTS_FILE}" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--match", "(x"], "error: --match: not a valid pattern"),
        ([], "error: nothing to collect: no sources given"),
        (["--feeds", str(REPO / "data" / "feeds.toml")], "lists no feeds (uncomment some)"),
        (["--feed", "file:///etc/passwd"], "error: --feed 'file:///etc/passwd': not an http(s) URL"),
    ],
)
def test_cli_refuses_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    if "--match" in args:
        args = [*args, "--feed", "http://127.0.0.1:9/feed.xml"]
    status, out, err = _cli(*args, "--into", str(tmp_path / "corpus"))
    assert status == 1 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "corpus").exists() or not any((tmp_path / "corpus").iterdir())
