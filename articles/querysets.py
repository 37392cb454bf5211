"""Reads: the one visibility rule and the listing shapes every page uses."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.query import ModelIterable
from django.utils import timezone

from articles.reading import labels

PINNED_SLOT = "pinned"
CAROUSEL_SLOT = "carousel"
SHOWCASE_SLOT = "showcase"


class ArticleQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._label_kinds = ()
        self._label_neighbours = False

    def _clone(self):
        clone = super()._clone()
        clone._label_kinds = self._label_kinds
        clone._label_neighbours = self._label_neighbours
        return clone

    def _fetch_all(self):
        # Like a prefetch: once, when the rows are fetched (iteration, len(), get(), slices).
        fetched = self._result_cache is not None
        super()._fetch_all()
        wanted = self._label_kinds or self._label_neighbours
        if not fetched and wanted and self._iterable_class is ModelIterable:
            labels.attach(
                self._result_cache,
                self._label_kinds,
                neighbours=self._label_neighbours,
                using=self.db,
            )

    def with_labels(self, *kinds, neighbours=False):
        """Read these relations (articles.reading.labels.KINDS) of the fetched articles, and with
        neighbours the previous and next visible article, in one statement."""
        clone = self._chain()
        clone._label_kinds = tuple(dict.fromkeys(clone._label_kinds + kinds))
        clone._label_neighbours = clone._label_neighbours or neighbours
        return clone

    def without_labels(self):
        clone = self._chain()
        clone._label_kinds, clone._label_neighbours = (), False
        return clone

    def published(self, *, at=None):
        """What readers may see: published, and the publish time has come."""
        return self.filter(
            status=self.model.Status.PUBLISHED, published_at__lte=at or timezone.now()
        )

    def for_cards(self):
        """What a card shows (section, byline): two queries for any number of articles."""
        return self.select_related("section").with_labels(labels.AUTHORS)

    def for_listing(self):
        """Everything an article page or a feed item shows: the card's fields plus topics and
        tags, still two queries."""
        return self.select_related("section").with_labels(*labels.KINDS)

    def with_pinned(self, *, at=None):
        from articles.models import Placement

        live_pin = Placement.objects.live(at=at).filter(
            slot__key=PINNED_SLOT, article=OuterRef("pk")
        )
        return self.annotate(is_pinned=Exists(live_pin))

    def in_reading_order(self, *, at=None):
        """Pinned first, then by weight (none last, as Hugo does), then newest first."""
        return self.with_pinned(at=at).order_by(
            "-is_pinned", F("weight").asc(nulls_last=True), "-published_at", "-pk"
        )


class PlacementQuerySet(models.QuerySet):
    def live(self, *, at=None):
        """Placements in force now whose article readers can see."""
        now = at or timezone.now()
        from articles.models import Article

        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            article__status=Article.Status.PUBLISHED,
            article__published_at__lte=now,
        )

    def scheduled(self, *, at=None):
        return self.filter(starts_at__gt=at or timezone.now())

    def expired(self, *, at=None):
        return self.filter(ends_at__lte=at or timezone.now())

    def in_slot(self, key):
        return self.filter(slot__key=key).order_by("position", "pk")
