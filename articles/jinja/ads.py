"""{{ ad_spot("key") }}: the ads of a spot running now that show on this page, marked as ads.

A spot's template is includes/ads/<key>.html when there is one (banner, side), else the plain
block includes/ads/block.html (toc, home and any spot added in the admin). Nothing at all when
the spot has no ad for this page, ads are off site-wide or the spot is switched off.
"""

from articles.jinja.markup import rendered
from articles.reading.ads import ads_for


def _is_home(request):
    match = getattr(request, "resolver_match", None)
    return bool(match and match.url_name == "home")


def ad_spot(context, key):
    request = context.get("request")
    ads = ads_for(key, is_home=_is_home(request), request=request)
    if not ads:
        return ""
    return rendered(
        [f"includes/ads/{key}.html", "includes/ads/block.html"], {"ads": ads, "spot": key}
    )
