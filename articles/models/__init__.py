"""Newsroom's models, one module per concern, all re-exported here (`articles.models.Article`).

Submodules import downwards only: taxonomy <- article <- curation, issues, views, media (the
media library). None of them imports anything above `articles.models` (see docs/ARCHITECTURE.md).
"""

from articles.models.ads import Ad, AdLog, AdSpot
from articles.models.article import Article, ArticleAuthor, DerivedText, derive_text
from articles.models.curation import (
    Placement,
    PlacementLog,
    PlacementProposal,
    Slot,
    next_scheduled_change,
)
from articles.models.issues import ContentIssue
from articles.models.media import MediaImage
from articles.models.portal import Channel, MenuItem, SectionField
from articles.models.taxonomy import (
    Author,
    Section,
    SluggedName,
    Tag,
    TaggedArticle,
    Topic,
    Vocabulary,
    in_language,
)
from articles.models.views import ViewCount

__all__ = [
    "Ad",
    "AdLog",
    "AdSpot",
    "Channel",
    "MenuItem",
    "SectionField",
    "in_language",
    "Article",
    "ArticleAuthor",
    "Author",
    "ContentIssue",
    "MediaImage",
    "DerivedText",
    "Placement",
    "PlacementLog",
    "PlacementProposal",
    "Section",
    "Slot",
    "SluggedName",
    "Tag",
    "TaggedArticle",
    "Topic",
    "Vocabulary",
    "ViewCount",
    "derive_text",
    "next_scheduled_change",
]
