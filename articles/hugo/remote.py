"""Remote images fetched for `import_hugo --download-remote-images`: bounded and SSRF-safe.

Every address a host name resolves to must be public (no loopback, private, link-local,
multicast or reserved address) and the connection goes to the address that was checked, so a
second DNS answer cannot swap in an internal one. Redirects are followed by hand, at most
MAX_REDIRECTS, each checked the same way. A response must say it is an image and stay under
settings.UPLOAD_MAX_BYTES, and the whole fetch under TIMEOUT seconds; what arrives is then
verified and re-encoded by Pillow like an upload (ImageStore.store()).

settings.HUGO_FETCH_ALLOWED_ADDRESSES (default empty) lists addresses allowed even though
private: the tests' local HTTP server, never a production setting.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings

TIMEOUT = 15  # seconds for one image, connection, redirects and body together
MAX_REDIRECTS = 3
USER_AGENT = "newsroom-hugo-import/1 (+images of an imported page)"


class FetchError(Exception):
    """Why a URL was not fetched, worded for the import report."""


def fetch_image(url, *, timeout=None, max_bytes=None):
    """The body of url (bytes), following redirects; raises FetchError."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    deadline = time.monotonic() + (timeout or TIMEOUT)
    for _ in range(MAX_REDIRECTS + 1):
        response, connection = _get(url, deadline)
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError(f"redirect ({response.status}) without a Location")
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"the server answered {response.status} {response.reason}")
            kind = (response.getheader("Content-Type") or "").split(";")[0].strip().lower()
            if not kind.startswith("image/"):
                raise FetchError(f"not an image (Content-Type {kind or 'missing'})")
            return _read(response, max_bytes=max_bytes, deadline=deadline)
        finally:
            connection.close()
    raise FetchError(f"more than {MAX_REDIRECTS} redirects")


def _get(url, deadline):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url[:200]}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise FetchError("bad port") from exc
    address = _public_address(parts.hostname, port, deadline)
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = connection_class(parts.hostname, port, address=address, timeout=_left(deadline))
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "image/*"})
        return connection.getresponse(), connection
    except (OSError, http.client.HTTPException) as exc:
        connection.close()
        raise FetchError(_network_reason(exc)) from exc


def _public_address(host, port, deadline):
    """The first address host resolves to, when every one of them may be fetched."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise FetchError(f"host {host!r} not found") from exc
    if time.monotonic() > deadline:
        raise FetchError("timed out")
    allowed = set(getattr(settings, "HUGO_FETCH_ALLOWED_ADDRESSES", ()))
    addresses = [info[4][0] for info in infos]
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        ip = getattr(ip, "ipv4_mapped", None) or ip  # ::ffff:127.0.0.1 is 127.0.0.1
        if address in allowed:
            continue
        if ip.is_loopback or ip.is_private or ip.is_link_local or not ip.is_global:
            raise FetchError(f"refused: {host} is a private or local address ({address})")
    if not addresses:
        raise FetchError(f"host {host!r} not found")
    return addresses[0]


def _read(response, *, max_bytes, deadline):
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(f"too large ({int(length) // 1024} KB, over {max_bytes // 1024} KB)")
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise FetchError("timed out")
        try:
            chunk = response.read(64 * 1024)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(_network_reason(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"too large (over {max_bytes // 1024} KB)")
        chunks.append(chunk)


def _left(deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError("timed out")
    return left


def _network_reason(exc):
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    return f"{type(exc).__name__}: {exc}"


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says next; Host stays the name."""

    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)
