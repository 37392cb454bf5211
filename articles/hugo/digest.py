"""What an import wrote, as one hash: a re-import leaves an article an editor has changed since."""

import datetime as dt
import hashlib
import json

from articles.hugo.mapping import SLOT_KEYS
from articles.models import ArticleAuthor, Placement, TaggedArticle

HUGO_SLOTS = sorted(set(SLOT_KEYS.values()))


def import_digest(article, author_ids, tag_names, topic_ids, slot_keys, *, body=None):
    """What the import wrote, as one hash: if the article no longer matches it, an editor
    changed it since. body: the body about to be saved, when article.body is not it yet."""
    published = (
        article.published_at.astimezone(dt.UTC).isoformat() if article.published_at else None
    )
    state = [
        article.title,
        article.slug,
        article.description,
        article.body if body is None else body,
        article.featured_image.name if article.featured_image else "",
        article.featured_image_alt,
        article.featured_image_caption,
        article.section_id,
        article.status,
        published,
        article.weight,
        article.lightbox,
        article.extra,
        # Newer columns only when set, so digests written before them stay valid.
        *([article.fields] if article.fields else []),
        *([{"toc": True}] if article.toc else []),
        list(author_ids),
        sorted(tag_names),
        sorted(topic_ids),
        sorted(slot_keys),
    ]
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def state_digest(article):
    authors = ArticleAuthor.objects.filter(article=article).order_by("position", "pk")
    return import_digest(
        article,
        authors.values_list("author_id", flat=True),
        TaggedArticle.objects.filter(content_object=article).values_list("tag__name", flat=True),
        article.topics.values_list("pk", flat=True),
        Placement.objects.filter(article=article, slot__key__in=HUGO_SLOTS).values_list(
            "slot__key", flat=True
        ),
    )


def row_digest(state):
    """The hash of a portal row's state as the import wrote it (channels, menu items)."""
    text = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
