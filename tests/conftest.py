import io
import itertools
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.backends import jinja2 as jinja2_backend
from django.test import Client, signals
from django.utils import timezone, translation
from PIL import Image

from articles.models import Article, ArticleAuthor, Author, Placement, Section, Slot, Topic

_counter = itertools.count(1)


@pytest.fixture(scope="session", autouse=True)
def _jinja_templates_seen():
    """response.context and response.templates for the Jinja2 pages, as Django's test setup
    gives them for its own engine (django.test.utils.instrumented_test_render): each render
    sends template_rendered, which the test client records."""
    render = jinja2_backend.Template.render

    def instrumented(self, context=None, request=None):
        html = render(self, context, request)
        signals.template_rendered.send(sender=self, template=self, context=context or {})
        return html

    jinja2_backend.Template.render = instrumented
    jinja2_backend.Template.name = property(lambda self: self.template.name)
    yield
    jinja2_backend.Template.render = render
    del jinja2_backend.Template.name


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and imports write into a per-test folder, never into the repo's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _search_unlimited(settings):
    """Tests search far more often than a reader may (newsroom/ratelimit.py); the limit's own
    tests (tests/test_search_ratelimit.py) set it back."""
    settings.NEWSROOM = {**settings.NEWSROOM, "SEARCH_RATE": "0"}


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language: a request in English (the language switch,
    LocaleMiddleware) leaves English active in the thread, and a later test's messages with it."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


def image_bytes(*, size=(64, 40), color=(80, 120, 200), fmt="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


@pytest.fixture
def image_upload():
    def make(name="photo.png", **kwargs):
        fmt = kwargs.pop("fmt", "PNG")
        return SimpleUploadedFile(
            name, image_bytes(fmt=fmt, **kwargs), content_type=f"image/{fmt.lower()}"
        )

    return make


@pytest.fixture
def make_article(db):
    """Factory: make_article(title=..., authors=[...], tags=[...], topics=[...], **fields).

    Published an hour ago unless told otherwise.
    """

    def make(*, title=None, authors=(), tags=(), topics=(), **fields):
        n = next(_counter)
        fields.setdefault("status", Article.Status.PUBLISHED)
        if fields["status"] == Article.Status.PUBLISHED:
            fields.setdefault("published_at", timezone.now() - timedelta(hours=1, minutes=n))
        fields.setdefault("body", f"<p>第 {n} 篇文章的正文。</p>")
        article = Article.objects.create(title=title or f"测试文章{n}", **fields)
        for position, author in enumerate(authors):
            if isinstance(author, str):
                author, _ = Author.objects.get_or_create(name=author)
            ArticleAuthor.objects.create(article=article, author=author, position=position)
        if tags:
            article.tags.add(*tags)
        for topic in topics:
            if isinstance(topic, str):
                topic, _ = Topic.objects.get_or_create(name=topic)
            article.topics.add(topic)
        return article

    return make


@pytest.fixture
def place(db):
    """place(article, "carousel", position=0, starts_at=None, ends_at=None)."""

    def make(article, slot_key, **fields):
        return Placement.objects.create(
            article=article, slot=Slot.objects.get(key=slot_key), **fields
        )

    return make


@pytest.fixture
def section(db):
    return Section.objects.create(name="资讯", slug="news")


@pytest.fixture
def page_cache(settings):
    """The page cache on, as production runs it (tests run with it off)."""
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}


@pytest.fixture
def reader():
    """An anonymous reader (pytest-django's client is the one staff_client logs in)."""
    return Client()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="staff", password="pw-staff-123", is_staff=True, is_superuser=True
    )


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def role_user(django_user_model):
    """role_user("Writer") -> a staff user in that group."""

    def make(role, username=None):
        user = django_user_model.objects.create_user(
            username=username or role.lower(), password="pw-role-123", is_staff=True
        )
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache, as a fresh deployment would."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
