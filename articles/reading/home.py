"""The portal home page's blocks: the carousel and showcase (home_slots(): placements seated by
articles.curation.lineup, empty seats filled by the slot's rule), and under them the latest
news, the directory by channel, the featured games.

Which section is which comes from its fields (articles.reading.portal): a directory has a
button field, a database (games) fact or link fields, and the news section is the other section
with the most visible articles. What a block shows is kept per content generation and event
window (cached_for_content), so a warm home page runs no query for it, and a cold one a fixed
number whatever the data: the sections with their counts (1), the section fields and channels
(kept per generation, 1 + 2), the directory's entries by channel (1, a window query), the
games (1), the slots (1) and their fill candidates (1 per fill rule in use), the slots' live
placements (1). A placement's start and end and an article's publish time are events
(articles/pagecache/state.py), so a queue still moves with the clock.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber

from articles.curation import lineup
from articles.models import Article, Placement, SectionField, Slot
from articles.pagecache.state import cached_for_content
from articles.portal.channels import channels_by_section
from articles.portal.fields import fields_by_section
from articles.reading.pagination import READING_ORDER, reading_order_slice
from articles.reading.portal import is_database, is_directory, sort_order

ENTRIES_PER_CHANNEL = 6
GAMES_ON_HOME = 8


@dataclass
class ChannelBlock:
    title: str
    channel: object = None
    entries: list = field(default_factory=list)


def _visible_sections():
    """[(section, visible article count)], most articles first."""
    counts = (
        Article.objects.published()
        .filter(section=OuterRef("pk"))
        .order_by()
        .values("section")
        .annotate(total=Count("pk"))
        .values("total")
    )
    section_model = Article._meta.get_field("section").related_model
    sections = (
        section_model.objects.annotate(visible=Subquery(counts, output_field=IntegerField()))
        .filter(visible__gt=0)
        .order_by("-visible", "pk")
    )
    return [(section, section.visible) for section in sections]


def _directory_entries(section, channel_ids):
    """{channel id: [article]}: each channel's first ENTRIES_PER_CHANNEL entries in reading
    order, in one query (a window over the channel's topics). An entry in two topics of one
    channel comes twice from the database and once here, so a few more rows are read."""
    if not channel_ids:
        rows = (
            Article.objects.published()
            .filter(section=section)
            .without_text()
            .order_by(*READING_ORDER)[: ENTRIES_PER_CHANNEL * 2]
        )
        return {None: list(rows)}
    rows = (
        Article.objects.published()
        .filter(section=section)
        .without_text()
        .filter(topics__channels__in=channel_ids)
        .annotate(
            channel_id=F("topics__channels"),
            rank=Window(RowNumber(), partition_by=F("topics__channels"), order_by=READING_ORDER),
        )
        .filter(rank__lte=ENTRIES_PER_CHANNEL * 2)
        .order_by("channel_id", "rank")
    )
    grouped = {}
    for row in rows:
        entries = grouped.setdefault(row.channel_id, [])
        if len(entries) < ENTRIES_PER_CHANNEL and all(entry.pk != row.pk for entry in entries):
            entries.append(row)
    return grouped


def _games(section, fields):
    score = next(
        (item for item in fields if item.sortable and item.kind == SectionField.Kind.NUMBER),
        None,
    )
    rows = Article.objects.published().filter(section=section).without_text()
    rows = rows.order_by(*(sort_order(score) if score else READING_ORDER))
    return list(rows[:GAMES_ON_HOME])


def _directory_block(section, *, request):
    channels = channels_by_section(request).get(section.pk, [])
    entries = cached_for_content(
        parts=("home-directory", section.pk, tuple(channel.pk for channel in channels)),
        compute=lambda: _directory_entries(section, [channel.pk for channel in channels]),
    )
    if not channels:
        return [ChannelBlock(title=section.display_name, entries=entries.get(None, []))]
    return [
        ChannelBlock(title=channel.display_title, channel=channel, entries=entries[channel.pk])
        for channel in channels
        if entries.get(channel.pk)
    ]


def _slots_and_fill(keys):
    """The slots of `keys` (in that order) and their fill candidates: 1 query for the slots
    and 1 per fill rule they use, whatever the data."""
    found = {slot.key: slot for slot in Slot.objects.filter(key__in=keys)}
    slots = [found[key] for key in keys if key in found]
    return slots, lineup.fill_candidates(slots)


def home_slots(*keys):
    """{key: [article]}: each slot's seated placements in the moderators' order (fixed ones,
    then the queue, articles.curation.lineup), then its empty seats filled by its rule, never
    an article the page shows twice.

    The live placements (read once for all slots), the slots and their fill candidates are
    kept per content generation and event window (a placement's start or end is an event, so
    the queue moves with the clock): a warm page runs no query for them, a cold one a fixed
    number."""
    live = cached_for_content(
        parts=("home-live", *keys),
        compute=lambda: list(
            Placement.objects.live()
            .filter(slot__key__in=keys)
            .select_related("article", "article__section")
            .order_by("position", "pk")
        ),
    )
    slots, candidates = cached_for_content(
        parts=("home-slots", *keys), compute=lambda: _slots_and_fill(keys)
    )
    by_slot = {}
    for placement in live:
        by_slot.setdefault(placement.slot_id, []).append(placement)
    seated = {
        slot.key: [
            p.article for p in lineup.seat(by_slot.get(slot.pk, []), capacity=slot.capacity)[0]
        ]
        for slot in slots
    }
    shown = lineup.fill_slots(slots, seated, candidates)
    return {key: [article for article, _filled in shown.get(key, [])] for key in keys}


def home_blocks(*, request=None):
    """The blocks of the home page, each present only when it has something to show:
    `news_section` (or None: the latest of all sections), `latest` [article], `directory`
    (section, [ChannelBlock]) or None, `games` (section, [article]) or None."""
    sections = cached_for_content(parts=("home-sections",), compute=_visible_sections)
    fields = fields_by_section(request)
    directory = next((s for s, _ in sections if is_directory(fields.get(s.pk, []))), None)
    games = next(
        (
            s
            for s, _ in sections
            if not is_directory(fields.get(s.pk, [])) and is_database(fields.get(s.pk, []))
        ),
        None,
    )
    news = next(
        (
            s
            for s, _ in sections
            if not (is_directory(fields.get(s.pk, [])) or is_database(fields.get(s.pk, [])))
        ),
        None,
    )
    latest_rows = Article.objects.published().for_cards()
    if news is not None:
        latest_rows = latest_rows.filter(section=news)
    latest = reading_order_slice(
        latest_rows,
        start=0,
        stop=settings.NEWSROOM["HOME_LATEST"],
        list_key=("section", news.pk) if news is not None else ("all",),
    )
    blocks = {"news_section": news, "latest": latest, "directory": None, "games": None}
    if directory is not None:
        channel_blocks = _directory_block(directory, request=request)
        if channel_blocks:
            blocks["directory"] = (directory, channel_blocks)
    if games is not None:
        game_rows = cached_for_content(
            parts=("home-games", games.pk),
            compute=lambda: _games(games, fields.get(games.pk, [])),
        )
        if game_rows:
            blocks["games"] = (games, game_rows)
    return blocks
