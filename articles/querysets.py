"""Reads: the one visibility rule and the listing shapes every page uses."""

from django.db import models
from django.db.models import Exists, F, OuterRef, Prefetch, Q
from django.utils import timezone

PINNED_SLOT = "pinned"
CAROUSEL_SLOT = "carousel"
SHOWCASE_SLOT = "showcase"


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None):
        """What readers may see: published, and the publish time has come."""
        return self.filter(
            status=self.model.Status.PUBLISHED, published_at__lte=at or timezone.now()
        )

    def for_cards(self):
        """What a card shows (section, byline): two queries for any number of articles."""
        from .models import ArticleAuthor

        return self.select_related("section").prefetch_related(
            Prefetch(
                "article_authors",
                queryset=ArticleAuthor.objects.select_related("author").order_by("position", "pk"),
            )
        )

    def for_listing(self):
        """Everything an article page or a feed item shows: the card's
        fields plus topics and tags, in a fixed number of queries."""
        return self.for_cards().prefetch_related("topics", "tags")

    def with_pinned(self, *, at=None):
        from .models import Placement

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
        from .models import Article

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
