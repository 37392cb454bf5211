"""Content issues say what a reader would see broken, found on save and on import, and are
described in the editor's language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from articles.hugo.importer import import_site
from articles.hugo.issues import sync_checked_issues
from articles.models import Article, ContentIssue
from tests.admin_forms import form_data
from tests.hugo_sites import page, write_site

pytestmark = pytest.mark.django_db
Kind = ContentIssue.Kind

# (body, kind, detail, words of the Chinese description, words of the English one)
BODY_CASES = [
    (
        r'<p><img src="C:\Users\ed\Desktop\p.jpg" alt="x"></p><p>正文</p>',
        Kind.BROKEN_IMAGE_PATH,
        "",
        "没有可用的地址",
        "no address",
    ),
    (
        r'<p><img title="C:\Users\ed\Desktop\p.jpg" alt="x"></p><p>正文</p>',
        Kind.BROKEN_IMAGE_PATH,
        "C:\\Users",
        "Windows 路径",
        "Windows path",
    ),
    (
        '<p><img src="/media/articles/gone.jpg" alt="x"></p><p>正文</p>',
        Kind.BROKEN_IMAGE_PATH,
        "/media/articles/gone.jpg",
        "坏图",
        "broken image",
    ),
    ("<p>**培育元宇宙新赛道\n**</p>", Kind.LITERAL_MARKDOWN, "**培育", "Markdown", "Markdown"),
    ("<p># 小标题</p><p>正文</p>", Kind.LITERAL_MARKDOWN, "# 小标题", "井号", "hash"),
    ("<p>见[官网](https://example.com)</p>", Kind.LITERAL_MARKDOWN, "[官网]", "方括号", "brackets"),
    (
        '<p><img src="https://example.com/a.jpg" alt=""></p>'
        "<pre><code>      *图说：峰会现场。主办方供图。*\n</code></pre><p>正文</p>",
        Kind.CAPTION_CODE_BLOCK,
        "*图说：峰会现场。主办方供图。*",
        "代码块",
        "code block",
    ),
    (
        "<h1>又一个标题</h1><p>正文</p>",
        Kind.SECOND_H1,
        "又一个标题",
        "两个一级标题",
        "two H1 headings",
    ),
    ("<p> &nbsp; </p>", Kind.EMPTY_BODY, "", "正文是空的", "body is empty"),
]


def kinds(article):
    return {issue.kind: issue for issue in ContentIssue.objects.filter(article=article)}


@pytest.mark.parametrize(("body", "kind", "detail", "chinese", "english"), BODY_CASES)
def test_a_save_finds_what_readers_would_see_broken(
    make_article, body, kind, detail, chinese, english
):
    article = make_article(body=body)
    issue = kinds(article)[kind]
    assert detail in issue.detail
    with translation.override("zh-hans"):
        assert chinese in issue.description()
    with translation.override("en"):
        text = issue.description()
    assert english in text and not any(
        "\u4e00" <= ch <= "\u9fff" for ch in text.replace(issue.detail, "")
    )


@pytest.mark.parametrize(("body", "kind", "detail", "chinese", "english"), BODY_CASES)
def test_fixing_the_body_drops_the_issue(make_article, body, kind, detail, chinese, english):
    article = make_article(body=body)
    assert kind in kinds(article)
    article.body = "<p>干净的正文。</p>"
    article.save()
    assert kinds(article) == {}


def test_a_clean_article_has_no_issues(make_article):
    assert (
        kinds(
            make_article(
                body="<h2>小标题</h2><p>正文 *强调* 与 2*3=6。</p><pre><code>a = 1\nb = 2</code></pre>"
            )
        )
        == {}
    )


def test_update_time_before_publish_time(make_article):
    article = make_article()
    Article.objects.filter(pk=article.pk).update(
        updated_at=article.published_at - timedelta(days=2)
    )
    article.refresh_from_db()
    sync_checked_issues(article)  # what the import runs, which keeps the source's updated_at
    issue = kinds(article)[Kind.LASTMOD_BEFORE_DATE]
    with translation.override("en"):
        assert "before the publish time" in issue.description()
    with translation.override("zh-hans"):
        assert "早于发布时间" in issue.description()
    article.save()  # an editor's save: updated now
    assert Kind.LASTMOD_BEFORE_DATE not in kinds(article)


def test_a_scheduled_article_is_not_flagged_for_its_future_publish_time(make_article):
    article = make_article(published_at=timezone.now() + timedelta(days=1))
    assert kinds(article) == {}


def test_the_import_finds_each_problem(tmp_path):
    body = (
        "# 又一个标题\n\n"
        "![img](C:\\Users\\ed\\Desktop\\p.jpg)\n\n"
        "        *图说：峰会现场。主办方供图。*\n\n"
        "**培育元宇宙新赛道 **\n\n正文。\n"
    )
    files = {
        "a.md": page(
            body=body, date="2022-07-28T21:38:40+08:00", lastmod="2022-07-28T10:20:40+08:00"
        )
    }
    import_site(site_dir=write_site(tmp_path, files))
    found = kinds(Article.objects.get())
    assert {
        Kind.BROKEN_IMAGE_PATH,
        Kind.CAPTION_CODE_BLOCK,
        Kind.LITERAL_MARKDOWN,
        Kind.SECOND_H1,
        Kind.LASTMOD_BEFORE_DATE,
    } <= set(found)
    with translation.override("en"):
        assert "Windows path" in found[Kind.BROKEN_IMAGE_PATH].description()


def test_the_import_finds_an_empty_body(tmp_path):
    import_site(site_dir=write_site(tmp_path, {"a.md": page(body="")}))
    assert Kind.EMPTY_BODY in kinds(Article.objects.get())


def test_the_issue_list_and_the_save_warning_speak_the_editors_language(staff_client, make_article):
    article = make_article(body="<h1>又一个标题</h1><p>正文</p>")
    listing = reverse("admin:articles_contentissue_changelist")
    chinese = staff_client.get(listing, headers={"accept-language": "zh-hans"}).text
    english = staff_client.get(listing, headers={"accept-language": "en"}).text
    assert (
        "两个一级标题" in chinese and "two H1 headings" in english and "两个一级标题" not in english
    )
    change = reverse("admin:articles_article_change", args=[article.pk])
    staff_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the form is read and sent in English
    saved = staff_client.post(change, form_data(staff_client, change), follow=True)
    shown = [str(message) for message in saved.context["messages"]]
    assert any("two H1 headings" in text and "1 problem" in text for text in shown), shown
