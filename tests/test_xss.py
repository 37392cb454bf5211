"""XSS: known payloads through every field a reader sees, by the ORM, the admin and the Hugo
import; no public page, feed or admin page may carry executable markup afterwards.

The browser half (tests/e2e/test_xss_browser.py) loads the same pages and fails on any dialog.
"""

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Author, Section, Tag, Topic
from articles.text.sanitize import sanitize_html

from .admin_forms import form_data
from .hugo_sites import write_site
from .xss_payloads import PAYLOADS, executable_markup

pytestmark = pytest.mark.django_db

ADMIN_SCRIPTS = ("/static/", "/admin/jsi18n/")
HTML_ELEMENTS = {"description", "summary", "content", "encoded"}


def test_there_are_at_least_fifty_payloads():
    assert len(set(PAYLOADS)) >= 50


def test_the_checker_finds_what_it_must():
    """The checker is the assertion of every test below: prove it bites."""
    for html in [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="&#106;avascript:alert(1)">x</a>',
        '<iframe srcdoc="x"></iframe>',
        '<script type="application/ld+json">{"a": "</script><script>alert(1)</script>"}</script>',
    ]:
        assert executable_markup(html), html
    assert executable_markup('<script src="/static/js/site.js"></script>') == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitiser_output_is_never_executable(payload):
    cleaned = sanitize_html(payload)
    assert executable_markup(cleaned) == [], cleaned
    assert sanitize_html(cleaned) == cleaned
    assert "javascript:" not in cleaned.lower()


@pytest.fixture
def poisoned(make_article):
    return poison_site(make_article)


def poison_site(make_article):
    """One article per payload, with the payload in every text field a reader can see."""
    section = Section.objects.create(name="栏目<script>alert(1)</script>", description=PAYLOADS[10])
    topic = Topic.objects.create(name="专题<img src=x onerror=alert(1)>", description=PAYLOADS[15])
    articles = []
    for n, payload in enumerate(PAYLOADS):
        author, _ = Author.objects.get_or_create(
            name=f"作者{n % 7}{payload[:60]}", defaults={"bio": payload}
        )
        articles.append(
            make_article(
                title=f"{payload[:150]} 标题{n}",
                description=payload,
                body=f"<p>正文{n}</p>{payload}",
                featured_image_caption=payload[:300],
                section=section,
                authors=[author],
                tags=[payload[:90], f"标签{n}"],
                topics=[topic],
            )
        )
    return articles


def _public_urls(articles):
    urls = {"/", "/articles/", "/archive/", "/sitemap.xml", "/robots.txt"}
    urls |= {f"/articles/?page={n}" for n in range(1, 5)}
    for article in articles:
        urls.add(article.get_absolute_url())
        if article.section:
            urls.add(article.section.get_absolute_url())
        urls |= {tag.get_absolute_url() for tag in article.tags.all()}
        urls |= {topic.get_absolute_url() for topic in article.topics.all()}
        urls |= {author.get_absolute_url() for author in article.authors.all()}
    urls |= {f"/search/?q={quote(payload)}" for payload in PAYLOADS}
    return sorted(urls)


def _feed_urls(articles):
    urls = {reverse("articles:feed"), reverse("articles:feed-atom")}
    for article in articles[:10]:
        for tag in article.tags.all():
            urls.add(reverse("articles:tag-feed", kwargs={"slug": tag.slug}))
        for author in article.authors.all():
            urls.add(reverse("articles:author-feed-atom", kwargs={"slug": author.slug}))
        urls.add(reverse("articles:section-feed", kwargs={"slug": article.section.slug}))
    return sorted(urls)


def assert_page_is_safe(client, url, *, own=("/static/",)):
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    findings = executable_markup(response.content.decode(), own_script_prefixes=own)
    assert findings == [], f"{url}: {findings[:5]}"


def test_no_public_page_carries_executable_markup(client, poisoned):
    for url in _public_urls(poisoned):
        assert_page_is_safe(client, url)


def test_feeds_are_well_formed_and_their_html_is_safe(client, poisoned):
    for url in _feed_urls(poisoned):
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.content)  # a payload must not break the XML
        entries = [*root.iter("item"), *root.iter("{http://www.w3.org/2005/Atom}entry")]
        assert entries, url
        for element in (child for entry in entries for child in entry):
            # Titles are plain text in RSS and Atom; these elements carry HTML to the reader.
            is_html = element.tag.rsplit("}", 1)[-1] in HTML_ELEMENTS
            if is_html and element.text and "<" in element.text:
                findings = executable_markup(element.text)
                assert findings == [], f"{url} <{element.tag}>: {element.text[:200]}"


def test_payloads_in_urls_are_not_reflected_executably(client, poisoned):
    for payload in PAYLOADS[:20]:
        response = client.get(f"/articles/{quote(payload, safe='')}/")
        assert response.status_code == 404
        assert executable_markup(response.content.decode()) == []


def test_admin_pages_showing_the_payloads_are_safe(staff_client, poisoned):
    urls = [
        reverse("admin:articles_article_changelist"),
        reverse("admin:articles_article_changelist") + "?q=" + quote("<script>"),
        reverse("admin:articles_author_changelist"),
        reverse("admin:articles_tag_changelist"),
        reverse("admin:articles_section_changelist"),
        reverse("admin:articles_topic_changelist"),
    ]
    for article in poisoned[:: max(1, len(poisoned) // 12)]:
        urls.append(reverse("admin:articles_article_change", args=[article.pk]))
        urls.append(reverse("admin:articles_article_history", args=[article.pk]))
    author = Author.objects.first()
    urls.append(reverse("admin:articles_author_change", args=[author.pk]))
    urls.append(reverse("admin:articles_tag_change", args=[Tag.objects.first().pk]))
    for url in urls:
        assert_page_is_safe(staff_client, url, own=ADMIN_SCRIPTS)


@pytest.mark.parametrize("payload", PAYLOADS[::3])
def test_payloads_posted_through_the_admin_are_stored_safely(staff_client, client, payload):
    url = reverse("admin:articles_article_add")
    data = form_data(staff_client, url, form_id="article_form")
    data |= {
        "title": f"{payload[:150]} 后台",
        "description": payload,
        "body": f"<p>后台正文</p>{payload}",
        "status": "published",
        "published_at_0": "2024-01-02",
        "published_at_1": "10:00:00",
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    article = Article.objects.get()
    assert executable_markup(article.body) == []
    assert article.description == payload.strip()  # plain text, kept; escaped on output
    assert_page_is_safe(client, article.get_absolute_url())
    assert_page_is_safe(
        staff_client,
        reverse("admin:articles_article_change", args=[article.pk]),
        own=ADMIN_SCRIPTS,
    )

    author_url = reverse("admin:articles_author_add")
    data = form_data(staff_client, author_url, form_id="author_form")
    data |= {"name": f"后台作者{payload[:60]}", "bio": payload}
    assert staff_client.post(author_url, data).status_code == 302
    author = Author.objects.get()
    article.article_authors.create(author=author)
    assert_page_is_safe(client, author.get_absolute_url())


def _hugo_page(n, payload):
    meta = {
        "title": f"{payload[:150]} 导入{n}",
        "description": payload,
        "date": "2024-03-01T10:00:00+08:00",
        "tags": [payload[:90], f"导入标签{n}"],
        "categories": [f"栏目{payload[:40]}"],
        "news": [f"专题{payload[:40]}"],
        "authors": [f"导入作者{n % 5}{payload[:40]}"],
        "draft": False,
    }
    body = (
        f"正文 {n}\n\n{payload}\n\n[link](javascript:alert({n}))\n\n![img](javascript:alert(0))\n"
    )
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\n" + body


@pytest.mark.once  # the import's parsing and sanitising, not the database's
def test_hugo_import_of_payloads_gives_safe_pages(tmp_path, client, staff_client):
    files = {f"news/xss-{n}/index.md": _hugo_page(n, p) for n, p in enumerate(PAYLOADS)}
    site = write_site(tmp_path / "site", files)

    try:
        call_command("import_hugo", str(site), verbosity=0)
    except Exception as exc:  # noqa: BLE001 - a failed file is reported, never a crash
        assert type(exc).__name__ == "CommandError", exc

    articles = list(Article.objects.all())
    assert len(articles) == len(PAYLOADS)
    for article in articles:
        assert executable_markup(article.body) == [], article.source_path
    for url in _public_urls(articles):
        assert_page_is_safe(client, url)
    for url in _feed_urls(articles):
        response = client.get(url)
        ET.fromstring(response.content)
    assert_page_is_safe(
        staff_client, reverse("admin:articles_article_changelist"), own=ADMIN_SCRIPTS
    )


URL_DIFFERENTIALS = [
    '<iframe src="https://evil.example\\@www.youtube.com/embed/1"></iframe>',
    '<iframe src="https://evil.example&#x5c;@www.youtube.com/embed/2"></iframe>',
    '<iframe src="https://evil.example@www.youtube.com/embed/3"></iframe>',
    '<iframe src="https:\\\\evil.example/embed/4"></iframe>',
    '<a href="/\\evil.example/5">5</a>',
    '<a href="\\/evil.example/6">6</a>',
    '<a href="https://www.youtube.com&#9;@evil.example/7">7</a>',
    '<img src="/&#92;evil.example/8.png">',
    '<img src="/a.png" srcset="https://www.youtube.com@evil.example/9.png 2x">',
    '<input type="image" src="https://evil.example/10.png" autofocus onfocus="alert(10)">',
]


def test_url_parser_differentials_reach_no_page_or_feed(client, make_article, settings):
    settings.SANITIZER_IFRAME_HOSTS = ["www.youtube.com"]
    article = make_article(title="网址", body="".join(URL_DIFFERENTIALS), tags=["网址"])
    tag = article.tags.get()

    urls = [
        article.get_absolute_url(),
        reverse("articles:feed"),
        reverse("articles:feed-atom"),
        reverse("articles:tag-feed", kwargs={"slug": tag.slug}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "evil.example" not in response.content.decode(), url
    assert "<input" not in article.body and "<iframe" not in article.body
