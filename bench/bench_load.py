"""Benchmark: many people opening shared links at once on the 18,931-story KCNA 2011-2012 build.

Usage: python bench/bench_load.py [--data DIR] [--contexts N] [--waves W] [--seed S]

Builds the corpus (into data/builds/bench-kcna-2011-2012, reused while its build id is
current) unless --data names a build, starts `streamlit run app.py` on 127.0.0.1, warms
it with one page, then opens N browser contexts at once in one headless Chromium (async
Playwright), each on a different shared link (pages, date ranges and leaders vary), W
times. Prints, per wave: the time from navigation to "idle with every chart drawn"
(median, 95th percentile, max), how long the first script run took as the browser saw
it (the server's share), the server's CPU time per page, the pages with errors
(exception or error box, script error, dialog, timeout: must be zero; the exit code is
1 otherwise) and the server's peak memory (RSS of the server and its children, polled
from /proc). The browsers run on the same 2 cores as the server, so "charts drawn"
includes the clients' own work (parsing plotly.js, drawing): with 20 contexts that
dominates. Only 127.0.0.1 is contacted; each page has a time limit and the run ends by
itself.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pandas as pd
from playwright.async_api import Browser, Dialog, async_playwright
from playwright.async_api import Error as PlaywrightError

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.build import BuildOptions, build, expected_build_id  # noqa: E402
from tests.browser import CHROMIUM, INSTALL_HINT, QUIET_MS, READY_JS, AppServer, launch_options  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "kcna_2011_2012.jsonl.gz"
DEFAULT_BUILD_DIR = REPO / "data" / "builds" / "bench-kcna-2011-2012"
CHART_VIEWS = ("overview", "leaders", "tone", "topics", "framing", "keywords", "compare")
"""Pages that draw charts, linked to when their file exists in pages/ (Overview is the default page, at "/")."""
PAGE_LIMIT_S = 180
POLL_S = 0.1
VIEWPORT = {"width": 1400, "height": 1000}
SCRIPT_TIMES_JS = """new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const state = app && app.getAttribute('data-test-script-state');
  if (window.__pwScriptStart === undefined && state === 'running') window.__pwScriptStart = performance.now();
  if (window.__pwScriptStart !== undefined && window.__pwScriptDone === undefined && state === 'notRunning'
      && document.querySelector('[data-testid="stMain"] h1')) window.__pwScriptDone = performance.now();
}).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-test-script-state']});"""
"""Notes (ms from navigation) when the app's first script run started and when it finished having shown its title."""


@dataclass
class Visit:
    """One context's page load."""

    link: str
    seconds: float | None = None
    """Navigation -> idle with every chart drawn."""
    script_seconds: float | None = None
    """How long the first script run took, as the browser saw it (start -> finish): the server's share."""
    charts: int = 0
    errors: list[str] = field(default_factory=list)


def ensure_build(data_dir: Path | None) -> Path:
    """The build to serve: --data as given, else the bench build, rebuilt when its id is stale."""
    if data_dir is not None:
        if not (data_dir / "manifest.json").is_file():
            sys.exit(f"{data_dir} holds no build (no manifest.json)")
        return data_dir
    if not CORPUS.is_file():
        sys.exit(f"the corpus is expected at {CORPUS}")
    manifest = DEFAULT_BUILD_DIR / "manifest.json"
    wanted = expected_build_id([CORPUS])
    if manifest.is_file() and json.loads(manifest.read_text()).get("build_id") == wanted:
        print(f"reusing the build in {DEFAULT_BUILD_DIR} (build id {wanted})")
        return DEFAULT_BUILD_DIR
    print(f"building {CORPUS.name} into {DEFAULT_BUILD_DIR} ...", flush=True)
    started = time.perf_counter()
    report = build([CORPUS], DEFAULT_BUILD_DIR, BuildOptions())
    print(f"built {report.manifest['ingested']:,} articles in {time.perf_counter() - started:.0f} s")
    return DEFAULT_BUILD_DIR


def shared_links(data_dir: Path, count: int, seed: int) -> list[str]:
    """`count` different links: pages in turn, random date ranges of 1 to 12 months, 0 to 3 of the most mentioned leaders."""
    dates = pd.to_datetime(pd.read_parquet(data_dir / "articles.parquet", columns=["date"])["date"])
    first, last = dates.min().date(), dates.max().date()
    mentions = pd.read_parquet(data_dir / "mentions.parquet", columns=["actor_id", "count"])
    top_leaders = mentions.groupby("actor_id", observed=True)["count"].sum().nlargest(6).index.astype(str).tolist()
    views = ["" if view == "overview" else view for view in CHART_VIEWS if (REPO / "pages" / f"{view}.py").is_file()]
    rng = random.Random(seed)
    links: list[str] = []
    while len(links) < count:
        start = first + timedelta(days=rng.randrange(max((last - first).days - 30, 1)))
        end = min(start + timedelta(days=rng.randint(30, 365)), last)
        leaders = rng.sample(top_leaders, rng.randint(0, min(3, len(top_leaders))))
        query = f"start={start}&end={end}" + "".join(f"&leader={leader}" for leader in leaders)
        link = f"/{views[len(links) % len(views)]}?{query}"
        if link not in links:
            links.append(link)
    return links


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent and child not in family]
        family.update(children)
        frontier.extend(children)
    total = 0
    for member in family:
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class MemoryPoller:
    """Samples a process tree's RSS every POLL_S seconds in a thread: (monotonic time, bytes)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), tree_rss_bytes(self.pid)))
            self._stop.wait(POLL_S)

    def peak(self, since: float = 0.0, until: float = float("inf")) -> int:
        """The highest sample taken in [since, until]."""
        return max((rss for at, rss in self.samples if since <= at <= until), default=0)

    def __enter__(self) -> MemoryPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()


async def visit(browser: Browser, base_url: str, link: str) -> Visit:
    """Open one link in a new context; time navigation -> idle with charts drawn; collect any error."""
    result = Visit(link)
    context = await browser.new_context(viewport=VIEWPORT)
    try:
        await context.add_init_script(SCRIPT_TIMES_JS)
        page = await context.new_page()
        page.on("pageerror", lambda error: result.errors.append(f"script error: {error}"))

        async def dismiss(dialog: Dialog) -> None:
            result.errors.append(f"dialog: {dialog.message}")
            await dialog.dismiss()

        page.on("dialog", dismiss)
        await page.goto(base_url + link, timeout=PAGE_LIMIT_S * 1000)
        await page.wait_for_function(READY_JS, arg=QUIET_MS, polling=50, timeout=PAGE_LIMIT_S * 1000)
        # performance.now() counts from the navigation's start; READY_JS noted when the final idle stretch began.
        ready_ms, script_ms = await page.evaluate("[window.__pwReadySince, (window.__pwScriptDone - window.__pwScriptStart) || null]")
        result.seconds, result.script_seconds = ready_ms / 1000, script_ms / 1000 if script_ms is not None else None
        result.charts = await page.locator('[data-testid="stPlotlyChart"]').count()
        boxes = await page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
        result.errors.extend(f"error box: {text[:200]}" for text in boxes)
    except PlaywrightError as error:
        result.errors.append(f"{type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()
    return result


@dataclass
class Wave:
    """All links opened at once: the visits and when the wave ran (monotonic seconds)."""

    visits: list[Visit]
    started: float
    ended: float
    server_cpu_seconds: float


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_waves(base_url: str, server_pid: int, links: list[str], waves: int) -> list[Wave]:
    """Warm the server with one page, then open all links at once, `waves` times."""
    results = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**launch_options())
        warm = await visit(browser, base_url, "/")
        print(f"warm-up (first page of a fresh server, loads the build): {warm.seconds or float('nan'):.1f} s"
              + (f", errors: {warm.errors}" if warm.errors else ""))
        for _ in range(waves):
            started, cpu_before = time.monotonic(), cpu_seconds(server_pid)
            visits = await asyncio.gather(*(visit(browser, base_url, link) for link in links))
            results.append(Wave(list(visits), started, time.monotonic(), cpu_seconds(server_pid) - cpu_before))
        await browser.close()
    return results


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def report(number: int, wave: Wave, peak_bytes: int) -> int:
    """Print one wave's figures; return its number of pages with errors."""
    visits = wave.visits
    ok = [visit for visit in visits if visit.seconds is not None and not visit.errors]
    failed = [visit for visit in visits if visit not in ok]
    print(f"wave {number}: {len(visits)} contexts at once, {wave.ended - wave.started:.1f} s wall, errors {len(failed)}, "
          f"server CPU {wave.server_cpu_seconds:.1f} s ({wave.server_cpu_seconds / len(visits):.2f} s per page), "
          f"server peak RSS {peak_bytes / 2**20:,.0f} MiB")
    for label, values in (("charts drawn", [visit.seconds for visit in ok]),
                          ("script run", [visit.script_seconds for visit in ok if visit.script_seconds is not None])):
        if values:
            print(f"  {label:<16} median {statistics.median(values):5.1f} s, p95 {percentile(values, 0.95):5.1f} s, max {max(values):5.1f} s")
    for visit in failed:
        print(f"  ERROR {visit.link}: {'; '.join(visit.errors) or 'not ready'}")
    return len(failed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, help="an existing build to serve (default: build the KCNA 2011-2012 corpus)")
    parser.add_argument("--contexts", type=int, default=20, help="browser contexts opened at once (default 20)")
    parser.add_argument("--waves", type=int, default=2, help="how many times all contexts are opened (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random links")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"Chromium was not found at {CHROMIUM}: {INSTALL_HINT}")
    data_dir = ensure_build(args.data.resolve() if args.data else None)
    n_articles = len(pd.read_parquet(data_dir / "articles.parquet", columns=["article_id"]))
    links = shared_links(data_dir, args.contexts, args.seed)
    print(f"serving {data_dir} ({n_articles:,} articles); {len(links)} links per wave, e.g. {links[0]}")

    with tempfile.TemporaryDirectory() as work, AppServer(data_dir, Path(work) / "streamlit.log") as server:
        idle_bytes = tree_rss_bytes(server.process.pid)
        with MemoryPoller(server.process.pid) as memory:
            waves = asyncio.run(run_waves(server.base_url, server.process.pid, links, args.waves))
        print(f"server RSS at start {idle_bytes / 2**20:,.0f} MiB")
        errors = sum(report(number, wave, memory.peak(wave.started, wave.ended)) for number, wave in enumerate(waves, start=1))
        print(f"server peak RSS over the whole run (warm-up included): {memory.peak() / 2**20:,.0f} MiB")
    if errors:
        sys.exit(f"{errors} page loads failed")


if __name__ == "__main__":
    main()
