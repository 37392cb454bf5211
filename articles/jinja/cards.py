"""{{ card(article, position=n) }}: an article card, rendered once per content generation.

A list page is twenty cards, and rendering a card (template nodes, a picture, the byline's
reverse() calls) is most of the page's time. The same articles' cards appear on the home page,
the lists and the taxonomy pages, so each process keeps the HTML of recent cards, keyed by the
content generation (articles/pagecache/generation.py: any save of what a card shows starts a
new one), the
language, the article and what differs by page (pinned badge, eager image).

{{ result_meta(article) }}: a search result's line of section, date and byline, which the same
articles show in every search, kept the same way: keyed by the content generation, the
language, the time zone (the date's) and the article.

{{ home_featured() }}: the home page's carousel and showcase, kept the same way, keyed by the
content generation, the language and the ids of the articles each shows, in order (which
placements are live moves with the clock, so the ids are read on every request).
"""

from django.utils import timezone
from django.utils.translation import get_language

from articles.jinja.markup import rendered
from articles.pagecache.keep import GenerationMemo

cards = GenerationMemo(size=2000)


def card(context, article, *, position=0):
    # The first two cards of a list load their image at once unless the home page's featured
    # block is above them.
    eager = 0 < position <= 2 and not (context.get("carousel") or context.get("showcase"))
    pinned = bool(getattr(article, "is_pinned", False))
    return cards.get(
        (get_language(), article.pk, pinned, eager),
        lambda: rendered(
            ["includes/card.html"], {"article": article, "pinned": pinned, "eager": eager}
        ),
        request=context.get("request"),
    )


def result_meta(context, article):
    return cards.get(
        ("result-meta", get_language(), timezone.get_current_timezone_name(), article.pk),
        lambda: rendered(["includes/result_meta.html"], {"article": article}),
        request=context.get("request"),
    )


def home_featured(context):
    carousel, showcase = context.get("carousel") or [], context.get("showcase") or []
    return cards.get(
        (
            "home-featured",
            get_language(),
            tuple(article.pk for article in carousel),
            tuple(article.pk for article in showcase),
        ),
        lambda: rendered(
            ["includes/home_featured.html"], {"carousel": carousel, "showcase": showcase}
        ),
        request=context.get("request"),
    )
