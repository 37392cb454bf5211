"""export_site(): the newsroom as a Hugo content tree, one page bundle per article.

The front matter carries every field import_site() reads, so import -> export -> import gives
the same articles back. Bodies are HTML (index.html bundles: Hugo renders them as they are).

Nothing is written outside OUT_DIR: every folder and file name comes from one sanitised part
(export_paths.part: no "/", "\\", leading ".", NUL, or over 200 bytes) and the path, symlinks followed,
is checked to stay in OUT_DIR. A bad slug, term or image path is reported and skipped: an
article that cannot be written never stops the others.
"""

import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import unquote

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db.models import Prefetch

from articles.hugo.body import replace_img_tags
from articles.hugo.dates import format_date
from articles.hugo.export_paths import UnsafePath, copy_media, safe_file, safe_folder
from articles.hugo.frontmatter import dump_yaml
from articles.hugo.mapping import SLOT_KEYS
from articles.hugo.permalinks import urlize
from articles.hugo.portal_export import (
    channel_taxonomies,
    config_taxonomies,
    declared_fields,
    export_portal,
    field_keys,
    topic_taxonomy,
    vocabulary_taxonomies,
)
from articles.hugo.shortcodes import escape_for_export
from articles.hugo.vocabularies import CATEGORIES
from articles.models import Article, ArticleAuthor, Topic

CONFIG = """# Written by manage.py export_hugo.
defaultContentLanguage = "zh-cn"
languageCode = "zh-CN"

[taxonomies]
tag = "tags"
category = "categories"
news = "news"
"""
_SRC = re.compile(r"""(\ssrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# Renditions are derived from src again when the article is saved.
_DERIVED = re.compile(r"""\s(?:srcset|sizes)\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)


@dataclass
class ExportReport:
    articles: int = 0
    images: int = 0
    missing_images: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # "what: why", one line each
    channels: int = 0
    ads: int = 0
    menu_items: int = 0

    def skip(self, what, why):
        self.skipped.append(f"{what}: {why}")


def export_site(*, out_dir, tz="Asia/Shanghai"):
    """Raises OSError when OUT_DIR cannot be written, UnsafePath when its content/ or
    config.toml lead outside it (symlinks); anything else is reported and skipped."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    content = safe_folder(root, out, "content")
    taxonomies = channel_taxonomies()
    config = config_taxonomies(CONFIG, [*taxonomies.values(), *vocabulary_taxonomies()])
    config += _languages_config()
    safe_file(root, out, "config.toml").write_text(config, encoding="utf-8")
    declared = declared_fields()
    report = ExportReport()
    category_terms = {}
    redirects = _redirects_by_target()
    articles = Article.objects.select_related("section").prefetch_related(
        Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
        "topics__vocabulary",
        "tags",
        "placements__slot",
    )
    default_slugs = _default_language_slugs()
    for article in articles.order_by("pk").iterator(chunk_size=500):
        what = f"article {article.pk} ({article.slug!r})"
        try:
            folder, filename = _bundle_place(article, default_slugs)
            bundle = safe_folder(root, content, "articles", folder)
            meta = _front_matter(
                article, tz=tz, aliases=redirects.get(article.get_absolute_url(), []), report=report
            )
            meta.update(field_keys(article, meta, declared))
            if article.featured_image:
                meta["featuredImage"] = copy_media(article.featured_image.name, bundle, report)
            body = _bundle_images(article.body, bundle, report)
            text = dump_yaml(meta) + "\n" + escape_for_export(body)
            safe_file(root, bundle, filename).write_text(text, encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the export
            reason = str(exc) if isinstance(exc, UnsafePath) else f"{type(exc).__name__}: {exc}"
            report.skip(what, f"not exported: {reason}")
            continue
        if article.section and meta["categories"]:
            category_terms[meta["categories"][0]] = article.section
        report.articles += 1
    _write_terms(root, content, category_terms, report)
    export_portal(root=root, out=out, content=content, report=report, taxonomies=taxonomies)
    return report


def hugo_language(code):
    """The Hugo language an article in Django's language `code` is written in: the config's
    zh-cn for Simplified Chinese."""
    return {"zh-hans": "zh-cn", "zh-hant": "zh-tw"}.get(code, code)


def _default_language_slugs():
    """translation group -> the slug of its article in the site's language."""
    rows = Article.objects.filter(language=settings.LANGUAGE_CODE)
    return dict(rows.values_list("translation_group", "slug"))


def _bundle_place(article, default_slugs):
    """(bundle folder, file name): a translation goes beside its group's article in the
    site's language as index.<lang>.html (Hugo links them by path), else in its own bundle."""
    if article.language == settings.LANGUAGE_CODE:
        return article.slug, "index.html"
    folder = default_slugs.get(article.translation_group, article.slug)
    return folder, f"index.{hugo_language(article.language)}.html"


def _languages_config():
    """[languages] when some article is in another language, so Hugo builds both."""
    others = Article.objects.exclude(language=settings.LANGUAGE_CODE)
    codes = sorted(set(others.values_list("language", flat=True)))
    if not codes:
        return ""
    names = [hugo_language(settings.LANGUAGE_CODE), *(hugo_language(c) for c in codes)]
    return "".join(f"\n[languages.{name}]\nweight = {n}\n" for n, name in enumerate(names, start=1))


def _front_matter(article, *, tz, aliases, report):
    slots = {p.slot.key for p in article.placements.all()}
    meta = {
        "title": article.title,
        "slug": article.slug,
        "date": format_date(article.published_at, tz=tz) if article.published_at else None,
        "lastmod": format_date(article.updated_at, tz=tz),
        "draft": article.status == Article.Status.DRAFT,
        "authors": [author.name for author in article.byline],
        "description": article.description,
        "featuredImage": "",
        "tags": sorted(tag.name for tag in article.tags.all()),
        "categories": [article.section.name] if article.section else [],
        "news": [],
        "weight": article.weight,
        "lightgallery": article.lightbox,
        **{key: slot in slots for key, slot in SLOT_KEYS.items()},
        "aliases": sorted(aliases),
    }
    if meta["date"] is None:
        del meta["date"]
    for topic in article.topics.all():  # each under its vocabulary's taxonomy (news by default)
        key = topic_taxonomy(topic)
        if key != CATEGORIES:  # a second category: written back through extra.categories
            meta.setdefault(key, []).append(topic.name)
    extra = article.extra if isinstance(article.extra, dict) else {}
    for key, value in extra.items():
        if key == "categories" and value and not _is_terms(value):
            report.skip(f"article {article.pk}", "extra.categories is not a list of names; ignored")
        elif key not in meta or (key == "categories" and value) or (key == "featuredImage"):
            meta[key] = value
    return _with_toc(meta, article.toc)


def _with_toc(meta, toc):
    """`toc: true`, or the theme's toc map from extra with `enable` set only where it no longer
    says what the article does (so an unchanged map comes back unchanged)."""
    options = meta.get("toc")
    if isinstance(options, dict):
        enable = next((v for k, v in options.items() if str(k).lower() == "enable"), True)
        if bool(enable) != toc:
            meta["toc"] = {**options, "enable": toc}
    elif toc:
        meta["toc"] = True
    return meta


def _is_terms(value):
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _write_terms(root, content, category_terms, report):
    """Term pages keep section and topic names, slugs and descriptions across a round trip.
    A section is written under the category term its articles use (the original Hugo term
    when the import kept one, e.g. "news" for the section named 资讯)."""
    pages = [("categories", term, section) for term, section in category_terms.items()]
    topics = Topic.objects.select_related("vocabulary")
    pages += [(topic_taxonomy(topic), topic.name, topic) for topic in topics]
    for folder, term, row in pages:
        try:
            page = safe_file(root, safe_folder(root, content, folder, urlize(term)), "_index.md")
            meta = {"title": row.name, "slug": row.slug, "description": row.description}
            page.write_text(dump_yaml(meta), encoding="utf-8")
        except (UnsafePath, OSError) as exc:
            report.skip(f"{folder} term {term[:80]!r}", f"no _index.md written: {exc}")


def _redirects_by_target():
    found = {}
    rows = Redirect.objects.filter(site_id=settings.SITE_ID).values_list("old_path", "new_path")
    for old, new in rows:
        found.setdefault(new, []).append(unquote(old))
    return found


def _bundle_images(body, bundle, report):
    media_url = settings.MEDIA_URL

    def replace(tag):
        tag = _DERIVED.sub("", tag)
        src = _SRC.search(tag)
        if not src:
            return tag
        url = unescape(src.group(3))
        if not url.startswith(media_url):
            return tag
        filename = copy_media(url[len(media_url) :], bundle, report)
        if not filename:
            return tag
        return tag.replace(src.group(0), f'{src.group(1)}"{filename}"', 1)

    return replace_img_tags(body or "", replace)
