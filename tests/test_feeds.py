"""RSS and Atom feeds: the site's and one per section, topic, tag and author."""

import copy
import io
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.http import http_date
from django.utils.xmlutils import SimplerXMLGenerator, UnserializableContentError

from articles.models import Article, Author, Section, Tag, Topic
from articles.reading.feeds import QuickXMLGenerator

pytestmark = pytest.mark.django_db

CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def story(make_article, image_upload):
    section = Section.objects.create(name="资讯", slug="news")
    return make_article(
        title="上海元宇宙大会开幕",
        description="大会摘要",
        body='<p>正文<a href="/tags/x/">链接</a><img src="/media/a.png" alt="图"></p>',
        section=section,
        authors=["林晓舟", "Cindy"],
        tags=["Web3"],
        topics=["元宇宙"],
        featured_image=image_upload("cover.png"),
        featured_image_alt="封面",
    )


def rss_items(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    return ElementTree.fromstring(response.content).findall("./channel/item")


def test_rss_item_has_full_content_author_dates_categories_and_image(client, story):
    (item,) = rss_items(client, reverse("articles:feed"))
    assert item.findtext("title") == "上海元宇宙大会开幕"
    assert item.findtext("link") == "http://testserver" + story.get_absolute_url()
    assert item.findtext("description") == "大会摘要"
    content = item.findtext(CONTENT)
    assert "<p>正文" in content
    assert 'href="http://testserver/tags/x/"' in content
    assert 'src="http://testserver/media/a.png"' in content
    assert "林晓舟" in item.findtext(
        "{http://purl.org/dc/elements/1.1/}creator", ""
    ) + item.findtext("author", "")
    assert item.findtext("pubDate")
    assert {c.text for c in item.findall("category")} == {"资讯", "元宇宙", "Web3"}
    enclosure = item.find("enclosure")
    assert enclosure.get("url").startswith("http://testserver/media/articles/")
    assert enclosure.get("type") == "image/png"
    assert int(enclosure.get("length")) > 0


def test_atom_entry_has_html_content_and_updated(client, story):
    response = client.get(reverse("articles:feed-atom"))
    assert response["Content-Type"].startswith("application/atom+xml")
    (entry,) = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}content").get("type") == "html"
    assert "<p>正文" in entry.findtext(f"{ATOM}content")
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "林晓舟、Cindy"
    assert entry.findtext(f"{ATOM}updated")
    assert entry.find(f"{ATOM}link[@rel='enclosure']") is not None


def test_feeds_leave_out_drafts_and_scheduled_articles(client, make_article):
    make_article(title="可见")
    make_article(title="草稿", status=Article.Status.DRAFT)
    make_article(title="定时", published_at=timezone.now() + timedelta(hours=2))
    titles = [i.findtext("title") for i in rss_items(client, reverse("articles:feed"))]
    assert titles == ["可见"]


@pytest.mark.parametrize(
    ("model", "name"),
    [(Section, "section"), (Topic, "topic"), (Tag, "tag"), (Author, "author")],
)
def test_taxonomy_feeds_carry_only_their_articles(client, story, make_article, model, name):
    make_article(title="别的文章", authors=["别人"], tags=["其他"], topics=["其他"])
    obj = model.objects.get(
        name={"section": "资讯", "topic": "元宇宙", "tag": "Web3", "author": "林晓舟"}[name]
    )
    for suffix in ("feed", "feed-atom"):
        url = reverse(f"articles:{name}-{suffix}", kwargs={"slug": obj.slug})
        response = client.get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "上海元宇宙大会开幕" in text and "别的文章" not in text
        assert obj.name in text


def test_unknown_taxonomy_feed_is_404(client, db):
    assert client.get(reverse("articles:tag-feed", kwargs={"slug": "nope"})).status_code == 404


def test_feed_query_count_does_not_grow_with_items(client, make_article):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("articles:feed")).status_code == 200
        return len(ctx)

    make_article(authors=["甲"], tags=["t"], topics=["专题"])
    queries()  # the first request also looks up the current Site, then caches it
    one = queries()
    for n in range(29):
        make_article(authors=["甲", f"乙{n}"], tags=["t", f"t{n}"], topics=["专题"])
    assert queries() == one


def test_channel_description_is_escaped_in_rss_and_plain_in_atom(client, make_article):
    from articles.models import Author

    make_article(authors=["Cindy"])
    Author.objects.filter(name="Cindy").update(bio="<b onmouseover=alert(1)>作者</b>")

    rss = client.get("/authors/cindy/feed/").content.decode()
    atom = client.get("/authors/cindy/feed/atom/").content.decode()

    assert (
        "<description>&amp;lt;b onmouseover=alert(1)&amp;gt;作者&amp;lt;/b&amp;gt;</description>"
        in rss
    )
    assert "<subtitle>&lt;b onmouseover=alert(1)&gt;作者&lt;/b&gt;</subtitle>" in atom


HOSTILE_BODY = (
    "<p>旧正文</p>"
    '<iframe src="https://evil.example\\@www.youtube.com/embed/x"></iframe>'
    '<iframe src="https://www.youtube.com/embed/ok"></iframe>'
    '<a href="/\\evil.example/">链接</a>'
    '<input autofocus onfocus="alert(1)">'
)


def test_feeds_sanitise_bodies_stored_before_the_rules(client, make_article, settings):
    """A row saved before a sanitiser rule existed (here: written around save()) reaches feed
    readers with today's rules applied."""
    settings.SANITIZER_IFRAME_HOSTS = ["www.youtube.com"]
    article = make_article(title="旧文章")
    Article.objects.filter(pk=article.pk).update(body=HOSTILE_BODY)

    (item,) = rss_items(client, reverse("articles:feed"))
    atom = ElementTree.fromstring(client.get(reverse("articles:feed-atom")).content)
    for content in (item.findtext(CONTENT), atom.find(f"{ATOM}entry/{ATOM}content").text):
        assert "<p>旧正文</p>" in content
        assert '<iframe src="https://www.youtube.com/embed/ok">' in content
        assert "evil" not in content and "<input" not in content


MARKUP = "<img src=x onerror=alert(1)>"


def test_rss_titles_categories_and_authors_are_escaped_as_html(client, make_article):
    make_article(title=MARKUP, authors=["<b>作者</b>"], tags=["<i>标签</i>"])
    escaped = "&lt;img src=x onerror=alert(1)&gt;"

    (item,) = rss_items(client, reverse("articles:feed"))
    assert item.findtext("title") == escaped
    assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == "&lt;b&gt;作者&lt;/b&gt;"
    assert [c.text for c in item.findall("category")] == ["&lt;i&gt;标签&lt;/i&gt;"]
    tag = Tag.objects.get()
    channel = ElementTree.fromstring(
        client.get(reverse("articles:tag-feed", kwargs={"slug": tag.slug})).content
    ).find("channel")
    assert channel.findtext("title").startswith("&lt;i&gt;标签&lt;/i&gt; · ")
    assert channel.findtext("item/title") == escaped


def test_atom_titles_are_text_constructs_and_stay_plain(client, make_article):
    make_article(title=MARKUP, authors=["<b>作者</b>"])

    response = client.get(reverse("articles:feed-atom"))
    (entry,) = ElementTree.fromstring(response.content).findall(f"{ATOM}entry")
    title = entry.find(f"{ATOM}title")
    assert title.get("type") in (None, "text") and title.text == MARKUP
    assert entry.findtext(f"{ATOM}author/{ATOM}name") == "<b>作者</b>"


def test_feed_bodies_link_to_the_address_each_request_came_to(client, make_article):
    """Bodies are kept per process (feed_body()): a second address must not get the links the
    first one was served."""
    make_article(body='<p><a href="/tags/x/">链接</a></p>')
    for secure, root in ((False, "http://testserver"), (True, "https://testserver")):
        response = client.get(reverse("articles:feed"), secure=secure)
        (item,) = ElementTree.fromstring(response.content).findall("./channel/item")
        assert f'href="{root}/tags/x/"' in item.findtext(CONTENT)


def test_feed_query_count_does_not_grow_with_featured_images(client, make_article, image_upload):
    """The items read only some columns: one an image needs and is not read would cost a
    query per article."""

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("articles:feed")).status_code == 200
        return len(ctx)

    make_article(featured_image=image_upload("a.png"), section=Section.objects.create(name="资讯"))
    queries()
    one = queries()
    for n in range(4):
        make_article(featured_image=image_upload(f"b{n}.png"), section=Section.objects.get())
    assert queries() == one


def test_feed_answers_last_modified_of_its_newest_item(client, make_article):
    make_article()
    newest = make_article(published_at=timezone.now() - timedelta(minutes=5))
    response = client.get(reverse("articles:feed"))
    assert response["Last-Modified"] == http_date(newest.updated_at.timestamp())


@pytest.mark.parametrize(
    ("url", "django_write"),
    [("articles:feed", Rss201rev2Feed.write), ("articles:feed-atom", Atom1Feed.write)],
)
def test_feeds_are_the_bytes_djangos_own_writer_makes(
    client, story, make_article, url, django_write
):
    """Ours write through QuickXMLGenerator and a copy of Django's write(): a Django upgrade
    that changes either shows here."""
    make_article(title="<b>甲</b> & 'co'", authors=["A<1>"], tags=["t&"], body="")
    response = client.get(reverse(url))
    feed_view = resolve(reverse(url)).func
    feed = copy.copy(feed_view)
    feed.root = "http://testserver"
    generator = feed.get_feed(None, RequestFactory().get(reverse(url)))
    buffer = io.BytesIO()
    django_write(generator, buffer, "utf-8")
    assert response.content == buffer.getvalue()


@pytest.mark.parametrize(
    "calls",
    [
        [("title", "<b>标题</b> & 'co' \"x\" >", None)],
        [("title", "", None), ("comments", None, None), ("ttl", "0", None)],
        [("link", "", {"rel": "alternate", "href": 'http://x/?a=1&b="2"'})],
        [("content", "<p>正文</p>", {"type": "html"}), ("guid", "http://x/", None)],
    ],
)
def test_quick_xml_generator_writes_what_djangos_writes(calls):
    def written(generator_class):
        buffer = io.StringIO()
        handler = generator_class(buffer, "utf-8", short_empty_elements=True)
        handler.startElement("item", {})
        for name, contents, attrs in calls:
            handler.addQuickElement(name, contents, attrs)
        handler.endElement("item")
        return buffer.getvalue()

    assert written(QuickXMLGenerator) == written(SimplerXMLGenerator)


def test_quick_xml_generator_refuses_control_characters_as_django_does():
    handler = QuickXMLGenerator(io.StringIO(), "utf-8", short_empty_elements=True)
    with pytest.raises(UnserializableContentError):
        handler.addQuickElement("title", "bad\x01title")
