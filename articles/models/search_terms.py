"""What an article is about, for search: the names of its section, topics, tags and authors.

Article.search_terms holds those names (and their other languages' names) cut by jieba like
the search document; PostgreSQL's search_vector is built from both columns (migration 0017),
and the search ranks a match in them just after a title match (articles.search.query).

The names live in other rows and are written by many hands -- the admin's inlines, taggit's
manager, the demo loader, revisions' restore, a rename in the taxonomy admin -- so the column
is kept by receivers (connect(), called from AppConfig.ready()) rather than by each writer.
Writers that skip signals (bulk_create, QuerySet.update()) call refresh_search_terms().
"""

import functools
import json

from django.db import connections, router
from django.db.models import JSONField, QuerySet, Value
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from articles.models.article import Article, ArticleAuthor
from articles.models.taxonomy import Author, Section, Tag, TaggedArticle, Topic
from articles.text.segment import segment_for_index

# How Article reaches each label, in the order the names are written.
LABELS = {Section: "section", Topic: "topics", Tag: "tags", Author: "authors"}
BATCH = 1000  # articles per read and per write: well under SQLite's limit on parameters


def names_of(name, translations):
    """A label's name and its names in other languages ({"en": {"name": ...}})."""
    found = [name] if name else []
    for values in (translations or {}).values():
        other = values.get("name") if isinstance(values, dict) else None
        if other and other not in found:
            found.append(str(other))
    return found


def ordered_names(labels):
    """[(kind order, name, translations)] -> every name, in the order search_terms keeps them:
    by kind (LABELS' order), then by name; each label's own name before its translations."""
    found = sorted((order, *names_of(name, translations)) for order, name, translations in labels)
    return [name for _order, *names in found for name in names]


def terms_document(names):
    """The names as the search reads them: jieba words, search-engine mode, lowercased."""
    return segment_for_index("\n".join(names))


def refresh_search_terms(*, article_ids):
    """Recompute search_terms of these articles from their labels as stored now; only rows
    whose terms changed are written (QuerySet-level, so no save(): the edit version and the
    update time stay). Returns {article id: terms} of the rows written."""
    ids = sorted({pk for pk in article_ids if pk is not None})
    written = {}
    for start in range(0, len(ids), BATCH):
        written.update(_refresh_batch(ids[start : start + BATCH]))
    return written


# Stands for the article id in the statement compiled once for one article (_label_rows()).
_ONE_ARTICLE = -(2**62)


def _label_statement(ids):
    """The (kind, article id, name, translations) rows of these articles, kind -1 carrying the
    stored search_terms as the name; one statement (a UNION ALL of outer joins)."""
    rows = Article._default_manager.filter(pk__in=ids).order_by()
    no_translations = Value(None, output_field=JSONField())
    parts = [
        rows.values_list(Value(-1), "pk", "search_terms", no_translations),
        *(
            rows.values_list(
                Value(order),
                "pk",
                f"{path}__name",
                no_translations if path == "tags" else f"{path}__translations",
            )
            for order, path in enumerate(LABELS.values())
        ),
    ]
    return parts[0].union(*parts[1:], all=True)


@functools.cache
def _one_article_sql(alias):
    # Compiling the UNION costs more than running it (~3 ms against ~0.3 ms for one article),
    # and an editor's save refreshes one article several times: compiled once per process.
    return _label_statement([_ONE_ARTICLE]).using(alias).query.sql_with_params()


def _label_rows(ids):
    alias = router.db_for_write(Article)
    if len(ids) != 1:
        return list(_label_statement(ids).using(alias))
    sql, params = _one_article_sql(alias)
    params = [ids[0] if param == _ONE_ARTICLE else param for param in params]
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (kind, pk, name, json.loads(other) if isinstance(other, str) else other)
        for kind, pk, name, other in rows
    ]


def _refresh_batch(ids):
    current, names = {}, {}
    for order, pk, name, translations in _label_rows(ids):
        if order == -1:
            current[pk] = name
        elif name:  # None: an article without that kind of label (an outer join)
            names.setdefault(pk, []).append((order, name, translations))
    changed = {}
    for pk, stored in current.items():
        terms = terms_document(ordered_names(names.get(pk, ())))
        if terms != stored:
            changed[pk] = terms
    if len(changed) == 1:
        ((pk, terms),) = changed.items()
        Article._default_manager.filter(pk=pk).update(search_terms=terms)
    elif changed:
        Article._default_manager.bulk_update(
            [Article(pk=pk, search_terms=terms) for pk, terms in changed.items()],
            ["search_terms"],
            batch_size=500,
        )
    return changed


def articles_of(label):
    """Ids of the articles carrying this section, topic, tag or author."""
    path = LABELS[type(label)]
    return list(Article._default_manager.filter(**{path: label}).values_list("pk", flat=True))


# Receivers. Raw saves (loaddata, a restore) carry their terms; a link loaded after its
# article still refreshes it, so a restore ends with each article's terms complete.


def _article_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (update_fields is not None and "section" not in update_fields):
        return
    if kwargs.get("created") and instance.section_id is None:
        return  # nothing to name yet: no section, and links come after the row
    written = refresh_search_terms(article_ids=[instance.pk])
    if instance.pk in written:
        instance.search_terms = written[instance.pk]


def _article_of(link):
    return link.article_id if isinstance(link, ArticleAuthor) else link.content_object_id


def _link_saved(sender, instance, **kwargs):
    refresh_search_terms(article_ids=[_article_of(instance)])


def _link_deleted(sender, instance, origin=None, **kwargs):
    # Deleted with its article or its label: the article is gone, or the label's own
    # receivers refresh all of its articles at once.
    if isinstance(origin, sender):
        _link_saved(sender, instance)
    elif isinstance(origin, QuerySet) and origin.model is sender:
        # Every row of the QuerySet is gone before the first of these signals: one refresh
        # an article.
        done = origin.__dict__.setdefault("_search_terms_refreshed", set())
        article_id = _article_of(instance)
        if article_id not in done:
            done.add(article_id)
            refresh_search_terms(article_ids=[article_id])


def _links_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """m2m_changed of article.topics / article.tags, either side."""
    if action == "pre_clear" and reverse:
        instance._search_terms_articles = articles_of(instance)
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        refresh_search_terms(article_ids=[instance.pk])
    elif action == "post_clear":
        refresh_search_terms(article_ids=instance.__dict__.pop("_search_terms_articles", ()))
    else:
        refresh_search_terms(article_ids=pk_set or ())


def _stored_names(label):
    translations = (
        Value(None, output_field=JSONField()) if isinstance(label, Tag) else "translations"
    )
    row = type(label)._default_manager.filter(pk=label.pk).values_list("name", translations)
    found = row.first()
    return names_of(*found) if found else None


def _label_saving(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not {"name", "translations"} & set(update_fields):
        return
    instance._search_terms_names = _stored_names(instance)


def _label_saved(sender, instance, **kwargs):
    before = instance.__dict__.pop("_search_terms_names", None)
    if before is None:
        return
    after = names_of(instance.name, getattr(instance, "translations", None))
    if after != before:
        refresh_search_terms(article_ids=articles_of(instance))


def _label_deleting(sender, instance, **kwargs):
    instance._search_terms_articles = articles_of(instance)


def _label_deleted(sender, instance, **kwargs):
    refresh_search_terms(article_ids=instance.__dict__.pop("_search_terms_articles", ()))


def connect():
    """Keep search_terms current; called once from AppConfig.ready()."""
    uid = "search-terms"
    post_save.connect(_article_saved, sender=Article, dispatch_uid=f"{uid}-article")
    for link in (ArticleAuthor, TaggedArticle):
        post_save.connect(_link_saved, sender=link, dispatch_uid=f"{uid}-{link.__name__}")
        post_delete.connect(_link_deleted, sender=link, dispatch_uid=f"{uid}-{link.__name__}")
    for through in (Article.topics.through, TaggedArticle):
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"{uid}-m2m")
    for label in LABELS:
        name = label.__name__
        pre_save.connect(_label_saving, sender=label, dispatch_uid=f"{uid}-{name}")
        post_save.connect(_label_saved, sender=label, dispatch_uid=f"{uid}-{name}")
        pre_delete.connect(_label_deleting, sender=label, dispatch_uid=f"{uid}-{name}")
        post_delete.connect(_label_deleted, sender=label, dispatch_uid=f"{uid}-{name}")
