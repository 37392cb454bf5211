"""{% card article position=n %}: an article card, rendered once per content generation.

A list page is twenty cards, and rendering a card (template nodes, a picture, the byline's
reverse() calls) is most of the page's time. The same articles' cards appear on the home page,
the lists and the taxonomy pages, so each process keeps the HTML of recent cards, keyed by the
content generation (articles/pagecache/generation.py: any save of what a card shows starts a
new one), the
language, the article and what differs by page (pinned badge, eager image).
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from articles.pagecache.keep import GenerationMemo

register = template.Library()

cards = GenerationMemo(size=2000)


@register.simple_tag(takes_context=True)
def card(context, article, *, position=0):
    # The first two cards of a list load their image at once unless the home page's featured
    # block is above them.
    eager = 0 < position <= 2 and not (context.get("carousel") or context.get("showcase"))
    pinned = bool(getattr(article, "is_pinned", False))
    html = cards.get(
        (get_language(), article.pk, pinned, eager),
        lambda: get_template("includes/card.html").render(
            {"article": article, "pinned": pinned, "eager": eager}
        ),
        request=context.get("request"),
    )
    return mark_safe(html)  # noqa: S308 - rendered by the (autoescaping) card template
