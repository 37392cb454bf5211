"""Portal content in an export, written the way the import reads it back (portal.py):
section fields as front matter keys, channels as `p<Taxonomy>/<n>/index.md` hidePage pages,
ads as `ads/<adtype>/<name>/index.md` with their images beside them, menus as
`config/_default/menus.<lang>.toml`."""

import json
import re
from pathlib import PurePosixPath

from articles.hugo.export_paths import UnsafePath, copy_media, part, safe_file, safe_folder
from articles.hugo.frontmatter import dump_yaml
from articles.hugo.permalinks import urlize
from articles.hugo.portal_ads import ADTYPE_BY_SPOT
from articles.hugo.vocabularies import CATEGORIES
from articles.models import Ad, Channel, MenuItem, SectionField, Vocabulary
from articles.portal.fields import front_matter_value

# Our language codes as the export's config names them (its default language is zh-cn).
HUGO_LANGUAGES = {"zh-hans": "zh-cn"}
_TOML_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def declared_fields():
    """{section id: [SectionField ...]}: read once per export."""
    found = {}
    for field in SectionField.objects.order_by("section_id", "position", "pk"):
        found.setdefault(field.section_id, []).append(field)
    return found


def field_keys(article, meta, declared):
    """The article's field values as front matter keys; values of keys its section no longer
    declares as they are. A key the page already uses for something else (a field named
    `title`) is left out."""
    values = article.fields if isinstance(article.fields, dict) else {}
    extra = article.extra if isinstance(article.extra, dict) else {}
    fields = {field.key: field for field in declared.get(article.section_id, [])}
    found = {}
    for key, value in values.items():
        if not isinstance(key, str) or (key in meta and key not in extra):
            continue
        value = front_matter_value(fields[key], value) if key in fields else value
        if value is not None:
            found[key] = value
    return found


def channel_taxonomies():
    """{channel pk: the taxonomy its page lists terms of}: the vocabulary of its topics when
    the import can find the channel's section by that name, else the section's slug."""
    found = {}
    for channel in _channels():
        section = channel.section
        keys = [t.vocabulary.key for t in channel.topics.all() if t.vocabulary_id]
        key = keys[0] if keys else ""
        if not key or (urlize(key) != section.slug and key.casefold() != section.name.casefold()):
            key = section.slug
        found[channel.pk] = key
    return found


def topic_taxonomy(topic):
    """The taxonomy a topic's term is exported under: its vocabulary's key, else news."""
    return topic.vocabulary.key if topic.vocabulary_id else "news"


def vocabulary_taxonomies():
    return [key for key in Vocabulary.objects.values_list("key", flat=True) if key != CATEGORIES]


def config_taxonomies(base, taxonomies):
    """The config text with the channels' taxonomies declared after base's."""
    declared = set(re.findall(r'^\w+ = "([^"]+)"$', base, flags=re.MULTILINE))
    lines = [f"{_toml_key(t)} = {_toml_string(t)}" for t in sorted(set(taxonomies) - declared)]
    return base + "".join(f"{line}\n" for line in lines)


def export_portal(*, root, out, content, report, taxonomies):
    _export_channels(root, content, report, taxonomies)
    _export_ads(root, content, report)
    _export_menus(root, out, report)


def _channels():
    return (
        Channel.objects.select_related("section")
        .prefetch_related("topics__vocabulary")
        .order_by("section__slug", "position", "pk")
    )


def _export_channels(root, content, report, taxonomies):
    counters = {}
    for channel in _channels():
        what = f"channel {channel.pk} ({channel.title[:80]!r})"
        terms = [topic.name for topic in channel.topics.all()]
        if not terms:
            report.skip(what, "not exported: a channel page lists the terms it groups; none")
            continue
        taxonomy = taxonomies[channel.pk]
        folder = "p" + taxonomy[:1].upper() + taxonomy[1:]
        counters[folder] = counters.get(folder, 0) + 1
        meta = {
            "title": channel.title,
            "weight": channel.position,
            "draft": False,
            "hidePage": True,
            "ico": channel.icon_svg,
            taxonomy: terms,
        }
        try:
            bundle = safe_folder(root, content, folder, str(counters[folder]))
            safe_file(root, bundle, "index.md").write_text(dump_yaml(meta), encoding="utf-8")
            english = (channel.translations or {}).get("en", {}).get("title")
            if english:
                text = dump_yaml({**meta, "title": english})
                safe_file(root, bundle, "index.en.md").write_text(text, encoding="utf-8")
        except (UnsafePath, OSError) as exc:
            report.skip(what, f"not exported: {exc}")
            continue
        report.channels += 1


def _export_ads(root, content, report):
    used = set()
    for ad in Ad.objects.select_related("spot").order_by("spot__position", "position", "pk"):
        what = f"ad {ad.pk} ({ad.title[:80]!r})"
        adtype = ADTYPE_BY_SPOT.get(ad.spot.key, ad.spot.key)
        name = _ad_folder(ad, adtype, used)
        try:
            bundle = safe_folder(root, content, "ads", adtype, name)
            meta = {
                "title": ad.title,
                "weight": ad.position,
                "draft": not ad.enabled,
                "link": ad.link,
                "adtype": adtype,
                "adshow": ad.pages,
                "featuredImage": copy_media(ad.image.name, bundle, report) if ad.image else "",
            }
            if ad.phone_image:
                meta["featuredImage1"] = copy_media(ad.phone_image.name, bundle, report)
            if ad.starts_at:  # Hugo's own keys for a page's window
                meta["publishDate"] = ad.starts_at.isoformat()
            if ad.ends_at:
                meta["expiryDate"] = ad.ends_at.isoformat()
            safe_file(root, bundle, "index.md").write_text(dump_yaml(meta), encoding="utf-8")
        except (UnsafePath, OSError) as exc:
            report.skip(what, f"not exported: {exc}")
            continue
        report.ads += 1


def _ad_folder(ad, adtype, used):
    """The ad's folder name from the page it was imported from (ads/1/<name>/index.md),
    else ad-<pk>; never the same twice under one adtype."""
    parts = PurePosixPath(ad.source_path).parts
    name = parts[2] if len(parts) == 4 and parts[0] == "ads" else ""
    try:
        name = part(name) if name else ""
    except UnsafePath:
        name = ""
    if not name or (adtype, name) in used:
        name = f"ad-{ad.pk}"
    used.add((adtype, name))
    return name


def _export_menus(root, out, report):
    items = list(MenuItem.objects.select_related("parent").order_by("language", "menu", "position"))
    by_language = {}
    for item in items:
        by_language.setdefault(item.language, []).append(item)
    for language, rows in by_language.items():
        code = HUGO_LANGUAGES.get(language, language)
        lines = []
        for item in sorted(rows, key=lambda row: (row.menu, row.position, row.pk)):
            lines.append(f"[[{_toml_key(item.menu)}]]")
            entry = {"identifier": item.identifier, "name": item.name, "url": item.url}
            entry |= {"title": item.title}
            if item.parent:
                entry["parent"] = item.parent.identifier or item.parent.name
            lines += [f"  {key} = {_toml_string(value)}" for key, value in entry.items() if value]
            lines += [f"  weight = {int(item.position)}", ""]
        try:
            folder = safe_folder(root, out, "config", "_default")
            path = safe_file(root, folder, f"menus.{code}.toml")
            path.write_text("\n".join(lines), encoding="utf-8")
        except (UnsafePath, OSError) as exc:
            report.skip(f"menus of {language}", f"not exported: {exc}")
            continue
        report.menu_items += len(rows)


def _toml_string(value):
    # JSON's string escapes are TOML's; DEL is the one character TOML wants escaped too.
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key):
    return key if _TOML_BARE_KEY.match(key) else _toml_string(key)
