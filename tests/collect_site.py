"""A small news site for the collector tests, served on 127.0.0.1 by pytest-httpserver.

Every text here was written for these tests. `serve_site` registers the feeds, pages,
robots.txt and a GDELT-style API answer; `PAGES` says what each page is meant to test.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SLOW_SECONDS = 1.5  # the slow page answers after this; tests use a timeout well below it

_TALKS = (
    "Envoys from Seoul and Washington met in Geneva on Tuesday to prepare a new round of talks with Pyongyang.",
    "The officials said a working group would meet again next month to discuss a freeze of the Yongbyon site.",
    "Analysts noted that North Korea has not answered the latest offer, but its foreign ministry kept a measured tone.",
    "A spokesperson said the sides agreed that sanctions relief would follow verified steps, not precede them.",
    "Diplomats described the mood as cautious, with neither side willing to name a date for a summit.",
)
_ENVOY = (
    "A senior envoy travelled to Beijing to ask for help in reopening a channel with the DPRK.",
    "Chinese officials listened but made no public promise, according to people briefed on the visit.",
    "The envoy told reporters that patience was needed and that a letter to Kim Jong Un had been delivered.",
    "Observers said the trip showed how far the conversation has moved since the last meeting.",
    "Further visits are planned before the end of the year, the foreign ministry said in a short note.",
)
_SUMMIT = (
    "Preparations for a leaders' meeting at Panmunjom entered a final stage, officials said on Friday.",
    "Security teams toured the venue, and interpreters were chosen from both delegations.",
    "The agenda remains short: a statement on the Korean Peninsula and a plan for family reunions.",
    "Few expect a breakthrough, but both governments say a meeting is better than another year of silence.",
    "Residents near the border said they hoped the talks would lower the tension they live with every day.",
)
_WEATHER = (
    "Heavy rain is expected across the southern coast this weekend, forecasters said on Thursday.",
    "Farmers were advised to bring in the harvest early, and ferry services may be cancelled.",
    "The storm is forecast to weaken as it moves inland, bringing cooler air by Monday.",
    "Schools in low-lying districts will stay open but may shorten the day if roads flood.",
    "Officials urged drivers to avoid mountain passes until the warnings are lifted.",
)
_GDELT_STORY = (
    "Satellite pictures reviewed by researchers show new construction near a North Korean launch site.",
    "The researchers said the work could be routine maintenance or preparation for a test.",
    "Government officials declined to comment on the images but said they watch the area closely.",
    "Experts cautioned against reading too much into a few weeks of pictures taken from orbit.",
    "A fuller report is expected next month, the research group said in a statement.",
)


def body_text(sentences: tuple[str, ...], repeat: int = 3) -> str:
    """Paragraphs of the sentences, each in another order so the page is article-length (about 80 words a paragraph).

    Extractors drop repeated paragraphs, so no two paragraphs are the same.
    """
    return "\n".join(f"Update {turn + 1}. " + " ".join(sentences[turn:] + sentences[:turn]) for turn in range(repeat))


def page(title: str, paragraphs: str, *, date: str | None = "2024-05-10", canonical: str | None = None,
         author: str = "Jane Roe", site: str = "Example Times") -> str:
    """An article page with the usual metadata (a published time only when `date` is given)."""
    meta = [f'<meta property="og:site_name" content="{escape(site)}">', f'<meta name="author" content="{escape(author)}">']
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}T08:00:00Z">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{escape(canonical)}">')
    body = "".join(f"<p>{escape(line)}</p>" for line in paragraphs.split("\n"))
    return (f"<!doctype html><html><head><title>{escape(title)} | {escape(site)}</title>{''.join(meta)}</head>"
            f"<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article><h1>{escape(title)}</h1>{body}</article>"
            "<footer>Example Times, all rights reserved</footer></body></html>")


def rss(items: list[tuple[str, str, str | None]]) -> str:
    """An RSS 2.0 feed of (title, link, pubDate or None) items."""
    entries = "".join(
        f"<item><title>{escape(title)}</title><link>{escape(link)}</link>"
        + (f"<pubDate>{date}</pubDate>" if date else "") + f"<guid>{escape(link)}</guid></item>"
        for title, link, date in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Example Times</title>'
            f"<link>http://example.invalid/</link><description>News</description>{entries}</channel></rss>")


def atom(items: list[tuple[str, str]]) -> str:
    """An Atom feed of (title, link) items."""
    entries = "".join(
        f'<entry><title>{escape(title)}</title><link href="{escape(link)}"/><id>{escape(link)}</id>'
        "<updated>2024-05-11T09:00:00Z</updated></entry>"
        for title, link in items
    )
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Example Wire</title>'
            f'<id>urn:example:wire</id><updated>2024-05-11T09:00:00Z</updated>{entries}</feed>')


# path -> what the page is for; the tests check each one's fate
PAGES = {
    "/news/talks": "kept (listed in both the RSS and the Atom feed)",
    "/news/envoy": "kept (Atom only)",
    "/news/moved": "redirects to /news/summit, kept under the page's canonical URL",
    "/news/weather": "not about the subject",
    "/news/missing": "404",
    "/news/slow": "answers after SLOW_SECONDS",
    "/files/report.pdf": "not HTML",
    "/private/memo": "disallowed by robots.txt",
    "/news/undated": "no date on the page or in the feed",
    "/news/brief": "too short",
    "/news/gdelt-story": "listed by GDELT only, dated by its seendate",
}
HTML = "text/html; charset=utf-8"


@contextmanager
def served_site() -> Iterator[HTTPServer]:
    """The test site on 127.0.0.1 (a free port), threaded so that the slow page holds up nothing else."""
    server = local_server()
    serve_site(server)
    try:
        yield server
    finally:
        server.clear()
        server.stop()


def local_server() -> HTTPServer:
    """A started, empty, threaded server on 127.0.0.1; the caller stops it."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


def serve_site(server: HTTPServer) -> None:
    """Register every route of the test site on `server`."""
    url = server.url_for
    server.expect_request("/robots.txt").respond_with_data("User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.expect_request("/feeds/rss.xml").respond_with_data(rss([
        ("Talks with Pyongyang to resume", url("/news/talks"), "Fri, 10 May 2024 08:00:00 GMT"),
        ("Summit moved", url("/news/moved"), "Fri, 10 May 2024 09:00:00 GMT"),
        ("Rain on the coast", url("/news/weather"), "Fri, 10 May 2024 10:00:00 GMT"),
        ("Gone", url("/news/missing"), "Fri, 10 May 2024 11:00:00 GMT"),
        ("Slow", url("/news/slow"), "Fri, 10 May 2024 12:00:00 GMT"),
        ("Report", url("/files/report.pdf"), "Fri, 10 May 2024 13:00:00 GMT"),
        ("Memo", url("/private/memo"), "Fri, 10 May 2024 14:00:00 GMT"),
        ("Undated", url("/news/undated"), None),
        ("Brief", url("/news/brief"), "Fri, 10 May 2024 15:00:00 GMT"),
    ]), content_type="application/rss+xml")
    server.expect_request("/feeds/atom.xml").respond_with_data(atom([
        ("Talks with Pyongyang to resume", url("/news/talks")),
        ("Envoy in Beijing", url("/news/envoy")),
    ]), content_type="application/atom+xml")
    server.expect_request("/feeds/broken.xml").respond_with_data(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Bro<<ken</title><item><ti', content_type="application/rss+xml")
    server.expect_request("/feeds/gone.xml").respond_with_data("no such feed", status=404, content_type="text/plain")
    server.expect_request("/feeds/copy.xml").respond_with_data(
        rss([("Talks, again", url("/news/talks-copy"), "Fri, 10 May 2024 08:00:00 GMT")]), content_type="application/rss+xml")
    talks = body_text(_TALKS)
    server.expect_request("/news/talks").respond_with_data(
        page("Talks with Pyongyang to resume", talks, canonical=url("/news/talks")), content_type=HTML)
    server.expect_request("/news/talks-copy").respond_with_data(page("Talks with Pyongyang to resume", talks), content_type=HTML)
    server.expect_request("/news/envoy").respond_with_data(
        page("Envoy in Beijing", body_text(_ENVOY), date="2024-05-11"), content_type=HTML)
    server.expect_request("/news/moved").respond_with_data("", status=302, headers={"Location": "/news/summit"})
    server.expect_request("/news/summit").respond_with_data(
        page("Summit preparations", body_text(_SUMMIT), canonical=url("/news/summit")), content_type=HTML)
    server.expect_request("/news/weather").respond_with_data(page("Rain on the coast", body_text(_WEATHER)), content_type=HTML)
    server.expect_request("/news/missing").respond_with_data("not here", status=404, content_type="text/plain")
    server.expect_request("/news/slow").respond_with_handler(_slow)
    server.expect_request("/files/report.pdf").respond_with_data(b"%PDF-1.4 not really", content_type="application/pdf")
    server.expect_request("/private/memo").respond_with_data(page("Memo", body_text(_TALKS)), content_type=HTML)
    server.expect_request("/news/undated").respond_with_data(page("Undated", body_text(_ENVOY), date=None), content_type=HTML)
    server.expect_request("/news/brief").respond_with_data(page("Brief", _TALKS[0]), content_type=HTML)
    server.expect_request("/news/gdelt-story").respond_with_data(
        page("New construction seen", body_text(_GDELT_STORY), date=None), content_type=HTML)
    serve_gdelt(server, server)
    # for the fetcher's own tests
    server.expect_request("/limits/big").respond_with_data(b"<html>" + b"x" * 300_000 + b"</html>", content_type=HTML)
    server.expect_request("/limits/bomb").respond_with_data(
        gzip.compress(b"<html>" + b" " * 2_000_000 + b"</html>"), content_type=HTML, headers={"Content-Encoding": "gzip"})
    server.expect_request("/limits/trickle").respond_with_handler(_trickle)
    server.expect_request("/limits/gzipped").respond_with_data(
        gzip.compress("<html><body><p>Pyongyang ✓</p></body></html>".encode()), content_type=HTML, headers={"Content-Encoding": "gzip"})
    server.expect_request("/limits/loop").respond_with_data("", status=302, headers={"Location": "/limits/loop"})
    server.expect_request("/limits/to-file").respond_with_data("", status=302, headers={"Location": "file:///etc/hostname"})


def serve_gdelt(api: HTTPServer, site: HTTPServer) -> None:
    """A DOC 2.0 `artlist` answer on `api` listing a page of `site` and one in French, in the API's documented format."""
    api.expect_request("/api/v2/doc/doc").respond_with_data(json.dumps({"articles": [
        {"url": site.url_for("/news/gdelt-story"), "url_mobile": "", "title": "New construction seen", "seendate": "20240512T101500Z",
         "socialimage": "", "domain": "127.0.0.1", "language": "English", "sourcecountry": "United States"},
        {"url": site.url_for("/news/en-francais"), "url_mobile": "", "title": "Un article", "seendate": "20240512T111500Z",
         "socialimage": "", "domain": "127.0.0.1", "language": "French", "sourcecountry": "France"},
    ]}), content_type="application/json")


def _slow(request: Request) -> Response:
    time.sleep(SLOW_SECONDS)
    return Response(page("Slow", body_text(_TALKS)), content_type=HTML)


def _trickle(request: Request) -> Response:
    """A page sent ten bytes at a time, 0.2 s apart: each read is quick, the whole takes four seconds."""

    def chunks() -> Iterator[bytes]:
        for _ in range(20):
            time.sleep(0.2)
            yield b"<p>slowly</p>"

    return Response(chunks(), content_type=HTML)
