"""Article revisions, kept by django-reversion.

Why django-reversion rather than django-simple-history: it stores a revision as a separate
serialized snapshot (no shadow table to migrate alongside every change to Article), groups the
objects saved together with who and a comment, and leaves the saving to us, so a revision is
recorded exactly where a save happens through the admin or a service, after the form's
many-to-many fields are in place.
"""

import difflib
import re
from datetime import datetime

import reversion
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Version

from articles.media.renditions import make_article_renditions
from articles.models import Article, ArticleAuthor, Section, TaggedArticle, Topic

TRACKED_FIELDS = [
    "title",
    "language",
    "slug",
    "description",
    "body",
    "featured_image",
    "featured_image_alt",
    "featured_image_caption",
    "section",
    "topics",
    "status",
    "published_at",
    "weight",
    "lightbox",
    "toc",
    "extra",
    "fields",
]
# Restoring brings back the words, not the publication state: publishing and unpublishing
# stay explicit actions of someone allowed to do them.
# Publishing and ordering weight are decisions of their own roles, never brought back by a restore.
# The language is not the words either: it is the article's place in its translation group, and
# bringing an old one back could collide with the version that now holds that language.
RESTORED_FIELDS = [
    name for name in TRACKED_FIELDS if name not in ("status", "published_at", "weight", "language")
]
LONG_TEXT_FIELDS = {"body", "description"}

# Each revision also keeps the edit_version it was saved at and the byline and tag rows, so a
# save can find the version its form was opened at and merge against it (editorial/merge.py).
RELATIONS = {"authors": "article_authors", "tags": "taggedarticle_set"}
if not reversion.is_registered(ArticleAuthor):
    reversion.register(ArticleAuthor, fields=["article", "author", "position"])
if not reversion.is_registered(TaggedArticle):
    reversion.register(TaggedArticle, fields=["content_object", "tag"])
if not reversion.is_registered(Article):
    reversion.register(
        Article, fields=[*TRACKED_FIELDS, "edit_version"], follow=list(RELATIONS.values())
    )


def record(*, article, by, comment=""):
    """Store the article as it is now as a new revision by `by`."""
    with reversion.create_revision():
        if by is not None and by.is_authenticated:
            reversion.set_user(by)
        reversion.set_comment(str(comment))
        reversion.add_to_revision(article)


def ensure_baseline(article):
    """Before the first recorded change to an article saved elsewhere (an import, a script),
    keep its stored state, so the first change has something to be compared with."""
    if article.pk is None or Version.objects.get_for_object(article).exists():
        return
    stored = Article.objects.filter(pk=article.pk).first()
    if stored is not None:
        record(article=stored, by=None, comment=_("最初的版本（修订记录开始之前）"))


def versions_of(article):
    """Newest first, with their revision and its user fetched."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def latest_revision(article):
    version = versions_of(article).first()
    return version.revision if version else None


def version_at(article, edit_version):
    """The revision recorded when the article was at `edit_version`, or None (saved outside
    the admin, or before revisions kept the number)."""
    for version in versions_of(article).only("pk", "serialized_data", "format", "revision"):
        recorded = version.field_dict.get("edit_version")
        if recorded == edit_version:
            return version
        if recorded is not None and recorded < edit_version:
            return None
    return None


def relations_of(article):
    """The byline (author ids in order) and the tags (sorted ids) as they are stored now."""
    return {
        "authors": list(article.article_authors.values_list("author_id", flat=True)),
        "tags": sorted(article.taggedarticle_set.values_list("tag_id", flat=True)),
    }


def relations_at(version):
    """The byline and tags kept with a revision (see RELATIONS)."""
    authors, tags = [], []
    for other in version.revision.version_set.all():
        model = other._model
        if model is ArticleAuthor:
            data = other.field_dict
            authors.append((data.get("position") or 0, int(other.object_id), data["author_id"]))
        elif model is TaggedArticle:
            tags.append(other.field_dict["tag_id"])
    return {
        "authors": [author for *_order, author in sorted(authors)],
        "tags": sorted(tags),
    }


def _attname(name):
    return Article._meta.get_field(name).attname


def _value(field_dict, name):
    value = field_dict.get(_attname(name))
    if name == "featured_image":
        return str(value or "")
    if name == "topics":
        return sorted(value or [])
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0)  # the admin edits times by the minute
    return value


def field_value(field_dict, name):
    """A tracked field's value from a field dict, normalised so equal values compare equal."""
    return _value(field_dict, name)


def changed_fields(old, new):
    """Names of the tracked fields that differ between two field dicts (old may be None)."""
    if old is None:
        return []
    return [name for name in TRACKED_FIELDS if _value(old, name) != _value(new, name)]


def field_label(name):
    return str(Article._meta.get_field(name).verbose_name)


def history(article):
    """Each revision with who, when, its comment and which fields it changed."""
    versions = list(versions_of(article))
    entries = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changed = changed_fields(previous.field_dict if previous else None, version.field_dict)
        entries.append(
            {
                "version": version,
                "revision": version.revision,
                "user": version.revision.user,
                "date": version.revision.date_created,
                "comment": version.revision.comment,
                "changed": [field_label(name) for name in changed],
                "is_first": previous is None,
            }
        )
    return entries


def readable(name, value):
    """A field value as an editor would recognise it."""
    if value in (None, "", []):
        return "—"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if name == "section":
        return str(Section.objects.filter(pk=value).first() or value)
    if name == "topics":
        return "、".join(Topic.objects.filter(pk__in=value).values_list("name", flat=True))
    if name == "status":
        return str(Article.Status(value).label) if value in Article.Status.values else value
    if name == "language":
        return str(dict(settings.LANGUAGES).get(value, value))
    return str(value)


_BLOCK_END = re.compile(r"(</(?:p|h[1-6]|li|ul|ol|blockquote|pre|figure|table|tr|div)>|<br\s*/?>)")


def text_lines(text):
    """Split text (HTML body included) into lines a person can compare: one block per line."""
    text = _BLOCK_END.sub(r"\1\n", text or "")
    return [line.strip() for line in text.splitlines() if line.strip()]


def diff_table(old_text, new_text, *, old_label, new_label):
    """A side-by-side HTML table of the changed lines (difflib escapes the text)."""
    return difflib.HtmlDiff(wrapcolumn=60).make_table(
        text_lines(old_text),
        text_lines(new_text),
        fromdesc=old_label,
        todesc=new_label,
        context=True,
        numlines=2,
    )


def compare(old_dict, new_dict, *, old_label, new_label):
    """The differences between two field dicts: a diff table for long text, old → new otherwise."""
    rows = []
    for name in TRACKED_FIELDS:
        old, new = _value(old_dict, name), _value(new_dict, name)
        if old == new:
            continue
        row = {"name": name, "label": field_label(name)}
        if name in LONG_TEXT_FIELDS:
            row["table"] = diff_table(old, new, old_label=old_label, new_label=new_label)
        else:
            row["old"], row["new"] = readable(name, old), readable(name, new)
        rows.append(row)
    return rows


def current_field_dict(article):
    data = {_attname(name): getattr(article, _attname(name)) for name in TRACKED_FIELDS}
    data["topics"] = list(article.topics.values_list("pk", flat=True)) if article.pk else []
    return data


def restore(*, article, version, by):
    """Bring back an old revision's content as a new save, recorded as a revision itself."""
    data = version.field_dict
    for name in RESTORED_FIELDS:
        if name == "topics":
            continue
        attname = _attname(name)
        if attname in data:
            setattr(article, attname, data[attname])
    article.save()
    make_article_renditions(article)
    if "topics" in data:
        article.topics.set(Topic.objects.filter(pk__in=data["topics"]))
    when = timezone.localtime(version.revision.date_created).strftime("%Y-%m-%d %H:%M")
    record(article=article, by=by, comment=_("恢复到 %(when)s 的版本") % {"when": when})
    return article
