"""A page in the site's other languages: where the language switch and `hreflang` lead.

Each language has its own pages (newsroom/urls.py: the site's language at /, the others under
their prefix). A list, a tag or the home page exists in every language; an article only in the
languages its translation group has, so the switch leads to the same article in the other
language when there is one, else to that language's home page.
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections, router
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, translate_url
from django.utils import timezone, translation

from articles.models import Article
from articles.models.addresses import cached_reverse


def article_versions(article):
    """{language: URL} of the article's visible versions, itself included (one statement).

    Plain SQL written from the model's table and column names, as articles.reading.labels
    does and for its reason: building and compiling the queryset cost 0.6 ms of CPU on every
    article page, the database 0.1 ms. The versions of a group have one language each
    (the one_translation_per_language constraint), so the rows need no order."""
    using = router.db_for_read(Article)
    connection = connections[using]
    q = connection.ops.quote_name
    group = Article._meta.get_field("translation_group")
    sql = (
        f"SELECT {q('language')}, {q('slug')} FROM {q(Article._meta.db_table)} "
        f"WHERE {q('translation_group')} = %s AND {q('status')} = %s "
        f"AND {q('published_at')} <= %s AND {q('id')} <> %s"
    )
    params = [
        group.get_db_prep_value(article.translation_group, connection),
        Article.Status.PUBLISHED,
        connection.ops.adapt_datetimefield_value(timezone.now()),
        article.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    versions = {
        language: cached_reverse("articles:article-detail", language=language, slug=slug)
        for language, slug in rows
    }
    versions[article.language] = article.get_absolute_url()
    return versions


def page_versions(path, *, existing=None):
    """[{code, name, url, exists}] in the site's language order. existing: {language: URL}
    of the versions a page has (an article's); without it the page exists in every language
    (translate_url() gives its address there)."""
    versions = []
    for code, _name in settings.LANGUAGES:
        if existing is None:
            url, exists = (
                _translated(
                    path, code, translation.get_language(), get_urlconf(), get_script_prefix()
                ),
                True,
            )
        else:
            url, exists = existing.get(code), code in existing
            if not exists:
                url = cached_reverse("articles:home", language=code)
        info = translation.get_language_info(code)
        versions.append({"code": code, "name": info["name_local"], "url": url, "exists": exists})
    return versions


@lru_cache(maxsize=4096)
def _translated(path, code, active, urlconf, prefix):
    """translate_url(path, code), remembered: a pure function of the path, the language, the
    active language (the one the path is resolved in) and the URL patterns (the urlconf and
    script prefix are in the key; the patterns do not change
    while a process runs, and a test that swaps them changes a setting, which empties this).
    Pages are re-rendered after every change; their addresses in the other languages are not."""
    return translate_url(path, code)


@receiver(setting_changed)
def _forget(**kwargs):
    _translated.cache_clear()
