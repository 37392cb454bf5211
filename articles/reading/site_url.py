"""The site's public address, for every absolute URL readers and robots get.

settings.SITE_URL (from the environment) when it is set, else the scheme and host the request
came to. Never the Sites framework's domain: its row says example.com until someone edits it.
"""

from urllib.parse import urljoin

from django.conf import settings
from django.utils.encoding import iri_to_uri


def site_root(request):
    """'https://www.example.cn', without a trailing slash."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, url):
    """A path (/articles/x/) on the site's address; a URL that is already absolute (media on
    another host) stays as it is."""
    return iri_to_uri(urljoin(site_root(request) + "/", url))
