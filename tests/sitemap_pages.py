"""Read the whole sitemap as a crawler does: the index at /sitemap.xml, then every part it names."""

from urllib.parse import urlsplit
from xml.etree import ElementTree

from django.urls import reverse

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_parts(client, **headers):
    """The index's part URLs, as it writes them (absolute)."""
    response = client.get(reverse("sitemap"), **headers)
    assert response.status_code == 200
    index = ElementTree.fromstring(response.content)
    assert index.tag == f"{SM}sitemapindex"
    return [part.findtext(f"{SM}loc") for part in index.findall(f"{SM}sitemap")]


def _each_part(client, **headers):
    for location in sitemap_parts(client, **headers):
        address = urlsplit(location)
        path = address.path + (f"?{address.query}" if address.query else "")
        response = client.get(path, **headers)
        assert response.status_code == 200, location
        yield response


def sitemap_urls(client, **headers):
    """Every <url> element of every part."""
    urls = []
    for response in _each_part(client, **headers):
        urls += ElementTree.fromstring(response.content).findall(f"{SM}url")
    return urls


def sitemap_text(client, **headers):
    """Every part's XML, one after the other (to look for a piece of markup)."""
    return "\n".join(response.text for response in _each_part(client, **headers))
