"""A three-way merge of an article save, field by field.

base: the revision the form was opened at (`seen_version`); theirs: the row as it is now; mine:
what the form posts. A field only I changed takes mine, one only they changed keeps theirs, the
same change on both sides is fine, and different changes on both sides are a conflict the
editor decides. Without a base (a form without its version, a version saved outside the admin)
every field where theirs and mine differ is a conflict: nothing is overwritten without a choice.
The byline and the tags are merged the same way, each as one whole value.
"""

import difflib
import html
from dataclasses import dataclass, field

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy

from articles.editorial import revisions
from articles.models import Author, Tag

RELATION_LABELS = {"authors": gettext_lazy("署名作者"), "tags": gettext_lazy("标签")}
MINE, THEIRS, EDITED = "mine", "theirs", "edit"
CHOICES = (MINE, THEIRS, EDITED)


@dataclass
class Outcome:
    mine: list = field(default_factory=list)  # fields only I changed, or where I chose mine
    theirs: list = field(default_factory=list)  # their changes kept
    chosen_theirs: list = field(default_factory=list)  # conflicts where I took theirs
    conflicts: list = field(default_factory=list)  # undecided: (name, theirs, mine)

    def keeps_theirs(self, name):
        return name in self.theirs or name in self.chosen_theirs


def merge(*, names, base, theirs, mine, choices):
    """Decide every field of `names`: each side is a dict of comparable values (see
    `comparable`); `base` may be None; `choices` maps a field to mine/theirs/edit."""
    outcome = Outcome()
    for name in names:
        ours, others = mine[name], theirs[name]
        if ours == others:
            continue
        if base is not None and ours == base[name]:
            outcome.theirs.append(name)
        elif base is not None and others == base[name]:
            outcome.mine.append(name)
        elif choices.get(name) in (MINE, EDITED):
            outcome.mine.append(name)
        elif choices.get(name) == THEIRS:
            outcome.chosen_theirs.append(name)
        else:
            outcome.conflicts.append(name)
    return outcome


def comparable(field_dict, relations, names):
    """{name: value} of a revision's field dict and byline/tags, normalised for comparison."""
    values = {name: revisions.field_value(field_dict, name) for name in names}
    values.update(relations)
    return values


def posted_relations(data):
    """The byline (author ids in order) and tags (ids, or typed new names) a form posts, for
    the inlines whose management form it carries."""
    relations = {}
    rows = _rows(data, revisions.RELATIONS["authors"], "author")
    if rows is not None:
        relations["authors"] = [int(v) for _order, v in sorted(rows) if str(v).isdigit()]
    rows = _rows(data, revisions.RELATIONS["tags"], "tag")
    if rows is not None:
        ids, names = set(), set()
        for _order, value in rows:
            text = str(value).strip()
            tag = Tag.objects.filter(pk=int(text)).first() if text.isdigit() else None
            tag = tag or Tag.objects.filter(name=text).first()
            if tag is not None:
                ids.add(tag.pk)
            else:
                names.add(text)
        relations["tags"] = [*sorted(ids), *sorted(names)]
    return relations


def _rows(data, prefix, name):
    try:
        total = int(data[f"{prefix}-TOTAL_FORMS"])
    except (KeyError, ValueError):
        return None
    rows = []
    for index in range(min(total, 1000)):
        value = data.get(f"{prefix}-{index}-{name}")
        if not value or data.get(f"{prefix}-{index}-DELETE"):
            continue
        position = data.get(f"{prefix}-{index}-position") or "0"
        rows.append(((int(position) if position.isdigit() else 0, index), value))
    return rows


def label(name):
    if name in RELATION_LABELS:
        return str(RELATION_LABELS[name])
    return revisions.field_label(name)


def readable(name, value):
    if name == "authors":
        names = dict(Author.objects.filter(pk__in=value).values_list("pk", "name"))
        return "、".join(names.get(pk, f"#{pk}") for pk in value) or "—"
    if name == "tags":
        names = dict(
            Tag.objects.filter(pk__in=[v for v in value if isinstance(v, int)]).values_list(
                "pk", "name"
            )
        )
        return "、".join(names.get(v, str(v)) for v in value) or "—"
    return revisions.readable(name, value)


def plain_lines(text):
    """Text as an editor reads it: one block per line, tags and entities gone."""
    lines = (html.unescape(strip_tags(line)).strip() for line in revisions.text_lines(text))
    return [line for line in lines if line]


def conflict_rows(*, names, theirs, mine, theirs_label, mine_label):
    """Both versions of each conflicting field, side by side (long text as a diff of its
    readable text, not of its markup)."""
    rows = []
    for name in names:
        row = {"name": name, "label": label(name)}
        if name in revisions.LONG_TEXT_FIELDS:
            row["table"] = difflib.HtmlDiff(wrapcolumn=60).make_table(
                plain_lines(theirs[name]),
                plain_lines(mine[name]),
                fromdesc=theirs_label,
                todesc=mine_label,
                context=True,
                numlines=2,
            )
        else:
            row["old"], row["new"] = readable(name, theirs[name]), readable(name, mine[name])
        rows.append(row)
    return rows
