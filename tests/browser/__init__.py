"""What the browser tests and the load benchmark share: the app server, Chromium, "the page is ready".

- `AppServer` runs `streamlit run app.py` on a free 127.0.0.1 port in its own process
  group (so stopping it also ends any child), with $PENINSULA_WATCH_DATA set.
- `CHROMIUM` and `launch_options()` launch Debian's Chromium through Playwright (Playwright
  cannot download its own browsers here).
- `READY_JS` is the one definition of "Streamlit is idle and every chart is drawn", used
  with `page.wait_for_function(READY_JS, arg=QUIET_MS)` instead of fixed sleeps.
- `AppPage` drives one page of the app in the sync API (reads widgets, changes filters,
  selects rows, clicks chart bars), so the tests read as user stories.
- `LINK` is the shared link most tests open; `matching_article_ids` computes, from the
  Parquet files and independently of the app's code, which articles a filter selects.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from playwright.sync_api import Dialog, Locator, Page

from tests.dashboard.artifact_factory import ACTORS as FACTORY_ACTORS

REPO_DIR = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("PENINSULA_WATCH_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")
INSTALL_HINT = "install Debian's Chromium with `apt-get install chromium` (Playwright cannot download browsers here)"
SERVER_START_TIMEOUT_S = 90
PAGE_TIMEOUT_MS = 60_000
"""Generous: on a busy 2-core machine parsing plotly.js alone can take several seconds."""
GRID_ROW_PX = 35
"""Height of st.dataframe's header and rows (its default), and width of its row-selection column."""
QUIET_MS = 300
"""How long the page must stay idle before it counts as ready (a rerun can follow the first within a few ms)."""

LINK_START, LINK_END = date(2018, 3, 1), date(2019, 6, 30)
LINK_LEADERS = ("kim-jong-un", "donald-trump")
LINK = f"?start={LINK_START}&end={LINK_END}&leader={','.join(LINK_LEADERS)}"
"""The shared link the tests open on the factory build: a date range inside its 2018-2019 span and two leaders,
comma-separated as in a hand-written link (the app rewrites them as repeated keys)."""

LEADER_NAMES = {actor_id: name for actor_id, name, *_ in FACTORY_ACTORS}
"""actor_id -> the name the app displays, for the factory build's actors."""

READY_JS = """(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const busy = !app
    || app.getAttribute('data-test-script-state') !== 'notRunning'
    || app.getAttribute('data-test-connection-state') !== 'CONNECTED'
    || document.querySelector('[data-testid="stStatusWidget"], [data-stale="true"], [data-testid="stSkeleton"]') !== null
    || [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].some((chart) => !chart.querySelector('.js-plotly-plot .main-svg'));
  if (busy) { window.__pwReadySince = undefined; return false; }
  window.__pwReadySince = window.__pwReadySince ?? performance.now();
  return performance.now() - window.__pwReadySince >= quietMs;
}"""
"""True once the script is not running, the websocket is connected, no element is stale or a skeleton,
every plotly chart has drawn its SVG, and all of that has held for `quietMs` milliseconds."""


def launch_options() -> dict[str, Any]:
    """Keyword arguments for `playwright.chromium.launch` (sync or async)."""
    return {"executable_path": str(CHROMIUM), "headless": True, "args": list(CHROMIUM_ARGS)}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class AppServer:
    """`streamlit run app.py` (or another `app` file, run from its folder) on 127.0.0.1 for one artifact folder; a context manager.

    The server's output goes to `log_path` (quoted when it fails to start). File watching
    is off: an edit elsewhere in the repository must not rerun the app under a test or
    show a "file changed" status. `stop()` ends the whole process group: SIGTERM, then
    SIGKILL after a few seconds.
    """

    def __init__(self, data_dir: Path, log_path: Path, events_path: Path | None = None, port: int | None = None,
                 app: Path = REPO_DIR / "app.py") -> None:
        self.data_dir, self.log_path, self.events_path, self.app = Path(data_dir), Path(log_path), events_path, Path(app)
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> AppServer:
        """Start the server and wait until /_stcore/health answers; raise RuntimeError with the log if it does not."""
        env = {**os.environ, "PENINSULA_WATCH_DATA": str(self.data_dir)}
        if self.events_path is not None:
            env["PENINSULA_WATCH_EVENTS"] = str(self.events_path)
        command = [
            sys.executable, "-m", "streamlit", "run", self.app.name, "--server.headless", "true", "--server.port", str(self.port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
        ]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=self.app.parent, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}:\n{self.log_tail()}")
            if self._healthy():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"streamlit did not answer on {self.base_url}/_stcore/health within {SERVER_START_TIMEOUT_S} s:\n{self.log_tail()}")

    def _healthy(self) -> bool:
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy from the environment
        try:
            with direct.open(f"{self.base_url}/_stcore/health", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the server's output."""
        if not self.log_path.is_file():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """End the server's process group (idempotent)."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait_s in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> AppServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def matching_article_ids(build_dir: Path, start: date | None = None, end: date | None = None, leaders: Iterable[str] = ()) -> set[str]:
    """The ids of the articles a date range (inclusive days) and a leader filter (mentions ANY) select,
    read from the build's Parquet files with plain pandas."""
    articles = pd.read_parquet(Path(build_dir) / "articles.parquet", columns=["article_id", "date"])
    days = pd.to_datetime(articles["date"]).dt.normalize()
    keep = pd.Series(True, index=articles.index)
    if start is not None:
        keep &= days >= pd.Timestamp(start)
    if end is not None:
        keep &= days <= pd.Timestamp(end)
    leaders = list(leaders)
    if leaders:
        mentions = pd.read_parquet(Path(build_dir) / "mentions.parquet", columns=["article_id", "actor_id"])
        keep &= articles["article_id"].isin(mentions.loc[mentions["actor_id"].isin(leaders), "article_id"])
    return set(articles.loc[keep, "article_id"].astype(str))


class AppPage:
    """One browser page of the app, with the reads and actions a user makes."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page, self.base_url = page, base_url
        self.dialogs: list[str] = []
        """Messages of every alert/confirm/prompt the page opened (each is dismissed): corpus text must never open one."""
        self.script_errors: list[str] = []
        """Uncaught JavaScript exceptions in the page."""
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.on("dialog", self._dismiss_dialog)
        page.on("pageerror", lambda error: self.script_errors.append(str(error)))

    def _dismiss_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    # --- navigation and waiting ---------------------------------------------------------

    def open(self, path_and_query: str) -> AppPage:
        """Load a link of the app (a full page load: a new Streamlit session) and wait until it is ready."""
        self.page.goto(self.base_url + path_and_query)
        return self.wait_ready()

    def wait_ready(self) -> AppPage:
        """Wait until Streamlit is idle and every chart is drawn (see READY_JS)."""
        self.page.wait_for_function(READY_JS, arg=QUIET_MS, polling=50, timeout=PAGE_TIMEOUT_MS)
        return self

    def wait_for_link(self, check: Callable[[str, dict[str, list[str]]], bool]) -> AppPage:
        """Wait until check(path, params) holds for the page's URL, then until the page is ready."""
        self.page.wait_for_url(lambda url: check(urlsplit(url).path, parse_qs(urlsplit(url).query)), timeout=PAGE_TIMEOUT_MS)
        return self.wait_ready()

    def wait_for_params(self, path: str | None = None, **expected: list[str] | None) -> AppPage:
        """Wait until the URL has this path (when given) and these parameters (None: absent), then until ready."""
        return self.wait_for_link(
            lambda url_path, params: (path is None or url_path == path) and all(params.get(name) == values for name, values in expected.items())
        )

    @property
    def path(self) -> str:
        return urlsplit(self.page.url).path

    @property
    def params(self) -> dict[str, list[str]]:
        """The URL's query parameters, each as the list of its values in order."""
        return parse_qs(urlsplit(self.page.url).query)

    @property
    def link(self) -> str:
        """The current path and query, to open elsewhere."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # --- what the page shows -----------------------------------------------------------

    def problems(self) -> list[str]:
        """Exception boxes, error alerts, dialogs and uncaught script errors so far (warnings are not problems)."""
        boxes = self.page.locator('[data-testid="stException"], [data-testid="stAlertContentError"]').all_inner_texts()
        return [f"error box: {text}" for text in boxes] + [f"dialog {text}" for text in self.dialogs] + [
            f"script error: {text}" for text in self.script_errors
        ]

    def notices(self) -> list[str]:
        """Texts of warning alerts (the app's notices about ignored URL values)."""
        return self.page.locator('[data-testid="stAlertContentWarning"]').all_inner_texts()

    def title(self) -> str:
        return self.page.locator('[data-testid="stMain"] h1').first.inner_text().strip()

    def date_value(self, label: str) -> str:
        """The ISO date a sidebar date input ("From", "To") holds."""
        return self._sidebar_widget("stDateInput", label).locator('input[type="date"]').input_value()

    def chips(self, label: str) -> list[str]:
        """The chosen options of a sidebar multiselect, as displayed, in order."""
        tags = self._sidebar_widget("stMultiSelect", label).locator("[data-tag]")
        return [tag.get_attribute("aria-label") or "" for tag in tags.all()]

    def metric(self, label: str) -> str:
        """The value of an st.metric."""
        metric = self.page.locator('[data-testid="stMetric"]').filter(has=self.page.get_by_text(label, exact=True))
        return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def charts(self) -> list[list[dict[str, Any]]]:
        """The plotly traces (type, name, x, y, customdata) of every chart on the page, top to bottom."""
        # Plotly keeps numeric arrays sent as base64 in `_inputArray` (a typed array).
        return self.page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').evaluate_all(
            """plots => {
              const values = (v) => v == null ? null : Array.from(v._inputArray ?? v);
              return plots.map(gd => gd.data.map(t => ({type: t.type, name: t.name ?? null, x: values(t.x), y: values(t.y),
                                                        customdata: values(t.customdata)})));
            }"""
        )

    def table_rows(self, index: int = 0) -> list[dict[str, str]]:
        """The rows of the index-th st.dataframe that are drawn (it renders only those in view), as {column header: cell text}.

        Read from the grid's accessible table, which holds the same texts as its canvas.
        """
        grid_rows = self._table(index).locator("table [role=row]")
        grid_rows.first.wait_for(state="attached")  # the grid fills its accessible table after its first draw
        header, *rows = grid_rows.evaluate_all("rows => rows.map(row => [...row.children].map(cell => cell.innerText))")
        return [dict(zip(header, row, strict=True)) for row in rows]

    def article_header(self) -> str:
        """The title line of the opened article's breakdown."""
        return self.page.locator('[data-testid="stHtml"] h3').first.inner_text().strip()

    def article_text(self) -> str:
        """The opened article's annotated text."""
        return self.page.locator('[data-testid="stHtml"] .pw-article').first.inner_text().strip()

    # --- what a user does --------------------------------------------------------------

    def remove_chip(self, name: str) -> None:
        self.page.get_by_role("button", name=f"Remove {name}", exact=True).click()

    def type_date(self, label: str, day: date) -> None:
        """Type a date into a sidebar date input segment by segment, then leave it (which commits it)."""
        self.page.get_by_role("spinbutton", name=f"year, {label}", exact=True).click()
        self.page.keyboard.type(f"{day:%Y%m%d}")
        self.page.locator('[data-testid="stMain"] h1').first.click()

    def nav_links(self) -> list[tuple[str, str]]:
        """(title, URL path) of every page in the sidebar navigation, in menu order."""
        return self.page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
            "links => links.map(link => [link.innerText.trim().split('\\n').pop().trim(), new URL(link.href).pathname])"
        )

    def go_to(self, title: str) -> None:
        """Click a page's entry in the sidebar navigation."""
        self.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()

    def select_row(self, row: int, table: int = 0) -> None:
        """Tick the selection box of a data row (0 = first row below the header) of the table-th st.dataframe.

        st.dataframe draws on a canvas, so this clicks where the row's box is drawn.
        """
        frame = self._table(table)
        frame.scroll_into_view_if_needed()
        box = frame.bounding_box()
        assert box is not None, "the table is not displayed"
        self.page.mouse.click(box["x"] + GRID_ROW_PX / 2, box["y"] + GRID_ROW_PX * (row + 1.5))

    def click_bar(self, chart: int, point: int) -> Any:
        """Click the point-th bar of the chart-th plotly chart; return that bar's customdata."""
        plot = self.page.locator('[data-testid="stPlotlyChart"]').nth(chart)
        plot.scroll_into_view_if_needed()
        bar = plot.locator(".barlayer .point").nth(point)
        box = bar.bounding_box()
        assert box is not None, "the bar is not displayed"
        # plotly binds each bar's calcdata (index i) to its element and the trace to its group.
        customdata = bar.evaluate("bar => bar.closest('.trace').__data__[0].trace.customdata[bar.__data__.i]")
        self.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        return customdata

    # --- helpers -----------------------------------------------------------------------

    def _table(self, index: int) -> Locator:
        return self.page.locator('[data-testid="stDataFrame"]').nth(index)

    def _sidebar_widget(self, testid: str, label: str) -> Locator:
        sidebar = self.page.locator('[data-testid="stSidebar"]')
        return sidebar.locator(f'[data-testid="{testid}"]').filter(
            has=self.page.locator('[data-testid="stWidgetLabel"]').get_by_text(label, exact=True)
        )
