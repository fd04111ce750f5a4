"""Benchmark: the collector's own cost per page, and extraction of the largest page it accepts (issue 17).

Usage: python bench/bench_collect.py [--pages N]

1. A feed of N article pages (default 100) served on 127.0.0.1 with no pause between requests:
   wall seconds for the first run (fetch + extract + write) and for the rerun (the feed only).
   On the web the pause per host (2 s by default) dominates: N pages of one outlet take 2N s.
2. Extraction of a page at the 5 MB limit, three shapes (many paragraphs, deeply nested
   elements, one huge paragraph), each in a fresh process: seconds and peak memory (RSS).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pytest_httpserver import HTTPServer  # noqa: E402

from pipeline.collect import CollectOptions, collect  # noqa: E402
from pipeline.feeds import Feed, Item, Rejected, default_subject, extract_record  # noqa: E402
from pipeline.fetch import FetchOptions  # noqa: E402
from tests.collect_site import HTML, body_text, page, rss  # noqa: E402

SENTENCES = (
    "Negotiators met again in Geneva to discuss a freeze of work at Yongbyon.",
    "Officials in Pyongyang did not comment on the proposal, state media said.",
    "Diplomats described the session as long and frank, with no date set for the next one.",
    "Analysts said both sides want to avoid blame for a breakdown before the winter.",
    "A joint statement is expected only if the working group reports progress.",
)
LIMIT = 5 << 20


def bench_run(pages: int) -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    try:
        server.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n", content_type="text/plain")
        links = []
        for number in range(pages):
            path = f"/news/{number}"
            rotated = SENTENCES[number % 5:] + SENTENCES[: number % 5]
            text = f"Report {number}.\n" + body_text(rotated)
            server.expect_request(path).respond_with_data(page(f"Talks, day {number}", text), content_type=HTML)
            links.append((f"Talks, day {number}", server.url_for(path), "Fri, 10 May 2024 08:00:00 GMT"))
        server.expect_request("/feed.xml").respond_with_data(rss(links), content_type="application/rss+xml")
        options = CollectOptions(default_subject(), FetchOptions(delay=0, timeout=5), max_items=pages)
        with tempfile.TemporaryDirectory() as into:
            for label in ("first run", "rerun"):
                start = time.perf_counter()
                report = collect([Feed(server.url_for("/feed.xml"))], [], Path(into), options)
                seconds = time.perf_counter() - start
                per_page = f", {1000 * seconds / pages:.1f} ms per page" if report.articles else ""
                print(f"{label}: {len(report.articles)} kept, {len(report.rejects)} rejected, {report.seen_before} seen before "
                      f"in {seconds:.2f} s{per_page}")
    finally:
        server.clear()
        server.stop()


def shapes() -> dict[str, str]:
    """Pages just under the size limit."""
    paragraph = "<p>" + " ".join(SENTENCES) + "</p>"
    many = paragraph * (LIMIT // len(paragraph) - 1)
    depth = LIMIT // 20 - 100
    nested = "<div>" * depth + " ".join(SENTENCES) + "</div>" * depth
    huge = "<p>" + (" ".join(SENTENCES) + " ") * (LIMIT // 400) + "</p>"
    return {"many paragraphs": many, "nested elements": nested, "one huge paragraph": huge}


def _extract(name: str, queue: multiprocessing.Queue) -> None:
    html = "<html><head><title>t</title></head><body><article>" + shapes()[name] + "</article></body></html>"
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.process_time()
    try:
        record = extract_record(html, Item("http://127.0.0.1/x", "bench", date=None), "http://127.0.0.1/x", default_subject())
        outcome = f"kept, {len(record['body']):,} characters"
    except Rejected as error:
        outcome = f"rejected: {error}"
    seconds = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    queue.put((len(html), seconds, before, peak, outcome))


def bench_extract() -> None:
    context = multiprocessing.get_context("spawn")
    for name in shapes():
        queue = context.Queue()
        process = context.Process(target=_extract, args=(name, queue))
        process.start()
        size, seconds, before, peak, outcome = queue.get()
        process.join()
        print(f"{name}: {size / 1e6:.1f} MB page, {seconds:.2f} CPU s, peak RSS {peak / 1024:.0f} MB "
              f"(+{(peak - before) / 1024:.0f} MB over the loaded process); {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    bench_run(args.pages)
    bench_extract()


if __name__ == "__main__":
    main()
