"""Benchmark: a newcomer's first look, in a real browser (issue 15 targets: first page <= 3 s, page switch <= 1.5 s).

Usage: python bench/bench_first_look.py [--data DIR] [--runs N]

For each run: start `streamlit run app.py` on DIR (default: the committed demo build in
data/processed; pass a fresh build while that one is stale), wait until /_stcore/health answers,
then open "/" in a fresh headless Chromium and time navigation -> "idle with every chart drawn"
(READY_JS of tests/browser). Then click each page of the sidebar navigation in turn and time
the click -> ready. The first run is a cold server (imports, first load of the build); later
runs restart the server, so every run is "the first visit after the server is up". Prints
each time, then the median and worst per step, and whether the targets hold. Only 127.0.0.1
is contacted.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.config import DEFAULT_DATA_DIR  # noqa: E402
from tests.browser import CHROMIUM, INSTALL_HINT, QUIET_MS, READY_JS, AppServer, launch_options  # noqa: E402

FIRST_PAGE_TARGET_S = 3.0
SWITCH_TARGET_S = 1.5
SWITCHES = ("Leaders", "Tone", "Topics", "Framing", "Compare", "Keywords", "Articles", "About the measures", "Overview")
"""Sidebar entries clicked in this order after the first page (those the build's app lists)."""
VIEWPORT = {"width": 1440, "height": 900}
LIMIT_MS = 120_000


def wait_ready(page) -> float:
    """Seconds until the page is idle with every chart drawn, minus the quiet time READY_JS waits for."""
    start = time.perf_counter()
    page.wait_for_function(READY_JS, arg=QUIET_MS, polling=20, timeout=LIMIT_MS)
    return time.perf_counter() - start - QUIET_MS / 1000


def one_run(data_dir: Path, log: Path) -> dict[str, float]:
    """Times of the first page and each switch for one fresh server and one fresh browser."""
    times: dict[str, float] = {}
    with AppServer(data_dir, log) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        page = browser.new_context(viewport=VIEWPORT).new_page()
        start = time.perf_counter()
        page.goto(server.base_url + "/")
        times["first page"] = time.perf_counter() - start + wait_ready(page)
        listed = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        for title in SWITCHES:
            if not any(title in entry for entry in listed):
                continue
            link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title)
            target = urlsplit(link.get_attribute("href") or "").path
            start = time.perf_counter()
            link.click()
            page.wait_for_url(lambda url, target=target: urlsplit(url).path == target, timeout=LIMIT_MS)
            times[title] = time.perf_counter() - start + wait_ready(page)
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="build to serve (default: data/processed)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"Chromium was not found at {CHROMIUM}: {INSTALL_HINT}")
    if not (args.data / "manifest.json").is_file():
        sys.exit(f"{args.data} holds no build (no manifest.json)")
    runs = []
    with tempfile.TemporaryDirectory() as work:
        for number in range(1, args.runs + 1):
            times = one_run(args.data, Path(work) / f"streamlit-{number}.log")
            runs.append(times)
            print(f"run {number}: " + ", ".join(f"{step} {seconds:.2f} s" for step, seconds in times.items()), flush=True)
    print(f"\n{args.data}: {args.runs} runs, fresh server and browser each (1440x900)")
    failed = False
    for step in runs[0]:
        values = [times[step] for times in runs if step in times]
        target = FIRST_PAGE_TARGET_S if step == "first page" else SWITCH_TARGET_S
        verdict = "ok" if max(values) <= target else "OVER"
        failed |= verdict == "OVER"
        print(f"  {step:<22} median {statistics.median(values):5.2f} s  worst {max(values):5.2f} s  (target {target} s: {verdict})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
