"""The demo's directory and games: sections with their preset fields, entries with a logo.

Safe to run again: sections are matched by slug, entries by slug; nothing is duplicated and
entries an editor changed are left alone.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from markdown_it import MarkdownIt

from articles.demo.content import AUTHORS, DIRECTORY, GAMES, SECTIONS
from articles.demo.images import demo_logo
from articles.media.renditions import make_article_renditions
from articles.models import Article, ArticleAuthor, Author, Channel, Section, Topic
from articles.portal.fields import coerce_value, ensure_preset_fields
from articles.text.slugs import pinyin_slug

AUTHOR = "Metabd"

# The directory's channels: title, icon (plain SVG, cleaned on save), the topics they group.
CHANNELS = [
    (
        "NFT 与数字藏品",
        '<svg viewBox="0 0 24 24"><rect x="4" y="4" width="16" height="16" rx="3"/></svg>',
        ["数字藏品"],
    ),
    (
        "虚拟世界",
        '<svg viewBox="0 0 24 24"><circle cx="12" cy="12" r="9"/></svg>',
        ["元宇宙", "GameFi"],
    ),
    ("Web3 工具", '<svg viewBox="0 0 24 24"><path d="M12 2 22 20H2z"/></svg>', ["Web3"]),
]


def _section(slug):
    data = next(data for data in SECTIONS if data["slug"] == slug)
    section, _ = Section.objects.get_or_create(
        slug=slug, defaults={"name": data["name"], "description": data["description"]}
    )
    ensure_preset_fields(section)
    return section


def _typed(section, raw):
    """The entry's values, typed by the section's fields (the demo's data is checked too)."""
    declared = {field.key: field for field in section.fields.all()}
    return {key: coerce_value(declared[key], value) for key, value in raw.items()}


def load_portal_demo():
    """Create the directory and game entries missing; return how many were created."""
    markdown = MarkdownIt("commonmark")
    bio = next(data["bio"] for data in AUTHORS if data["name"] == AUTHOR)
    author, _ = Author.objects.get_or_create(name=AUTHOR, defaults={"bio": bio})
    now = timezone.now()
    created = 0
    for slug, entries in (("navigation", DIRECTORY), ("games", GAMES)):
        section = _section(slug)
        for position, data in enumerate(entries):
            article_slug = pinyin_slug(data["title"])
            if Article.objects.filter(slug=article_slug).exists():
                continue
            article = Article(
                title=data["title"],
                slug=article_slug,
                description=data["description"],
                body=markdown.render("\n\n".join(data["body"])),
                section=section,
                status=Article.Status.PUBLISHED,
                published_at=now - timedelta(days=2, hours=position),
                featured_image_alt=f"{data['title']} 标志",
                fields=_typed(section, data["fields"]),
                extra={"demo": True},
            )
            logo = demo_logo(article_slug, initials=data["initials"])
            article.featured_image.save(f"{article_slug}-logo.png", ContentFile(logo), save=False)
            article.save()
            make_article_renditions(article)
            ArticleAuthor.objects.create(article=article, author=author, position=0)
            article.topics.set(
                [Topic.objects.get_or_create(name=name)[0] for name in data["topics"]]
            )
            created += 1
    _channels(Section.objects.get(slug="navigation"))
    return created


def _channels(section):
    for position, (title, icon, topics) in enumerate(CHANNELS):
        channel, made = Channel.objects.get_or_create(
            section=section, title=title, defaults={"icon_svg": icon, "position": position}
        )
        if made:
            channel.topics.set([Topic.objects.get_or_create(name=name)[0] for name in topics])
