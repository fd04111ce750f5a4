"""Benchmark: a newcomer's first look, in a real browser (issue 15 targets: first page <= 3 s, page switch <= 1.5 s).

Usage: python bench/bench_first_look.py [--data DIR] [--runs N] [--floor]

For each run: start `streamlit run app.py` on DIR (default: the committed demo build in
data/processed; pass a fresh build while that one is stale), wait until /_stcore/health answers,
then open "/" in a fresh headless Chromium and time navigation -> "idle with every chart drawn"
(READY_JS of tests/browser). Then click each page of the sidebar navigation in turn and time
the click -> ready. The first run is a cold server (imports, first load of the build); later
runs restart the server, so every run is "the first visit after the server is up". Prints
each time, then the median and worst per step, and whether the targets hold. Only 127.0.0.1
is contacted.

On a shared machine the seconds grow with the load (printed before and after), so each step
also reports the CPU seconds it cost the server (its process tree, from /proc) and Chromium
(all its processes, from the DevTools protocol): work done, nearly independent of the load,
for comparing two versions of the app on a busy machine.

--floor times, the same way, the first page of a minimal app instead (one small st.plotly_chart,
the repository's Streamlit settings): what Streamlit and plotly.js alone cost a fresh browser,
below which no change to this app can bring its first page.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
from tests.browser import CHROMIUM, INSTALL_HINT, QUIET_MS, READY_JS, REPO_DIR, AppServer, launch_options  # noqa: E402

FIRST_PAGE_TARGET_S = 3.0
SWITCH_TARGET_S = 1.5
SWITCHES = ("Leaders", "Tone", "Topics", "Framing", "Compare", "Keywords", "Articles", "About the measures", "Overview")
"""Sidebar entries clicked in this order after the first page (those the build's app lists)."""
VIEWPORT = {"width": 1440, "height": 900}
FLOOR_APP = """import plotly.graph_objects as go
import streamlit as st

st.set_page_config(page_title="floor", layout="wide")
st.title("Floor")
st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))
"""
"""The --floor app: a page and one chart, no data to load."""
LIMIT_MS = 120_000


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its descendants (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # ended meanwhile
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        pending += children.get(current, [])
        try:
            fields = (Path("/proc") / str(current) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def chromium_cpu_s(browser) -> float:
    """CPU seconds used so far by all of Chromium's processes (browser, renderers, GPU, utilities)."""
    session = browser.new_browser_cdp_session()
    try:
        return sum(process["cpuTime"] for process in session.send("SystemInfo.getProcessInfo")["processInfo"])
    finally:
        session.detach()


def wait_ready(page) -> float:
    """Seconds until the page is idle with every chart drawn, minus the quiet time READY_JS waits for."""
    start = time.perf_counter()
    page.wait_for_function(READY_JS, arg=QUIET_MS, polling=20, timeout=LIMIT_MS)
    return time.perf_counter() - start - QUIET_MS / 1000


NEW_TITLE_JS = """(title) => document.querySelector('[data-testid="stMain"] h1')?.textContent.trim() === title"""
"""True once the page switched to shows its title: until then the previous page, still idle, would count as ready
(a switch once measured -0.05 s)."""


Step = tuple[float, float, float]
"""Seconds until ready, server CPU seconds, Chromium CPU seconds."""


def one_run(data_dir: Path, log: Path, app: Path = REPO_DIR / "app.py", switches: tuple[str, ...] = SWITCHES) -> dict[str, Step]:
    """Time and CPU cost of the first page and each switch for one fresh server and one fresh browser."""
    times: dict[str, Step] = {}
    with AppServer(data_dir, log, app=app) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())
        page = browser.new_context(viewport=VIEWPORT).new_page()
        pid = server.process.pid

        def cpu() -> tuple[float, float]:
            return server_cpu_s(pid), chromium_cpu_s(browser)

        before = cpu()
        start = time.perf_counter()
        page.goto(server.base_url + "/")
        seconds = time.perf_counter() - start + wait_ready(page)
        after = cpu()
        times["first page"] = (seconds, after[0] - before[0], after[1] - before[1])
        listed = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
        for title in switches:
            if not any(title in entry for entry in listed):
                continue
            link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title)
            target = urlsplit(link.get_attribute("href") or "").path
            page.evaluate("window.__pwReadySince = undefined")  # READY_JS's quiet time counts from the new page on
            before = cpu()
            start = time.perf_counter()
            link.click()
            page.wait_for_url(lambda url, target=target: urlsplit(url).path == target, timeout=LIMIT_MS)
            page.wait_for_function(NEW_TITLE_JS, arg=title, polling=20, timeout=LIMIT_MS)
            seconds = time.perf_counter() - start + wait_ready(page)
            after = cpu()
            times[title] = (seconds, after[0] - before[0], after[1] - before[1])
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="build to serve (default: data/processed)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--floor", action="store_true", help="time a minimal one-chart app instead (see above)")
    args = parser.parse_args()
    if not CHROMIUM.is_file():
        sys.exit(f"Chromium was not found at {CHROMIUM}: {INSTALL_HINT}")
    if not (args.data / "manifest.json").is_file():
        sys.exit(f"{args.data} holds no build (no manifest.json)")
    runs = []
    print(f"load average before: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory() as work:
        app, switches = REPO_DIR / "app.py", SWITCHES
        if args.floor:
            app, switches = Path(work) / "floor_app.py", ()
            app.write_text(FLOOR_APP)
            shutil.copytree(REPO_DIR / ".streamlit", Path(work) / ".streamlit")
        for number in range(1, args.runs + 1):
            times = one_run(args.data, Path(work) / f"streamlit-{number}.log", app, switches)
            runs.append(times)
            print(f"run {number}: " + ", ".join(f"{step} {seconds:.2f} s" for step, (seconds, _, _) in times.items()), flush=True)
    print(f"load average after: {' '.join(f'{load:.1f}' for load in os.getloadavg())} on {os.cpu_count()} CPUs")
    shown = "a minimal one-chart app (--floor)" if args.floor else args.data
    print(f"\n{shown}: {args.runs} runs, fresh server and browser each (1440x900); CPU = seconds of work (medians)")
    failed = False
    for step in runs[0]:
        steps = [times[step] for times in runs if step in times]
        values = [seconds for seconds, _, _ in steps]
        target = FIRST_PAGE_TARGET_S if step == "first page" else SWITCH_TARGET_S
        verdict = "ok" if max(values) <= target else "OVER"
        failed |= verdict == "OVER"
        server_cpu = statistics.median(cpu for _, cpu, _ in steps)
        browser_cpu = statistics.median(cpu for _, _, cpu in steps)
        print(f"  {step:<22} median {statistics.median(values):5.2f} s  worst {max(values):5.2f} s  (target {target} s: {verdict})"
              f"  CPU server {server_cpu:5.2f} s, Chromium {browser_cpu:5.2f} s")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
