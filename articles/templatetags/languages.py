"""{% language_versions as versions %}: this page in each language (articles.reading.languages),
for the header's switch and the `hreflang` links."""

from django import template

from articles.reading.languages import page_versions

register = template.Library()


@register.simple_tag(takes_context=True)
def language_versions(context):
    request = context.get("request")
    if request is None:
        return []
    versions = page_versions(request.path, existing=context.get("article_versions"))
    for version in versions:
        version["absolute"] = request.build_absolute_uri(version["url"])
    return versions
