"""Who sits in a slot's seats at a given moment, who waits in line, and what fills the rest.

One rule, read the same way by the home page (articles.reading.home) and the curation desk
(articles.admin.desk), computed when read: no worker moves a queue forward.

- A placement *may show* at a moment when its window is open and its article is published.
- Seats go first to the fixed placements (not `queued`), in the moderators' order (position,
  then id), then to the queued ones in the same order; a slot without a capacity seats all.
  The rules (articles.curation.rules) keep fixed placements within the capacity; one beyond
  it (written around them, e.g. by an import) waits in line like a queued one.
- Those seated are shown in the moderators' order. When a seated placement ends, the next one
  in line is seated at that moment: its end is a placement window's end, which the page cache
  already watches (models.next_scheduled_change), so the page is read anew then.
- Seats still empty are filled by the slot's `fill` rule from the latest published articles
  (of its section), skipping every article the page already shows in a slot.
"""

from articles.models import Article, Slot

LATEST = ("-published_at", "-pk")


def _key(placement):
    return (placement.position, placement.pk)


def may_show(placement, *, at):
    """The placement's window is open at `at` and readers can see its article then."""
    article = placement.article
    return (
        (placement.starts_at is None or placement.starts_at <= at)
        and (placement.ends_at is None or placement.ends_at > at)
        and article.status == Article.Status.PUBLISHED
        and article.published_at is not None
        and article.published_at <= at
    )


def seat(placements, *, capacity):
    """(seated, in line) among placements that may show: seated in the moderators' order,
    the line in the order its placements will be seated."""
    line = sorted(placements, key=lambda p: (p.queued, *_key(p)))
    seats = len(line) if capacity is None else capacity
    return sorted(line[:seats], key=_key), line[seats:]


def seated_at(placements, *, capacity, at):
    return seat([p for p in placements if may_show(p, at=at)], capacity=capacity)[0]


def goes_live_at(placement, placements, *, capacity, now):
    """When `placement` (not seated at `now`) will be seated if nobody changes anything: the
    first moment after `now` at which a window opens or closes or an article is published and
    it has a seat; None when no such moment comes (it waits for a seat a moderator frees, or
    for its article to be published)."""
    moments = set()
    for other in placements:
        published = other.article.status == Article.Status.PUBLISHED
        for moment in (
            other.starts_at,
            other.ends_at,
            other.article.published_at if published else None,
        ):
            if moment is not None and moment > now:
                moments.add(moment)
    for moment in sorted(moments):
        if any(p.pk == placement.pk for p in seated_at(placements, capacity=capacity, at=moment)):
            return moment
    return None


def fills(slots):
    """The slots (in page order) that fill empty seats, each with its capacity."""
    return [slot for slot in slots if slot.capacity and slot.fill and slot.fill != Slot.Fill.NONE]


def fill_candidates(slots):
    """{slot key: [article]}: enough of the latest visible articles for each filling slot to
    fill every seat whatever the page's slots already show: one query per distinct rule.
    Articles come with their section, without their heavy text."""
    filling = fills(slots)
    if not filling:
        return {}
    shown_at_most = sum(slot.capacity for slot in slots if slot.capacity)
    found = {}
    for rule in {(slot.fill, slot.fill_section_id) for slot in filling}:
        wanted = [slot for slot in filling if (slot.fill, slot.fill_section_id) == rule]
        rows = Article.objects.published().for_cards().without_text()
        if rule[0] == Slot.Fill.SECTION:
            if rule[1] is None:
                continue  # no section chosen: nothing to fill from
            rows = rows.filter(section_id=rule[1])
        rows = list(rows.order_by(*LATEST)[: shown_at_most + max(s.capacity for s in wanted)])
        for slot in wanted:
            found[slot.key] = rows
    return found


def fill_slots(slots, seated, candidates):
    """{slot key: [(article, filled?)]}: each slot's seated articles, then its empty seats
    filled from `candidates` (fill_candidates()) in page order, never an article the page
    shows already. `seated` is {slot key: [article]}."""
    shown = {article.pk for articles in seated.values() for article in articles}
    result = {}
    for slot in slots:
        rows = [(article, False) for article in seated.get(slot.key, [])]
        empty = (slot.capacity or 0) - len(rows)
        for article in candidates.get(slot.key, []):
            if empty <= 0:
                break
            if article.pk not in shown:
                shown.add(article.pk)
                rows.append((article, True))
                empty -= 1
        result[slot.key] = rows
    return result
