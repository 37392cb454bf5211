"""{% share_links article as share %}: the share block's links (articles.reading.share)."""

from django import template

from articles.reading import share

register = template.Library()


@register.simple_tag(takes_context=True)
def share_links(context, article):
    return share.share_links(context["request"], article)
