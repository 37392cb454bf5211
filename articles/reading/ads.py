"""The ads readers see: live ads by spot, read once per content generation per process.

Saving or deleting an ad or a spot starts a new generation (articles/apps.py), so the kept list
is never older than the last change. Without a write an ad can only start or end: the kept
entries carry their window and are filtered by the clock on every read, and the page cache keeps
no page past an ad's start or end (articles.models.next_scheduled_change counts them). A warm
page runs no query for ads.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from articles.models import Ad
from articles.pagecache.keep import GenerationMemo

_ads = GenerationMemo(size=1)


@dataclass(frozen=True)
class LiveAd:
    """What a template needs of an ad, with its files' URLs and sizes worked out once."""

    pk: int
    spot: str
    title: str
    link: str
    alt: str
    pages: str
    image_url: str
    image_width: int | None
    image_height: int | None
    phone_url: str
    phone_width: int | None
    phone_height: int | None
    starts_at: datetime | None
    ends_at: datetime | None

    def runs_at(self, moment):
        return (self.starts_at is None or self.starts_at <= moment) and (
            self.ends_at is None or self.ends_at > moment
        )

    def shows_on(self, *, is_home):
        if self.pages == Ad.Pages.HOME:
            return is_home
        if self.pages == Ad.Pages.OTHER:
            return not is_home
        return True


def _size(field_file):
    """The phone image's width and height (the model keeps only the main image's); (None,
    None) when the file cannot be read, so a missing file costs its size attributes only."""
    try:
        return field_file.width, field_file.height
    except (OSError, ValueError, TypeError):
        return None, None


def _live_ad(ad):
    phone_width, phone_height = _size(ad.phone_image) if ad.phone_image else (None, None)
    return LiveAd(
        pk=ad.pk,
        spot=ad.spot.key,
        title=ad.title,
        link=ad.link,
        alt=ad.alt or ad.title,
        pages=ad.pages,
        image_url=ad.image.url,
        image_width=ad.image_width,
        image_height=ad.image_height,
        phone_url=ad.phone_image.url if ad.phone_image else "",
        phone_width=phone_width,
        phone_height=phone_height,
        starts_at=ad.starts_at,
        ends_at=ad.ends_at,
    )


def _running_or_coming():
    """Enabled ads of enabled spots that have not ended: one statement, in spot and position
    order. An ended ad cannot come back without a write, a coming one starts by the clock."""
    rows = (
        Ad.objects.filter(enabled=True, spot__enabled=True)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=timezone.now()))
        .exclude(image="")
        .select_related("spot")
        .order_by("spot__position", "spot_id", "position", "pk")
    )
    return [_live_ad(ad) for ad in rows]


def live_ads(now=None, *, request=None):
    """{spot key: [LiveAd, ...]} of the ads running at `now` (default: this moment), in position
    order; {} when ads are off site-wide (settings.NEWSROOM["ADS_ENABLED"])."""
    if not settings.NEWSROOM.get("ADS_ENABLED", True):
        return {}
    now = now or timezone.now()
    by_spot = {}
    for ad in _ads.get(("ads",), _running_or_coming, request=request):
        if ad.runs_at(now):
            by_spot.setdefault(ad.spot, []).append(ad)
    return by_spot


def ads_for(spot_key, *, is_home, request=None, now=None):
    """The ads of one spot running now that show on this page: `all` everywhere, `index` on
    the home page only, `other` everywhere but the home page."""
    return [
        ad
        for ad in live_ads(now, request=request).get(spot_key, [])
        if ad.shows_on(is_home=is_home)
    ]
