"""Who else is here, and the autosave's server side: the article form's heartbeat endpoint
(articles/admin/editing.py, articles/editorial/presence.py) and what the form tells its script."""

import json
import logging
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.editorial import presence
from articles.models import Author
from articles.pagecache.generation import generation
from tests.admin_forms import form_data
from tests.test_reliability_cache import free_port, use_redis

pytestmark = pytest.mark.django_db

TAB_A = "tab-aaaa-1111"
TAB_B = "tab-bbbb-2222"


def presence_url(article):
    return reverse("admin:articles_article_presence", args=[article.pk])


def beat(client, article, tab, action="beat"):
    return client.post(presence_url(article), {"tab": tab, "action": action})


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_editors(role_user):
    lin = role_user("Editor", username="lin")
    Author.objects.create(name="林晓舟", user=lin)
    wang = role_user("Moderator", username="wang")
    return client_for(lin), client_for(wang)


def test_a_heartbeat_shows_the_other_editor_by_name(two_editors, make_article):
    lin, wang = two_editors
    article = make_article(title="两人同时打开")

    first = beat(lin, article, TAB_A)
    assert first.status_code == 200 and first.json()["others"] == []
    assert "no-cache" in first["Cache-Control"] or "no-store" in first["Cache-Control"]

    others = beat(wang, article, TAB_B).json()["others"]
    assert [other["message"] for other in others] == ["林晓舟 也在编辑这篇文章（刚刚打开）"]
    assert [other["name"] for other in beat(lin, article, TAB_A).json()["others"]] == ["wang"]


def test_the_time_shown_is_when_the_other_opened_the_form(role_user, make_article):
    lin, wang = role_user("Editor", username="lin"), role_user("Editor", username="wang")
    article = make_article()
    presence.beat(article_id=article.pk, user=lin, name="林晓舟", tab=TAB_A, editing=True, now=1000)
    presence.beat(article_id=article.pk, user=lin, name="林晓舟", tab=TAB_A, editing=True, now=1040)

    state = presence.beat(
        article_id=article.pk, user=wang, name="王芳", tab=TAB_B, editing=True, now=1065
    )

    assert [other["message"] for other in state["others"]] == [
        "林晓舟 也在编辑这篇文章（1 分钟前）"
    ]


def test_a_closed_page_is_gone(two_editors, make_article):
    lin, wang = two_editors
    article = make_article()
    beat(lin, article, TAB_A)
    leave = beat(lin, article, TAB_A, action="leave")
    assert leave.status_code == 204

    assert beat(wang, article, TAB_B).json()["others"] == []


def test_taking_over_tells_the_other_page_at_its_next_heartbeat(two_editors, make_article):
    lin, wang = two_editors
    article = make_article()
    beat(lin, article, TAB_A)
    beat(wang, article, TAB_B)

    taken = beat(wang, article, TAB_B, action="takeover").json()
    assert taken["others"] == [] and taken["taken_over"] is None

    notice = beat(lin, article, TAB_A).json()["taken_over"]
    assert notice["by"] == "wang"
    assert re.match(r"wang 于 \d\d:\d\d 接管了这篇文章", notice["message"])
    # the taken-over page is gone from the list: it does not come back with later beats
    beat(lin, article, TAB_A)
    assert beat(wang, article, TAB_B).json()["others"] == []


def test_anonymous_gets_the_login_redirect_and_no_permission_gets_403(
    client, django_user_model, role_user, make_article
):
    article = make_article(title="别人的文章")
    assert beat(client, article, TAB_A).status_code == 302

    outsider = django_user_model.objects.create_user(
        username="outsider", password="pw-x-12345", is_staff=True
    )
    assert beat(client_for(outsider), article, TAB_A).status_code == 403

    reader = django_user_model.objects.create_user(username="reader", password="pw-x-12345")
    assert beat(client_for(reader), article, TAB_A).status_code == 302


def test_a_writer_may_watch_someone_elses_article_but_not_take_it_over(
    role_user, two_editors, make_article
):
    lin, _ = two_editors
    writer = client_for(role_user("Writer"))
    article = make_article()
    beat(lin, article, TAB_A)

    watching = beat(writer, article, TAB_B)
    assert watching.status_code == 200 and watching.json()["can_take_over"] is False
    assert beat(writer, article, TAB_B, action="takeover").status_code == 403
    assert beat(lin, article, TAB_A).json()["taken_over"] is None
    assert [o["message"] for o in beat(lin, article, TAB_A).json()["others"]] == [
        "writer 正在查看这篇文章（刚刚打开）"
    ]


def test_the_heartbeat_needs_csrf_post_and_a_proper_tab(role_user, make_article):
    editor = role_user("Editor")
    client = client_for(editor)
    article = make_article()
    assert client.get(presence_url(article)).status_code == 405
    assert beat(client, article, "x").status_code == 400
    assert beat(client, article, TAB_A, action="delete").status_code == 400

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert beat(strict, article, TAB_A).status_code == 403


def test_heartbeats_and_take_overs_leave_the_generation_and_cached_pages_alone(
    settings, two_editors, make_article, client
):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": True, "TIMEOUT": 300}
    lin, wang = two_editors
    article = make_article(title="读者看到的页面")
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "miss"
    before = generation()

    beat(lin, article, TAB_A)
    beat(wang, article, TAB_B, action="takeover")
    beat(lin, article, TAB_A, action="leave")

    assert generation() == before
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


def test_with_the_cache_failing_the_heartbeat_shows_nobody(
    settings, two_editors, make_article, caplog
):
    caplog.set_level(logging.WARNING)
    lin, wang = two_editors
    article = make_article()
    use_redis(settings, free_port())  # nothing listens there: reads miss, writes are dropped

    beat(lin, article, TAB_A)
    answer = beat(wang, article, TAB_B)
    assert answer.status_code == 200
    assert answer.json() == {"others": [], "taken_over": None, "can_take_over": True}
    assert beat(wang, article, TAB_B, action="takeover").status_code == 200


def test_a_cache_that_raises_is_tolerated_too(monkeypatch, role_user, make_article):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    article = make_article()
    state = presence.beat(
        article_id=article.pk, user=role_user("Editor"), name="x", tab=TAB_A, editing=True
    )
    assert state == {"others": [], "taken_over": None}


def editing_options(response):
    found = re.search(r'id="editor-presence"[^>]*data-options="([^"]*)"', response.text)
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


def test_the_form_loads_the_script_and_tells_it_where_to_beat(staff_client, make_article):
    article = make_article()
    response = staff_client.get(reverse("admin:articles_article_change", args=[article.pk]))

    assert "js/editor-presence.js" in response.text
    options = editing_options(response)
    assert options["presence_url"] == presence_url(article)
    assert options["article"] == article.pk and options["last_saved"] == 0
    assert set(options["fields"]) == {"title", "description", "body"}


def test_a_save_tells_the_form_when_this_user_last_saved(staff_client, make_article):
    """The script drops an autosave kept before this moment: that text was saved."""
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(staff_client, url, form_id="article_form")
    data["title"] = "保存之后"
    assert staff_client.post(url, data).status_code == 302

    options = editing_options(staff_client.get(url))
    assert options["now"] >= options["last_saved"] > 0
    add_options = editing_options(staff_client.get(reverse("admin:articles_article_add")))
    assert add_options["article"] == "new" and add_options["last_saved"] == 0
    assert "presence_url" not in add_options


def save_title(client, article, title):
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(client, url, form_id="article_form")
    data["title"] = title
    assert client.post(url, data).status_code == 302
    return url


def test_only_this_users_saves_of_this_article_count(staff_client, two_editors, make_article):
    lin, _ = two_editors
    article, other = make_article(), make_article()
    url = save_title(lin, article, "林晓舟改的")
    save_title(staff_client, other, "另一篇文章")

    assert editing_options(staff_client.get(url))["last_saved"] == 0


def test_a_page_that_stopped_beating_is_gone_after_its_entry_expires(role_user, make_article):
    lin, wang = role_user("Editor", username="lin"), role_user("Editor", username="wang")
    article = make_article()
    presence.beat(article_id=article.pk, user=lin, name="林晓舟", tab=TAB_A, editing=True)
    cache.delete(f"newsroom:presence:{article.pk}:tab:{lin.pk}.{TAB_A}")  # as its timeout would

    state = presence.beat(article_id=article.pk, user=wang, name="王芳", tab=TAB_B, editing=True)
    assert state["others"] == []
    assert cache.get(f"newsroom:presence:{article.pk}") == [f"{wang.pk}.{TAB_B}"]
