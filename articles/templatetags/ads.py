"""{% ad_spot "key" %}: the live ads of a spot. (Being built: renders nothing yet.)"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def ad_spot(context, key):
    return ""
