"""HTML the page's helpers render from a template of their own."""

from django.template.loader import select_template
from django.utils.safestring import mark_safe


def rendered(template_names, values):
    """The first of `template_names` found, rendered with `values`, as markup. Django's Jinja2
    backend returns plain text, which the page would escape a second time; the template has
    escaped what it was given (autoescape)."""
    html = select_template(template_names).render(values)
    return mark_safe(html)  # noqa: S308 - rendered by an autoescaping template
