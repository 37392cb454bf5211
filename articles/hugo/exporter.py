"""export_site(): the newsroom as a Hugo content tree, one page bundle per article.

The front matter carries every field import_site() reads, so import -> export -> import gives
the same articles back. Bodies are HTML (index.html bundles: Hugo renders them as they are).

Nothing is written outside OUT_DIR: every folder and file name comes from one sanitised part
(_part: no "/", "\\", leading ".", NUL, or over 200 bytes) and the path, symlinks followed,
is checked to stay in OUT_DIR. A bad slug, term or image path is reported and skipped: an
article that cannot be written never stops the others.
"""

import re
import shutil
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import default_storage
from django.db.models import Prefetch

from articles.hugo.body import replace_img_tags
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
_SRC = re.compile(r"""(\ssrc\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
# Renditions are derived from src again when the article is saved.
_DERIVED = re.compile(r"""\s(?:srcset|sizes)\s*=\s*(["']).*?\1""", re.IGNORECASE | re.DOTALL)


_MAX_PART_BYTES = 200  # a file name: most file systems allow 255 bytes


@dataclass
class ExportReport:
    articles: int = 0
    images: int = 0
    missing_images: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # "what: why", one line each

    def skip(self, what, why):
        self.skipped.append(f"{what}: {why}")


def export_site(*, out_dir, tz="Asia/Shanghai"):
    """Raises OSError when OUT_DIR cannot be written, UnsafePath when its content/ or
    config.toml lead outside it (symlinks); anything else is reported and skipped."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    content = _folder(root, out, "content")
    _file(root, out, "config.toml").write_text(CONFIG, encoding="utf-8")
    report = ExportReport()
    category_terms = {}
    redirects = _redirects_by_target()
    articles = Article.objects.select_related("section").prefetch_related(
        Prefetch("article_authors", queryset=ArticleAuthor.objects.select_related("author")),
        "topics",
        "tags",
        "placements__slot",
    )
    for article in articles.order_by("pk").iterator(chunk_size=500):
        what = f"article {article.pk} ({article.slug!r})"
        try:
            bundle = _folder(root, content, "articles", article.slug)
            meta = _front_matter(
                article, tz=tz, aliases=redirects.get(article.get_absolute_url(), []), report=report
            )
            if article.featured_image:
                meta["featuredImage"] = _copy(article.featured_image.name, bundle, report)
            body = _bundle_images(article.body, bundle, report)
            text = dump_yaml(meta) + "\n" + escape_for_export(body)
            _file(root, bundle, "index.html").write_text(text, encoding="utf-8")
        except Exception as exc:  # noqa: BLE001 - one bad article must not stop the export
            reason = str(exc) if isinstance(exc, UnsafePath) else f"{type(exc).__name__}: {exc}"
            report.skip(what, f"not exported: {reason}")
            continue
        if article.section and meta["categories"]:
            category_terms[meta["categories"][0]] = article.section
        report.articles += 1
    _write_terms(root, content, category_terms, report)
    return report


class UnsafePath(ValueError):
    """A name that would make a path leave its folder (or OUT_DIR)."""


def _part(name):
    """name as one safe path part, else UnsafePath."""
    name = str(name)
    if (
        not name
        or name.startswith(".")
        or any(char in name for char in "/\\\0")
        or len(name.encode("utf-8", "surrogatepass")) > _MAX_PART_BYTES
    ):
        raise UnsafePath(f"{name[:80]!r} is not a safe file or folder name")
    return name


def _file(root, base, *names):
    """base/names..., each name one safe part, the path (symlinks followed) under root."""
    path = base.joinpath(*(_part(name) for name in names))
    if not path.resolve().is_relative_to(root):
        raise UnsafePath(f"{path} would be outside the export folder")
    return path


def _folder(root, base, *names):
    """_file(), created as a folder."""
    path = _file(root, base, *names)
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        "news": [topic.name for topic in article.topics.all()],
        "weight": article.weight,
        "lightgallery": article.lightbox,
        **{key: slot in slots for key, slot in SLOT_KEYS.items()},
        "aliases": sorted(aliases),
    }
    if meta["date"] is None:
        del meta["date"]
    extra = article.extra if isinstance(article.extra, dict) else {}
    for key, value in extra.items():
        if key == "categories" and value and not _is_terms(value):
            report.skip(f"article {article.pk}", "extra.categories is not a list of names; ignored")
        elif key not in meta or (key == "categories" and value) or (key == "featuredImage"):
            meta[key] = value
    return meta


def _is_terms(value):
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _write_terms(root, content, category_terms, report):
    """Term pages keep section and topic names, slugs and descriptions across a round trip.
    A section is written under the category term its articles use (the original Hugo term
    when the import kept one, e.g. "news" for the section named 资讯)."""
    pages = [("categories", term, section) for term, section in category_terms.items()]
    pages += [("news", topic.name, topic) for topic in Topic.objects.all()]
    for folder, term, row in pages:
        try:
            page = _file(root, _folder(root, content, folder, urlize(term)), "_index.md")
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


def _copy(name, bundle, report):
    """Copy the media file name into the bundle; -> its file name there, "" when not copied."""
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in {"", ".", ".."} for part in name.split("/")):
        report.skip(f"image {name[:200]!r}", "not a path inside media; left out")
        return ""
    try:
        filename = _part(path.name)
        target_path = _file(bundle.resolve(), bundle, filename)
        with default_storage.open(name, "rb") as source, open(target_path, "wb") as target:
            shutil.copyfileobj(source, target)
    except (UnsafePath, SuspiciousOperation) as exc:
        report.skip(f"image {name[:200]!r}", f"left out: {exc}")
        return ""
    except OSError:
        report.missing_images.append(name)
        return ""
    report.images += 1
    return filename


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
        filename = _copy(url[len(media_url) :], bundle, report)
        if not filename:
            return tag
        return tag.replace(src.group(0), f'{src.group(1)}"{filename}"', 1)

    return replace_img_tags(body or "", replace)
