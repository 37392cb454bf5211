"""The site's public address, for every absolute URL readers and robots get.

settings.SITE_URL (from the environment) when it is set, else the scheme and host the request
came to. Never the Sites framework's domain: its row says example.com until someone edits it.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import iri_to_uri


def site_root(request):
    """'https://www.example.cn', without a trailing slash. Worked out once per request: an
    article page asks seven times, and get_host() checks ALLOWED_HOSTS each time."""
    if settings.SITE_URL:
        return settings.SITE_URL
    root = getattr(request, "_site_root", None)
    if root is None:
        root = request._site_root = f"{request.scheme}://{request.get_host()}"
    return root


def absolute_url(request, url):
    """A path (/articles/x/) on the site's address; a URL that is already absolute (media on
    another host) stays as it is."""
    if url.startswith("/") and not url.startswith("//") and "/." not in url:
        return iri_to_uri(site_root(request) + url)  # what urljoin() gives, without its parsing
    return iri_to_uri(urljoin(site_root(request) + "/", url))
