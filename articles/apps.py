from urllib.parse import unquote

from django.apps import AppConfig
from django.conf import settings
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.pagecache.terms import term_key

# An article's fields that decide what readers see of it before they see the article itself.
_SCHEDULE_FIELDS = ("status", "published_at", "section_id", "language")
# What only the article's own page shows, and the pages marked shows_article_text() (search
# excerpts, feeds, sitemaps): an edit of these alone to a visible article moves the versions
# of those pages, not the generation (docs/ARCHITECTURE.md, "Dependency keys"). Every other
# field, a new one included, counts as shown on lists and cards.
_OWN_PAGE_FIELDS = frozenset(
    {
        "body",
        "toc",
        "lightbox",
        "featured_image_caption",
        "updated_at",
        "edit_version",
        "search_document",
        "search_terms",
        "source_digest",
        "imported_at",
    }
)


_NEWEST_FIELDS = ("published_at", "language", "section_id", "translation_group", "slug")
_PATH_FIELDS = ("slug", "language")


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("内容")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, as Django requires: models are ready only now.
        from django.db.models.signals import post_save

        from articles import models
        from articles.hugo.issues import recheck_after_save
        from articles.media import library
        from articles.models import search_terms
        from articles.pagecache.state import watch_events
        from articles.pagecache.watch import watch_models
        from articles.reading.sitemaps import ArticleSitemap
        from articles.reading.taxonomies import TAXONOMIES
        from articles.search.query import indexed_words

        # First: an article's save rewrites its search_terms when they are out of date, and
        # the receivers below read them after the save (text_words).
        search_terms.connect()
        watch_models(
            models.Ad,
            models.AdSpot,
            models.Author,
            models.Channel,
            models.MenuItem,
            models.Placement,
            models.Section,
            models.SectionField,
            models.Slot,
            models.Tag,
            models.Topic,
            models.Vocabulary,
        )
        # An editor's draft (and its byline, tags, topics) is nobody's business but the desk's:
        # saving it keeps every cached page (docs/ARCHITECTURE.md, "The write path").
        # The newest article's changes (a publish) show only on lists and a few pages:
        # lists_only(), docs/ARCHITECTURE.md "Dependency keys".
        # ...and of those lists, only its own tags', topics' and authors' pages: terms.
        terms = article_terms([(t.name, t.article_field) for t in TAXONOMIES if t.term_pages])
        words = article_words(indexed_words)
        watch_models(
            models.Article,
            unseen=article_unseen,
            listed=article_listed(ArticleSitemap.part_path),
            lists_only=article_lists_only,
            terms=terms,
            text_words=words,
        )
        for model, field in (
            (models.ArticleAuthor, "article"),
            (models.TaggedArticle, "content_object"),
        ):
            watch_models(
                model,
                unseen=relation_unseen(field),
                lists_only=by_article(field, article_lists_only),
                terms=by_article(field, terms),
                text_words=by_article(field, words),
            )
        watch_models(
            models.Article.topics.through,
            m2m=True,
            unseen=article_unseen,
            lists_only=article_lists_only,
            terms=terms,
            text_words=words,
        )
        watch_models(models.Channel.topics.through, m2m=True)
        watch_events(models.next_scheduled_change)
        post_save.connect(recheck_after_save, sender=models.Article, dispatch_uid="content-issues")
        # Every image stored through the media room is registered in the library (MediaImage).
        library.connect(models.MediaImage.objects)


def _schedule(article_model, values):
    """What readers see of an article with these _SCHEDULE_FIELDS values: None when they see it;
    () for a draft; its publish time, section and language while it is scheduled (the next
    scheduled event and the section menu read them)."""
    status, published_at, section_id, language = values
    if status != article_model.Status.PUBLISHED or published_at is None:
        return ()
    if published_at <= timezone.now():
        return None
    return (published_at, section_id, language)


def _stored_schedule(article_model, pk, using):
    row = article_model._base_manager.using(using).filter(pk=pk).values_list(*_SCHEDULE_FIELDS)
    values = row.first()
    return () if values is None else _schedule(article_model, values)


def article_unseen(article, *, stored_in=None):
    """pagecache.watch.watch_models()'s unseen() for Article."""
    if stored_in is not None:
        return _stored_schedule(type(article), article.pk, stored_in)
    return _schedule(type(article), [getattr(article, name) for name in _SCHEDULE_FIELDS])


def _listed_fields(article_model):
    return [
        field.attname
        for field in article_model._meta.concrete_fields
        if field.attname not in _OWN_PAGE_FIELDS
    ]


def article_listed(sitemap_part):
    """pagecache.watch.watch_models()'s listed() for Article: the fields other pages show
    (as stored in `stored_in`, else as the instance holds them) and what gives the paths of its
    pages: its own and the sitemap part listing it with its update time, sitemap_part(article)
    (ArticleSitemap.part_path, a COUNT: only asked for after a save that needs it)."""

    def listed(article, *, stored_in=None):
        names = _listed_fields(type(article))
        if stored_in is not None:
            rows = type(article)._base_manager.using(stored_in).filter(pk=article.pk)
            shown = rows.values_list(*names).first()
        else:
            shown = tuple(getattr(article, name) for name in names)
            shown = tuple(value.name if isinstance(value, FieldFile) else value for value in shown)
        return shown, lambda: (unquote(article.get_absolute_url()), sitemap_part(article))

    return listed


def article_words(indexed_words):
    """watch_models()'s text_words() for Article: its id, its labels (they rank it in search)
    and the words search finds it by, as `stored_in` holds them (indexed_words(), the
    search's)."""

    def words(article, *, stored_in=None):
        stored = type(article)._base_manager.using(stored_in or article._state.db or "default")
        return (article.pk, *indexed_words(stored.filter(pk=article.pk)))

    return words


def article_lists_only(article, *, stored_in=None):
    """watch_models()'s lists_only() for Article, from the row as `stored_in` holds it: while
    the article is the newest visible one of its language, the pages besides the lists that
    show it are its own, the previous article's (its "next" link) and its translations'; None
    when it is not the newest (it may be in newer articles' related lists), when it is the
    first visible article of its section (the section menu on every page), or when related
    lists include newer articles (NEWSROOM["RELATED_INCLUDE_NEWER"])."""
    if settings.NEWSROOM["RELATED_INCLUDE_NEWER"]:
        return None
    model = type(article)
    stored = model._base_manager.using(stored_in or article._state.db or "default")
    row = stored.filter(pk=article.pk).values(*_NEWEST_FIELDS).first()
    if row is None or row["published_at"] is None:
        return None
    visible = stored.filter(status=model.Status.PUBLISHED, published_at__lte=timezone.now())
    others = visible.filter(language=row["language"]).exclude(pk=article.pk)
    later = Q(published_at__gt=row["published_at"]) | Q(
        published_at=row["published_at"], pk__gt=article.pk
    )
    if others.filter(later).exists():
        return None
    if row["section_id"] is not None and not others.filter(section_id=row["section_id"]).exists():
        return None
    shown_on = [model(pk=article.pk, slug=row["slug"], language=row["language"])]
    shown_on += others.filter(~later).order_by("-published_at", "-pk").only(*_PATH_FIELDS)[:1]
    shown_on += (
        visible.filter(translation_group=row["translation_group"])
        .exclude(pk=article.pk)
        .only(*_PATH_FIELDS)
    )
    return tuple(unquote(item.get_absolute_url()) for item in shown_on)


def article_terms(term_fields):
    """watch_models()'s terms() for Article: the term keys of the terms whose pages list it,
    term_fields [(taxonomy name, Article field)] (the taxonomies with term_pages), as
    `stored_in` (else the article's database) holds them. Called before a change and after it
    (an m2m change: on its pre_ and post_ signals), so a term added or taken away is named."""

    def terms(article, *, stored_in=None):
        model = type(article)
        row = model._base_manager.using(stored_in or article._state.db or "default")
        row = row.filter(pk=article.pk)
        found = set()
        for name, field in term_fields:
            pks = row.values_list(field, flat=True)
            found |= {term_key(name, pk) for pk in pks if pk is not None}
        return found

    return terms


def by_article(field, judge):
    """A watch_models() callable (lists_only(), terms(), text_words()) for a row of an
    article's byline or tags: judge(), Article's own, asked of the row's article."""

    def judged(row, *, stored_in=None):
        article_model = row._meta.get_field(field).related_model
        article = article_model(pk=getattr(row, f"{field}_id"))
        article._state.db = stored_in or row._state.db
        return judge(article, stored_in=stored_in)

    return judged


def relation_unseen(field):
    """unseen() for a row of an article's byline or tags: () while the article is not visible,
    scheduled included (nothing kept for readers reads the byline or tags of an article they
    cannot see yet; at its publish time every page is keyed anew), None once it is."""

    def unseen(row, *, stored_in=None):
        article_model = row._meta.get_field(field).related_model
        article_id = getattr(row, f"{field}_id")
        schedule = _stored_schedule(article_model, article_id, stored_in or row._state.db)
        return None if schedule is None else ()

    return unseen
