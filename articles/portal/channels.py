"""The channels readers see: each section's named groups of terms, with their topics.

Read once per content generation by each process (a save of a channel, its topics, a topic or
a section starts a new one: articles/apps.py), so a warm page runs no query for them.
"""

from articles.models import Channel
from articles.pagecache.keep import GenerationMemo

_channels = GenerationMemo(size=1)


def _load():
    by_section = {}
    channels = Channel.objects.prefetch_related("topics").order_by("section_id", "position", "pk")
    for channel in channels:
        # Topics in name order, as plain lists: the template never asks the database again.
        channel.topic_list = sorted(channel.topics.all(), key=lambda topic: topic.name)
        by_section.setdefault(channel.section_id, []).append(channel)
    return by_section


def channels_by_section(request=None):
    """{section id: [Channel ...]} in position order, each channel with `topic_list`."""
    return _channels.get(("channels",), _load, request=request)
