"""Reads: the one visibility rule and the listing shapes every page uses.

No model is imported here: each queryset reaches related models through its own model's _meta,
so articles.models can import this module without a cycle.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation

PINNED_SLOT = "pinned"
CAROUSEL_SLOT = "carousel"
SHOWCASE_SLOT = "showcase"
# Article columns no list shows (for_list_page()).
LIST_PAGE_UNSHOWN = (
    "search_terms",
    "source_path",
    "source_digest",
    "imported_at",
    "edit_version",
    "created_by",
    "created_at",
    "featured_image_caption",
    "toc",
    "lightbox",
    "translation_group",
)


def reading_language():
    """The language of the page being read: the active one (the URL's prefix), as one of
    settings.LANGUAGES; the site's language outside a request."""
    codes = [code for code, _name in settings.LANGUAGES]
    active = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    if active in codes:
        return active
    base = active.split("-")[0]
    return next((code for code in codes if code.split("-")[0] == base), settings.LANGUAGE_CODE)


class ArticleQuerySet(models.QuerySet):
    def published(self, *, at=None, language=None):
        """What readers may see: published, the publish time has come, and in the language
        of the page being read (each language's pages list that language's articles)."""
        return self.filter(
            status=self.model.Status.PUBLISHED,
            published_at__lte=at or timezone.now(),
            language=language or reading_language(),
        )

    def for_cards(self):
        """The article rows with their section, as cards, lists and the article page show them.
        Bylines, topics and tags come from articles.reading.labels.attach_labels(), called on
        the fetched page: one more statement for any number of articles."""
        return self.select_related("section")

    def without_text(self):
        """Without the long text columns a card or a slot never shows (body, search document,
        extra front matter)."""
        return self.defer("body", "search_document", "extra")

    def for_list_page(self):
        """Only the columns a list page's cards and tiles show: without the long text and
        what only the article page, the admin or the importer read (each column decoded costs
        time on every row; a page of twenty cards is about 0.25 ms faster). A deferred column
        read after all costs a query per article, which tests/test_query_counts.py would see."""
        return self.without_text().defer(*LIST_PAGE_UNSHOWN)


class PlacementQuerySet(models.QuerySet):
    def live(self, *, at=None, language=None):
        """Placements in force now whose article readers can see."""
        now = at or timezone.now()
        article = self.model._meta.get_field("article").related_model
        return self.filter(
            Q(starts_at__isnull=True) | Q(starts_at__lte=now),
            Q(ends_at__isnull=True) | Q(ends_at__gt=now),
            article__status=article.Status.PUBLISHED,
            article__published_at__lte=now,
            article__language=language or reading_language(),
        )
