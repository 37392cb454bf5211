"""A page in the site's other languages: where the language switch and `hreflang` lead.

Each language has its own pages (newsroom/urls.py: the site's language at /, the others under
their prefix). A list, a tag or the home page exists in every language; an article only in the
languages its translation group has, so the switch leads to the same article in the other
language when there is one, else to that language's home page.
"""

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import timezone, translation

from articles.models import Article


def article_versions(article):
    """{language: URL} of the article's visible versions, itself included (one statement)."""
    others = (
        Article.objects.filter(
            translation_group=article.translation_group,
            status=Article.Status.PUBLISHED,
            published_at__lte=timezone.now(),
        )
        .exclude(pk=article.pk)
        .only("slug", "language")
    )
    versions = {other.language: other.get_absolute_url() for other in others}
    versions[article.language] = article.get_absolute_url()
    return versions


def page_versions(path, *, existing=None):
    """[{code, name, url, exists}] in the site's language order. existing: {language: URL}
    of the versions a page has (an article's); without it the page exists in every language
    (translate_url() gives its address there)."""
    versions = []
    for code, _name in settings.LANGUAGES:
        if existing is None:
            url, exists = translate_url(path, code), True
        else:
            url, exists = existing.get(code), code in existing
            if not exists:
                with translation.override(code):
                    url = reverse("articles:home")
        info = translation.get_language_info(code)
        versions.append({"code": code, "name": info["name_local"], "url": url, "exists": exists})
    return versions
