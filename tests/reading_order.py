"""The reading order, written the plain way: the definition the fast list queries are held to.

No page runs this (an Exists() over placements that no index serves); articles.reading.pagination
gives the same order with index-only queries, and tests compare the two.
"""

from django.db.models import Exists, F, OuterRef

from articles.models import Placement
from articles.querysets import PINNED_SLOT


def in_reading_order(queryset, *, at=None):
    """Pinned first, then by weight (none last, as Hugo does), then newest first."""
    live_pin = Placement.objects.live(at=at).filter(slot__key=PINNED_SLOT, article=OuterRef("pk"))
    return queryset.annotate(is_pinned=Exists(live_pin)).order_by(
        "-is_pinned", F("weight").asc(nulls_last=True), "-published_at", "-pk"
    )


def in_slot(key):
    """Placements of a slot in the moderators' order."""
    return Placement.objects.filter(slot__key=key).order_by("position", "pk")
