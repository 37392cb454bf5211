"""The demo's placements, held to the slots' capacity like every other write.

A demo article goes into a seat of its own while its slot has one free; once the slot is full
(the seed article from the Hugo site takes a seat first), it joins the slot's queue
(`Placement.queued`) and shows when a seat frees up, so the demo never puts more live articles
in a slot than it holds, and the desk has a queue to show.
"""

from django.core.exceptions import ValidationError

from articles.curation import rules
from articles.models import Placement


def place_demo_article(*, slot, article, position):
    """The article's placement in `slot` (None when it is there already): fixed when the
    slot has room for it, queued when the capacity rule refuses a fixed one."""
    if slot.placements.filter(article=article).exists():
        return None
    try:
        rules.check_placement(slot=slot, article=article)
    except ValidationError as refused:
        if refused.code != "slot_full":
            raise
        queued = True
    else:
        queued = False
    return Placement.objects.create(slot=slot, article=article, position=position, queued=queued)
