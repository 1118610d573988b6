"""The project's one outbound HTTP client.

Every request the register makes to the outside world (watch sources today) goes through ``fetch``:

- http and https only; at most ``RISKREG_WATCH_MAX_REDIRECTS`` redirects, each hop checked again;
- a connect timeout and a whole-fetch deadline (``RISKREG_WATCH_TIMEOUT`` seconds for connecting, the headers and
  the body of every hop together). Socket timeouts alone only bound the wait *between* reads, so a source sending
  one byte a second would never time out; a watchdog shuts the connection's socket down when the deadline passes,
  whatever the request is doing (connecting, TLS handshake, headers, body). Name resolution is not covered: it
  uses the system resolver, which has its own timeouts;
- a size cap (``RISKREG_WATCH_MAX_BYTES``): the body is streamed and reading stops at the cap, whatever
  Content-Length says, and the cap applies to the decompressed bytes;
- private, loopback, link-local, shared, multicast and reserved addresses are refused unless
  ``RISKREG_WATCH_ALLOW_PRIVATE`` is on. The host is resolved here, *every* address it resolves to is
  checked, and the connection is made to the checked address (the Host header and TLS name stay the
  host's), so a DNS answer that changes between check and connect (DNS rebinding) cannot slip through.
  This is healthchecks' ``hc/lib/curl.py`` idea, with urllib3 instead of pycurl.
- conditional GET: pass the ETag and Last-Modified of the last answer; a 304 comes back as
  ``Response.not_modified`` with an empty body.

Errors are ``FetchError`` subclasses whose message says what was wrong and with which URL.
"""

from __future__ import annotations

import heapq
import ipaddress
import os
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError, SSLError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

USER_AGENT = "riskreg-watch/1.0 (compliance monitoring)"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_BYTES = 40 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 5
CHUNK = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
KEPT_HEADERS = 40  # at most this many response headers are kept, each cut to 500 characters


class FetchError(Exception):
    """The request failed; the message says why and names the URL."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status


class AddressRefused(FetchError):
    pass


class TooLarge(FetchError):
    pass


class TooManyRedirects(FetchError):
    pass


class FetchTimeout(FetchError):
    pass


class HTTPStatusError(FetchError):
    pass


@dataclass(frozen=True)
class Response:
    url: str  # the final URL, after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @property
    def last_modified(self) -> str:
        return self.headers.get("last-modified", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class _Deadline:
    """The whole-fetch deadline: when it passes, every socket the fetch opened is shut down, which ends any
    read or write blocked on it at once. Each socket is watched through a duplicate of its file descriptor,
    so the shutdown still reaches it after TLS wraps (and detaches) the original socket object."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        watchdog.add(self)

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            duplicate = sock.dup()
            self._sockets.append(duplicate)
            if self.expired:
                _shutdown(duplicate)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        watchdog.discard(self)
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()


class _Watchdog:
    """One daemon thread per process that expires deadlines as they pass (started on first use)."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._pending: list[tuple[float, int, _Deadline]] = []
        self._thread: threading.Thread | None = None

    def add(self, deadline: _Deadline) -> None:
        with self._condition:
            heapq.heappush(self._pending, (deadline.at, id(deadline), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="riskreg-fetch-deadlines", daemon=True)
                self._thread.start()
            self._condition.notify()

    def discard(self, deadline: _Deadline) -> None:
        with self._condition:
            self._pending = [item for item in self._pending if item[2] is not deadline]
            heapq.heapify(self._pending)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._pending or self._pending[0][0] > time.monotonic():
                    wait = self._pending[0][0] - time.monotonic() if self._pending else None
                    self._condition.wait(wait)
                _at, _id, deadline = heapq.heappop(self._pending)
            deadline.expire()


watchdog = _Watchdog()


def _new_watchdog_after_fork() -> None:
    """A forked process (a prefork pool process) starts with a watchdog of its own: the parent's thread does not
    exist there, and its lock may have been held at the moment of the fork."""
    global watchdog
    watchdog = _Watchdog()


os.register_at_fork(after_in_child=_new_watchdog_after_fork)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side


class _Watched:
    """A connection whose socket the deadline's watchdog shuts when the whole fetch runs out of time."""

    deadline: _Deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self.deadline.watch(sock)
        return sock


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _DeadlinePool:
    """A connection pool that hands its deadline to every connection it opens."""

    def __init__(self, *args, deadline: _Deadline, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.deadline = deadline

    def _new_conn(self):
        conn = super()._new_conn()
        conn.deadline = self.deadline
        return conn


class _HTTPPool(_DeadlinePool, urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(_DeadlinePool, urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _setting(name: str, default):
    return getattr(settings, name, default)


def address_is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for addresses on the public internet; False for private, loopback, link-local, shared
    (100.64/10), multicast, reserved and unspecified ones, including IPv4 addresses mapped into IPv6."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return address_is_public(mapped)
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
    if _setting("RISKREG_WATCH_ALLOW_PRIVATE", False):
        return True
    # Explicit exceptions, e.g. an intranet mirror: "10.1.2.3" or "10.1.2.3:8080".
    allowed = set(_setting("RISKREG_WATCH_ALLOWED_ADDRESSES", ()))
    if str(ip) in allowed or f"{ip}:{port}" in allowed:
        return True
    return address_is_public(ip)


def resolve_checked(host: str, port: int, *, url: str) -> list[str]:
    """Resolve host and check every address; refuse the host if any address is not allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve host {host!r} of {url}: {exc}", url=url) from None
    addresses: list[str] = []
    for *_, sockaddr in infos:
        address = sockaddr[0].split("%", 1)[0]
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(f"host {host!r} of {url} has no address", url=url)
    for address in addresses:
        if not address_allowed(ipaddress.ip_address(address), port):
            raise AddressRefused(
                f"refused to connect to {host} ({address}) for {url}: private, loopback, link-local or reserved "
                "addresses are not fetched (RISKREG_WATCH_ALLOW_PRIVATE is off)",
                url=url,
            )
    return addresses


def _check_url(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"only http and https URLs are fetched, not {scheme or 'no scheme'}: {url}", url=url)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise FetchError(f"the URL has a bad port: {url}", url=url) from None
    if not host:
        raise FetchError(f"the URL has no host: {url}", url=url)
    port = port or (443 if scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, host, port, target


def _host_header(host: str, port: int, scheme: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    default = 443 if scheme == "https" else 80
    return shown if port == default else f"{shown}:{port}"


def _open(
    url: str,
    *,
    headers: dict[str, str],
    deadline: _Deadline,
    connect_timeout: float,
    method: str = "GET",
    body: bytes | None = None,
):
    """One request to one URL, connected to a checked address, under the whole-fetch deadline. Returns an
    unread urllib3 response."""
    scheme, host, port, target = _check_url(url)
    addresses = resolve_checked(host, port, url=url)
    request_headers = {**headers, "Host": _host_header(host, port, scheme)}
    last_error: Exception | None = None
    for address in addresses:
        remaining = deadline.remaining()
        if remaining <= 0 or deadline.expired:
            break
        timeout = urllib3.Timeout(connect=min(connect_timeout, remaining), read=remaining)
        if scheme == "https":
            pool = _HTTPSPool(
                address,
                port,
                deadline=deadline,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                server_hostname=host,
                assert_hostname=host,
            )
        else:
            pool = _HTTPPool(address, port, deadline=deadline, timeout=timeout, retries=False, maxsize=1)
        try:
            return pool.urlopen(
                method,
                target,
                body=body,
                headers=request_headers,
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=True,
                assert_same_host=False,
            )
        except NewConnectionError as exc:
            if deadline.expired:
                break
            last_error = exc
            continue
        except (Urllib3Timeout, ReadTimeoutError):
            raise FetchTimeout(f"no answer from {url} within the time limit", url=url) from None
        except (Urllib3Error, OSError) as exc:
            if deadline.expired:  # the watchdog shut the socket during the handshake or the headers
                raise FetchTimeout(f"no complete answer from {url} within the time limit", url=url) from None
            if isinstance(exc, SSLError):
                raise FetchError(f"TLS failed for {url}: {exc}", url=url) from None
            raise FetchError(f"request to {url} failed: {exc}", url=url) from None
    if last_error is None or deadline.expired:
        raise FetchTimeout(f"no answer from {url} within the time limit", url=url)
    reason = getattr(last_error, "reason", None) or last_error
    raise FetchError(f"cannot connect to {url}: {reason}", url=url)


def _read_capped(response, *, url: str, max_bytes: int, deadline: _Deadline) -> bytes:
    length = response.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_bytes and not response.headers.get("content-encoding"):
        raise TooLarge(f"the answer from {url} is {int(length):,} bytes, over the limit of {max_bytes:,}", url=url)
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.stream(CHUNK, decode_content=True):
            total += len(chunk)
            if total > max_bytes:
                raise TooLarge(
                    f"the answer from {url} is over the limit of {max_bytes:,} bytes; stopped reading", url=url
                )
            if deadline.expired or deadline.remaining() < 0:
                raise FetchTimeout(f"the answer from {url} did not finish within the time limit", url=url)
            chunks.append(chunk)
    except (Urllib3Timeout, ReadTimeoutError):
        raise FetchTimeout(f"the answer from {url} did not finish within the time limit", url=url) from None
    except (ProtocolError, Urllib3Error, OSError) as exc:
        if deadline.expired:
            raise FetchTimeout(f"the answer from {url} did not finish within the time limit", url=url) from None
        raise FetchError(f"the answer from {url} broke off: {exc}", url=url) from None
    if deadline.expired:  # the watchdog's shutdown looks like an early end of the body: never keep a cut body
        raise FetchTimeout(f"the answer from {url} did not finish within the time limit", url=url)
    return b"".join(chunks)


def _kept_headers(response) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in response.headers.items():
        if len(kept) >= KEPT_HEADERS:
            break
        kept[name.lower()] = str(value)[:500]
    return kept


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    timeout: float | None = None,
    max_bytes: int | None = None,
    max_redirects: int | None = None,
    accept: str = "*/*",
) -> Response:
    """GET url under the rules above. 2xx and 304 come back as a Response; anything else raises FetchError."""
    timeout = float(timeout if timeout is not None else _setting("RISKREG_WATCH_TIMEOUT", DEFAULT_TIMEOUT))
    max_bytes = int(max_bytes if max_bytes is not None else _setting("RISKREG_WATCH_MAX_BYTES", DEFAULT_MAX_BYTES))
    max_redirects = int(
        max_redirects if max_redirects is not None else _setting("RISKREG_WATCH_MAX_REDIRECTS", DEFAULT_MAX_REDIRECTS)
    )
    headers = {"User-Agent": USER_AGENT, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified

    deadline = _Deadline(timeout)
    try:
        return _follow(
            url, headers=headers, deadline=deadline, timeout=timeout, max_bytes=max_bytes, max_redirects=max_redirects
        )
    finally:
        deadline.close()


def _follow(
    url: str, *, headers: dict[str, str], deadline: _Deadline, timeout: float, max_bytes: int, max_redirects: int
) -> Response:
    current = url
    for _hop in range(max_redirects + 1):
        response = _open(current, headers=headers, deadline=deadline, connect_timeout=min(10.0, timeout))
        try:
            status = response.status
            if status in REDIRECT_STATUSES:
                location = response.headers.get("location")
                if not location:
                    raise FetchError(f"redirect {status} from {current} without a Location", url=current, status=status)
                current = urljoin(current, location.strip())
                continue
            if status == 304:
                return Response(url=current, status=status, headers=_kept_headers(response))
            if not 200 <= status < 300:
                raise HTTPStatusError(
                    f"HTTP {status} {response.reason or ''} from {current}".replace("  ", " ").strip(),
                    url=current,
                    status=status,
                )
            body = _read_capped(response, url=current, max_bytes=max_bytes, deadline=deadline)
            return Response(url=current, status=status, headers=_kept_headers(response), body=body)
        finally:
            response.release_conn()
            response.close()
    raise TooManyRedirects(f"more than {max_redirects} redirects, starting at {url} (last: {current})", url=url)


WEBHOOK_ANSWER_BYTES = 64 * 1024  # a webhook's answer is read only this far (it says "ok" or why not)


def post(url: str, *, body: bytes, content_type: str = "application/json", timeout: float | None = None) -> Response:
    """POST body to url (webhooks) under the same rules as ``fetch``: http(s) only, every resolved address
    checked and connected to directly, one whole-fetch deadline. Redirects are not followed (a webhook that
    moves is answered as an error, so a message never goes to an address nobody configured); the answer is
    read up to 64 KiB. 2xx comes back as a Response; anything else raises FetchError."""
    timeout = float(timeout if timeout is not None else _setting("RISKREG_WATCH_TIMEOUT", DEFAULT_TIMEOUT))
    headers = {"User-Agent": USER_AGENT, "Content-Type": content_type, "Accept": "*/*"}
    deadline = _Deadline(timeout)
    try:
        response = _open(
            url,
            method="POST",
            body=body,
            headers=headers,
            deadline=deadline,
            connect_timeout=min(10.0, timeout),
        )
        try:
            answer = _read_capped_quietly(response, deadline=deadline)
            if not 200 <= response.status < 300:
                detail = answer[:200].decode("utf-8", "replace").strip()
                raise HTTPStatusError(
                    f"HTTP {response.status} {response.reason or ''} from {url}".replace("  ", " ").strip()
                    + (f": {detail}" if detail else ""),
                    url=url,
                    status=response.status,
                )
            return Response(url=url, status=response.status, headers=_kept_headers(response), body=answer)
        finally:
            response.release_conn()
            response.close()
    finally:
        deadline.close()


def _read_capped_quietly(response, *, deadline: _Deadline) -> bytes:
    """Up to WEBHOOK_ANSWER_BYTES of an answer; what lies beyond is not read (and not an error)."""
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.stream(CHUNK, decode_content=True):
            chunks.append(chunk)
            total += len(chunk)
            if total >= WEBHOOK_ANSWER_BYTES or deadline.remaining() <= 0:
                break
    except (Urllib3Timeout, ReadTimeoutError, ProtocolError, Urllib3Error, OSError):
        pass  # the status line is what counts; a broken body does not undo a delivery the server accepted
    return b"".join(chunks)[:WEBHOOK_ANSWER_BYTES]
