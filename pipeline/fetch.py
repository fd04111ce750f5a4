"""Polite HTTP fetching for the collector: one `Fetcher` per run, every request through it.

Why by hand on `urllib` rather than letting feedparser or trafilatura fetch: every request
must meet the same rules, and a misbehaving server must cost a bounded amount of time and
memory and end as a one-line reason, never a traceback.

- A user agent that names the project and, when given, a contact.
- `robots.txt` respected for every URL (read once per host per run, with `urllib.robotparser`);
  its Crawl-delay, up to a minute, lengthens the pause for that host. Per RFC 9309, a
  robots.txt that does not exist (any 4xx) allows everything, one that cannot be fetched
  (5xx, timeout) forbids the host for this run.
- At most one request per `delay` seconds to one host, retries included.
- Retries with doubling back-off on 429, 5xx, timeouts and refused connections (a
  Retry-After header is honoured up to `max_retry_after`), at most `retries` of them.
- Redirects followed by hand, at most `max_redirects`, each hop checked again (http and https
  only, robots.txt, the pause).
- The body read in chunks and abandoned past `max_bytes` (also when gzip-compressed) or past
  `total_timeout` seconds; `timeout` bounds each connect and each read.
- The Content-Type checked before the body is read, when the caller names the types it takes.
"""

from __future__ import annotations

import email.message
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

PROJECT_AGENT = "PeninsulaWatch"
"""The product token robots.txt rules are matched against (`User-agent: PeninsulaWatch`)."""
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = (301, 302, 303, 307, 308)
_CHUNK = 1 << 16
_ROBOTS_MAX_BYTES = 512 << 10  # Google reads the first 500 KiB of a robots.txt
_MAX_CRAWL_DELAY = 60.0


def user_agent(contact: str = "") -> str:
    """The User-Agent header: the project, the tool, and how to reach whoever runs it."""
    reach = f"contact: {contact.strip()}" if contact.strip() else "news coverage research dashboard"
    return f"{PROJECT_AGENT}-collector/1.0 (+https://github.com/peninsula-watch; {reach})"


@dataclass(frozen=True)
class FetchOptions:
    """Politeness and safety limits; the defaults suit a daily run, tests shrink the times."""

    user_agent: str = field(default_factory=user_agent)
    timeout: float = 20.0
    total_timeout: float = 60.0
    delay: float = 2.0
    retries: int = 2
    backoff: float = 2.0
    max_retry_after: float = 60.0
    max_redirects: int = 5
    max_bytes: int = 5 << 20


class FetchError(Exception):
    """A URL could not be fetched; the message is the reason. `transient` failures may succeed on a later run."""

    def __init__(self, reason: str, *, status: int | None = None, transient: bool = False) -> None:
        super().__init__(reason)
        self.status = status
        self.transient = transient


@dataclass(frozen=True)
class Response:
    """A fetched body: `url` is where it was found after redirects."""

    url: str
    status: int
    content_type: str
    charset: str | None
    data: bytes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands 3xx responses back as errors so that `Fetcher` follows them itself, checking each hop."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


def _opener() -> urllib.request.OpenerDirector:
    """An opener that speaks http and https only (no file:, ftp: or data: URLs from a feed)."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _NoRedirect(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def origin_of(url: str) -> tuple[str, str]:
    """(scheme://host[:port], host) of an http(s) URL; FetchError for anything else."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as error:
        raise FetchError(f"invalid URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url[:200]!r}")
    return f"{parts.scheme}://{parts.netloc}", parts.netloc.lower()


_URI_SAFE = "/:@!$&'()*+,;=-._~%?"  # RFC 3986 characters of a path or query, and existing escapes


def as_uri(url: str) -> str:
    """`url` with its path and query percent-encoded where needed: spaces, control and non-ASCII characters
    (a Korean headline in a link) would otherwise be refused by http.client or split a request line."""
    parts = urllib.parse.urlsplit(url.strip())
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, urllib.parse.quote(parts.path, safe=_URI_SAFE),
                                    urllib.parse.quote(parts.query, safe=_URI_SAFE + "="), ""))


def _media_type(headers: email.message.Message) -> tuple[str, str | None]:
    """The Content-Type's media type (lower case, "" when absent) and charset."""
    return headers.get_content_type() if headers.get("Content-Type") else "", headers.get_content_charset()


class Fetcher:
    """Fetches URLs politely (see the module docstring); `sleep` and `clock` are injectable for tests."""

    def __init__(self, options: FetchOptions = FetchOptions(), sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.options = options
        self._sleep = sleep
        self._clock = clock
        self._opener = _opener()
        self._robots: dict[str, urllib.robotparser.RobotFileParser | FetchError] = {}
        self._host_delay: dict[str, float] = {}
        self._last_request: dict[str, float] = {}

    def get(self, url: str, accept: tuple[str, ...] = (), *, robots: bool = True, max_bytes: int | None = None) -> Response:
        """The body at `url` after redirects; FetchError with the reason otherwise.

        `accept` lists the media types taken (empty: any); `robots=False` skips the
        robots.txt check (only for robots.txt itself and for APIs meant for programs).
        """
        limit = self.options.max_bytes if max_bytes is None else max_bytes
        current = url
        for _ in range(self.options.max_redirects + 1):
            origin, host = origin_of(current)
            current = as_uri(current)
            if robots:
                self._check_robots(origin, host, current)
            result = self._with_retries(current, host, accept, limit)
            if isinstance(result, Response):
                return result
            current = urllib.parse.urljoin(current, result)
        raise FetchError(f"too many redirects (more than {self.options.max_redirects})")

    def pause_at_least(self, url: str, seconds: float) -> None:
        """Ask the host of `url` at most once per `seconds` (an API's stated rate limit), however short `delay` is."""
        _, host = origin_of(url)
        self._host_delay[host] = max(self._host_delay.get(host, 0.0), seconds)

    # --- robots.txt ------------------------------------------------------------------

    def _check_robots(self, origin: str, host: str, url: str) -> None:
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._read_robots(origin, host)
            self._robots[origin] = rules
        if isinstance(rules, FetchError):
            raise FetchError(f"robots.txt of {host} could not be read ({rules}); the site is skipped this run", transient=True)
        if not rules.can_fetch(self.options.user_agent, url):
            raise FetchError("disallowed by robots.txt")

    def _read_robots(self, origin: str, host: str) -> urllib.robotparser.RobotFileParser | FetchError:
        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        try:
            response = self.get(origin + "/robots.txt", robots=False, max_bytes=_ROBOTS_MAX_BYTES)
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500 and error.status != 429:
                rules.allow_all = True  # RFC 9309: no robots.txt, no rules
                return rules
            return error
        rules.parse(response.data.decode(response.charset or "utf-8", "replace").splitlines())
        rules.modified()
        delay = rules.crawl_delay(self.options.user_agent)
        if delay:
            self._host_delay[host] = min(float(delay), _MAX_CRAWL_DELAY)
        return rules

    # --- one URL, retried --------------------------------------------------------------

    def _wait_turn(self, host: str) -> None:
        """Sleep until the host's pause since its last request has passed (its robots.txt may have lengthened it)."""
        now = self._clock()
        last = self._last_request.get(host)
        if last is not None:
            wait = last + max(self.options.delay, self._host_delay.get(host, 0.0)) - now
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last_request[host] = now

    def _with_retries(self, url: str, host: str, accept: tuple[str, ...], limit: int) -> Response | str:
        """A Response, or the Location of a redirect; transient failures retried with back-off."""
        options = self.options
        for attempt in range(options.retries + 1):
            self._wait_turn(host)
            try:
                return self._once(url, accept, limit)
            except _Retryable as error:
                if attempt == options.retries:
                    raise FetchError(error.reason, status=error.status, transient=True) from None
                wait = error.retry_after if error.retry_after is not None else options.backoff * 2**attempt
                self._sleep(min(wait, options.max_retry_after))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _once(self, url: str, accept: tuple[str, ...], limit: int) -> Response | str:
        request = urllib.request.Request(url, headers={
            "User-Agent": self.options.user_agent,
            "Accept": ", ".join(accept) or "*/*",
            "Accept-Encoding": "gzip",
        })
        started = self._clock()
        try:
            response = self._opener.open(request, timeout=self.options.timeout)
        except urllib.error.HTTPError as error:
            try:
                return self._http_error(error)
            finally:
                error.close()
        except (TimeoutError, socket.timeout):
            raise _Retryable(f"timed out (no answer within {self.options.timeout:g} s)") from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, (TimeoutError, socket.timeout)):
                raise _Retryable(f"timed out (no answer within {self.options.timeout:g} s)") from None
            raise _Retryable(f"could not connect ({error.reason})") from None
        except (http.client.InvalidURL, ValueError) as error:
            raise FetchError(f"invalid URL ({error})") from None
        except (http.client.HTTPException, OSError) as error:
            raise _Retryable(f"broken response ({type(error).__name__}: {error})") from None
        with response:
            media, charset = _media_type(response.headers)
            if accept and media not in accept:
                raise FetchError(f"not an HTML page (Content-Type {media or 'missing'})" if accept == HTML_TYPES
                                 else f"unexpected Content-Type {media or 'missing'}")
            data = self._read_body(response, limit, started)
            return Response(response.geturl() or url, response.status, media, charset, data)

    def _http_error(self, error: urllib.error.HTTPError) -> str:
        """The Location of a redirect; raises for every other status."""
        code = error.code
        if code in _REDIRECTS:
            location = error.headers.get("Location", "").strip()
            if not location:
                raise FetchError(f"HTTP {code} redirect without a Location", status=code)
            return location
        if code == 429 or code >= 500:
            raise _Retryable(f"HTTP error {code} ({error.reason})", status=code, retry_after=_retry_after(error.headers))
        raise FetchError(f"HTTP error {code} ({error.reason})", status=code)

    def _read_body(self, response: http.client.HTTPResponse, limit: int, started: float) -> bytes:
        """The body, read in chunks within the size limit and the time limit, decompressed if gzip."""
        too_large = f"too large (over {limit:,} bytes)"
        length = response.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > limit:
            raise FetchError(too_large)
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.read1(_CHUNK):  # what one read brings: a trickling server meets the time limit
                size += len(chunk)
                if size > limit:
                    raise FetchError(too_large)
                if self._clock() - started > self.options.total_timeout:
                    raise _Retryable(f"timed out (the response took over {self.options.total_timeout:g} s)")
                chunks.append(chunk)
        except (TimeoutError, socket.timeout):
            raise _Retryable(f"timed out (no data for {self.options.timeout:g} s)") from None
        except (http.client.HTTPException, OSError) as error:
            raise _Retryable(f"broken response ({type(error).__name__}: {error})") from None
        data = b"".join(chunks)
        if response.headers.get("Content-Encoding", "").strip().lower() in ("gzip", "x-gzip"):
            inflater = zlib.decompressobj(wbits=47)
            try:
                data = inflater.decompress(data, limit + 1)
            except zlib.error as error:
                raise FetchError(f"damaged gzip body ({error})") from None
            if len(data) > limit or inflater.unconsumed_tail:
                raise FetchError(too_large + " once decompressed")
        return data


class _Retryable(Exception):
    """A failure worth another try (timeouts, refused connections, 429, 5xx)."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.retry_after = retry_after


def _retry_after(headers: email.message.Message) -> float | None:
    """Seconds a Retry-After header asks for (only its delay-seconds form), None when absent or unreadable."""
    value = (headers.get("Retry-After") or "").strip()
    return float(value) if value.isdigit() else None
