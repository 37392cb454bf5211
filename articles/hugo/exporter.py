"""export_site(): the newsroom as a Hugo content tree, one page bundle per article.

The front matter carries every field import_site() reads, so import -> export -> import gives
the same articles back. Bodies are HTML (index.html bundles: Hugo renders them as they are).
"""

import re
import shutil
from dataclasses import dataclass
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.core.files.storage import default_storage
from django.db.models import Prefetch

from articles.hugo.dates import format_date
from articles.hugo.frontmatter import dump_yaml
from articles.hugo.mapping import SLOT_KEYS
from articles.hugo.permalinks import urlize
from articles.hugo.shortcodes import escape_for_export
from articles.models import Article, ArticleAuthor, Topic

CONFIG = """# Written by manage.py export_hugo.
defaultContentLanguage = "zh-cn"
languageCode = "zh-CN"

[taxonomies]
tag = "tags"
category = "categories"
news = "news"
"""
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC = re.compile(r"""(\ssrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# Renditions are derived from src again when the article is saved.
_DERIVED = re.compile(r"""\s(?:srcset|sizes)\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)


@dataclass
class ExportReport:
    articles: int = 0
    images: int = 0
    missing_images: list = None


def export_site(*, out_dir, tz="Asia/Shanghai"):
    out = Path(out_dir)
    content = out / "content"
    content.mkdir(parents=True, exist_ok=True)
    (out / "config.toml").write_text(CONFIG, encoding="utf-8")
    report = ExportReport(missing_images=[])
    category_terms = {}
    redirects = _redirects_by_target()
    articles = Article.objects.select_related("section").prefetch_related(
        Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
        "topics",
        "tags",
        "placements__slot",
    )
    for article in articles.order_by("pk").iterator(chunk_size=500):
        bundle = content / "articles" / article.slug
        bundle.mkdir(parents=True, exist_ok=True)
        meta = _front_matter(article, tz=tz, aliases=redirects.get(article.get_absolute_url(), []))
        if article.featured_image:
            meta["featuredImage"] = _copy(article.featured_image.name, bundle, report)
        body = _bundle_images(article.body, bundle, report)
        text = dump_yaml(meta) + "\n" + escape_for_export(body)
        (bundle / "index.html").write_text(text, encoding="utf-8")
        if article.section:
            category_terms[meta["categories"][0]] = article.section
        report.articles += 1
    _write_terms(content, category_terms)
    return report


def _front_matter(article, *, tz, aliases):
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
        "news": [topic.name for topic in article.topics.all()],
        "weight": article.weight,
        "lightgallery": article.lightbox,
        **{key: slot in slots for key, slot in SLOT_KEYS.items()},
        "aliases": sorted(aliases),
    }
    if meta["date"] is None:
        del meta["date"]
    for key, value in (article.extra or {}).items():
        if key not in meta or (key == "categories" and value) or (key == "featuredImage"):
            meta[key] = value
    return meta


def _write_terms(content, category_terms):
    """Term pages keep section and topic names, slugs and descriptions across a round trip.
    A section is written under the category term its articles use (the original Hugo term
    when the import kept one, e.g. "news" for the section named 资讯)."""
    pages = [("categories", term, section) for term, section in category_terms.items()]
    pages += [("news", topic.name, topic) for topic in Topic.objects.all()]
    for folder, term, row in pages:
        page = content / folder / urlize(term) / "_index.md"
        page.parent.mkdir(parents=True, exist_ok=True)
        meta = {"title": row.name, "slug": row.slug, "description": row.description}
        page.write_text(dump_yaml(meta), encoding="utf-8")


def _redirects_by_target():
    found = {}
    rows = Redirect.objects.filter(site_id=settings.SITE_ID).values_list("old_path", "new_path")
    for old, new in rows:
        found.setdefault(new, []).append(unquote(old))
    return found


def _copy(name, bundle, report):
    filename = PurePosixPath(name).name
    try:
        with default_storage.open(name, "rb") as source, open(bundle / filename, "wb") as target:
            shutil.copyfileobj(source, target)
    except OSError:
        report.missing_images.append(name)
        return ""
    report.images += 1
    return filename


def _bundle_images(body, bundle, report):
    media_url = settings.MEDIA_URL

    def replace(match):
        tag = _DERIVED.sub("", match.group(0))
        src = _SRC.search(tag)
        if not src:
            return tag
        url = unescape(src.group(3))
        if not url.startswith(media_url):
            return tag
        filename = _copy(url[len(media_url) :], bundle, report)
        if not filename:
            return tag
        return tag.replace(src.group(0), f'{src.group(1)}"{filename}"', 1)

    return _IMG.sub(replace, body or "")
