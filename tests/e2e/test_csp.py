"""The Content-Security-Policy is on, and the public site and the admin (CKEditor 5 included)
still work under it: no violation is reported and an article written in the editor is saved."""

import pytest

from articles.models import Article

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WATCH_VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile);
});
"""


def _violations(page):
    return page.evaluate("window.__csp || []")


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        username="csp-editor", password="pw-csp-editor-1", is_staff=True, is_superuser=True
    )


def test_public_pages_run_under_the_policy(page, make_article, place, section, live_server):
    page.add_init_script(WATCH_VIOLATIONS)
    article = make_article(
        title="内容安全策略下的文章",
        section=section,
        authors=["Cindy"],
        tags=["元宇宙"],
        topics=["GameFi"],
        body='<p>正文</p><p><img src="/static/favicon.svg" alt="图"></p>',
    )
    place(article, "carousel")
    author = article.byline[0]
    tag = article.tags.first()
    topic = article.topics.first()

    for url in [
        "/",
        "/articles/",
        article.get_absolute_url(),
        section.get_absolute_url(),
        tag.get_absolute_url(),
        topic.get_absolute_url(),
        author.get_absolute_url(),
        "/search/?q=文章",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        policy = response.header_value("content-security-policy")
        assert policy and "script-src 'self'" in policy, url
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], url


def test_admin_and_ckeditor5_work_under_the_policy(page, editor, admin_login):
    page.add_init_script(WATCH_VIOLATIONS)
    admin_login(page, "csp-editor", "pw-csp-editor-1")
    assert _violations(page) == []

    response = page.goto("/admin/articles/article/add/")
    assert "script-src 'self'" in response.header_value("content-security-policy")
    editable = page.locator(".ck-editor__editable").first
    editable.wait_for()
    page.fill("#id_title", "在 CKEditor 5 里写的文章")
    editable.click()
    page.keyboard.type("这是在编辑器里输入的正文。")
    page.locator(".ck-toolbar button").first.wait_for()
    page.keyboard.press("Control+b")
    page.keyboard.type("加粗")
    assert _violations(page) == []

    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert _violations(page) == []

    article = Article.objects.get(title="在 CKEditor 5 里写的文章")
    assert "这是在编辑器里输入的正文。" in article.body
    assert "<strong>加粗</strong>" in article.body

    page.goto(f"/admin/articles/article/{article.pk}/change/")
    page.locator(".ck-editor__editable").first.wait_for()
    assert "这是在编辑器里输入的正文。" in page.locator(".ck-editor__editable").first.inner_text()
    for url in ["/admin/", "/admin/articles/author/add/", "/admin/articles/placement/"]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert _violations(page) == [], url
