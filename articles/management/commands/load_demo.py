"""Load the demo newsroom: the seed article from the Hugo site plus original demo articles.

Safe to run again: rows are matched by slug and name, nothing is duplicated.
"""

import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from markdown_it import MarkdownIt

from articles.demo.content import ARTICLES, AUTHORS, SECTIONS, TOPICS
from articles.demo.images import demo_image
from articles.demo.placements import place_demo_article
from articles.demo.portal import load_portal_demo
from articles.hugo.importer import import_site
from articles.media.renditions import make_article_renditions
from articles.models import Article, ArticleAuthor, Author, Section, Slot, Topic
from articles.text.slugs import pinyin_slug

DEMO_SITE = Path(__file__).resolve().parents[2] / "demo" / "hugo"
ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load demo content (idempotent) and create the demo admin on first run."

    def add_arguments(self, parser):
        parser.add_argument("--no-admin", action="store_true", help="Do not create the admin.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where runserver will serve the site (`make run` passes its HOST and PORT).",
        )

    def handle(self, *args, **options):
        base_url = options["base_url"].rstrip("/")
        Site.objects.update_or_create(
            pk=settings.SITE_ID,
            defaults={
                "domain": base_url.partition("://")[2],
                "name": settings.NEWSROOM["SITE_NAME"],
            },
        )
        self._import_seed()
        with transaction.atomic():
            created = self._load_articles()
            created += load_portal_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {created} new articles, {Article.objects.count()} in all."
            )
        )
        if not options["no_admin"]:
            self._ensure_admin(login_url=f"{base_url}/{settings.ADMIN_URL}")

    def _import_seed(self):
        report = import_site(site_dir=DEMO_SITE)
        for warning in report.warnings:
            self.stdout.write(f"  seed warning: {warning['file']}: {warning['message']}")

    def _load_articles(self):
        markdown = MarkdownIt("commonmark").enable("table")
        sections = {
            data["slug"]: Section.objects.update_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "description": data["description"]},
            )[0]
            for data in SECTIONS
        }
        topics = {
            data["name"]: Topic.objects.get_or_create(
                name=data["name"], defaults={"description": data["description"]}
            )[0]
            for data in TOPICS
        }
        authors = {
            data["name"]: Author.objects.get_or_create(
                name=data["name"], defaults={"bio": data["bio"]}
            )[0]
            for data in AUTHORS
        }
        slots = {slot.key: slot for slot in Slot.objects.all()}
        now = timezone.now()
        created = 0
        for data in ARTICLES:
            slug = pinyin_slug(data["title"])
            if Article.objects.filter(slug=slug).exists():
                continue
            published_at = now - timedelta(days=data["days_ago"])
            article = Article(
                title=data["title"],
                slug=slug,
                description=data["description"],
                body=markdown.render("\n\n".join(data["body"])),
                section=sections[data["section"]],
                status=Article.Status.DRAFT if data.get("draft") else Article.Status.PUBLISHED,
                published_at=None if data.get("draft") else published_at,
                weight=data.get("weight"),
                featured_image_alt=data["title"],
                extra={"demo": True},
            )
            article.featured_image.save(f"{slug}.jpg", ContentFile(demo_image(slug)), save=False)
            article.save()
            make_article_renditions(article)
            created += 1
            for position, name in enumerate(data["authors"]):
                ArticleAuthor.objects.create(
                    article=article, author=authors[name], position=position
                )
            article.topics.set([topics[name] for name in data["topics"]])
            article.tags.set(data["tags"])
            for key, position in data.get("slots", {}).items():
                place_demo_article(slot=slots[key], article=article, position=position + 1)
        return created

    def _ensure_admin(self, *, login_url):
        User = get_user_model()
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(
                f"Admin: {login_url} — user '{ADMIN_USERNAME}' "
                "(password was printed on the first run; reset it with "
                f"`manage.py changepassword {ADMIN_USERNAME}`)."
            )
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
        self.stdout.write(
            self.style.WARNING(
                f"\n  Admin login (shown once): {login_url}\n"
                f"    user:     {ADMIN_USERNAME}\n    password: {password}\n"
            )
        )
