"""{% language_versions as versions %}: this page in each language (articles.reading.languages),
for the header's switch and the `hreflang` links."""

from django import template

from articles.reading.languages import page_versions
from articles.reading.site_url import absolute_url

register = template.Library()


@register.simple_tag(takes_context=True)
def language_versions(context):
    request = context.get("request")
    if request is None:
        return []
    versions = page_versions(request.path, existing=context.get("article_versions"))
    for version in versions:
        version["absolute"] = absolute_url(request, version["url"])
    return versions
