"""The admin speaks one language at a time: with the admin in Chinese no English words are left
in the checked parts of each screen, in English no Chinese ones (names that are data aside)."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def texts(html, pattern):
    """The visible text of each element matched by pattern (a regex over the HTML)."""
    found = []
    for match in re.finditer(pattern, html, re.S):
        text = re.sub(r"<[^>]+>", " ", match.group(1))
        found.append(" ".join(text.split()))
    return found


def get(client, url, language):
    response = client.get(url, headers={"accept-language": language})
    assert response.status_code == 200, url
    return response.content.decode()


def only_chinese(parts):
    return [part for part in parts if ENGLISH_WORD.search(part)]


def only_english(parts):
    return [part for part in parts if HAN.search(part)]


HEADERS = r"<th[^>]*>(.*?)</th>"
CAPTIONS = r"<caption[^>]*>(.*?)</caption>"
TITLE = r"<h1[^>]*>(.*?)</h1>"
LABELS = r"<label[^>]*>(.*?)</label>"
FILTERS = r'<div id="changelist-filter"[^>]*>(.*?)</div>'


@pytest.mark.parametrize("url", ["/admin/", "/admin/axes/accessattempt/", "/admin/axes/accesslog/"])
def test_the_login_throttles_screens_and_the_index(staff_client, url):
    for pattern in (HEADERS, CAPTIONS, TITLE, FILTERS):
        assert only_chinese(texts(get(staff_client, url, "zh-hans"), pattern)) == [], pattern
        assert only_english(texts(get(staff_client, url, "en"), pattern)) == [], pattern


def test_byline_and_tag_columns(staff_client):
    url = reverse("admin:articles_article_add")
    chinese = texts(
        get(staff_client, url, "zh-hans"),
        r'<div class="js-inline-admin-formset inline-group"[^>]*>.*?<thead>(.*?)</thead>',
    )
    english = texts(
        get(staff_client, url, "en"),
        r'<div class="js-inline-admin-formset inline-group"[^>]*>.*?<thead>(.*?)</thead>',
    )
    assert "作者" in chinese[0] and "标签" in chinese[1]
    assert "Author" in english[0] and "Tag" in english[1]
    assert only_chinese(chinese) == [] and only_english(english) == []


def test_group_names_their_duties_and_permission_names(staff_client):
    listing = reverse("admin:auth_group_changelist")
    rows = r"<tbody>(.*?)</tbody>"
    chinese = texts(get(staff_client, listing, "zh-hans"), rows)
    english = texts(get(staff_client, listing, "en"), rows)
    assert "作者" in chinese[0] and "审核" in chinese[0] and only_chinese(chinese) == []
    assert "Writer" in english[0] and "Moderator" in english[0] and only_english(english) == []

    writer = Group.objects.get(name="Writer")
    form = reverse("admin:auth_group_change", args=[writer.pk])
    options = r'<select name="permissions"[^>]*>(.*?)</select>'
    chinese = get(staff_client, form, "zh-hans")
    english = get(staff_client, form, "en")
    chinese_options = texts(chinese, r"<option[^>]*>(.*?)</option>")
    english_options = texts(english, r"<option[^>]*>(.*?)</option>")
    assert re.search(options, chinese, re.S) and chinese_options
    assert "内容 | 文章 | 可以添加文章" in chinese_options
    assert "Content | Article | Can add Article" in english_options
    assert "Content | Article | Can publish, schedule and unpublish articles" in english_options
    assert only_chinese(chinese_options) == []
    assert only_english(english_options) == []
    assert "后台显示为“作者”" in chinese and "Shown in the admin as “Writer”" in english

    user_form = reverse("admin:auth_user_change", args=[writer.pk and _user(staff_client)])
    chinese = get(staff_client, user_form, "zh-hans")
    groups = texts(chinese, r'<select name="groups"[^>]*>(.*?)</select>')
    assert groups and "作者" in groups[0] and only_chinese(groups) == []
    assert "作者：撰写文章" in chinese
    english = get(staff_client, user_form, "en")
    groups = texts(english, r'<select name="groups"[^>]*>(.*?)</select>')
    assert "Writer" in groups[0] and only_english(groups) == []


def _user(client):
    return int(client.session["_auth_user_id"])


def test_the_preview_button_is_in_one_language(staff_client, make_article):
    article = make_article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    tools = r'<ul class="object-tools">(.*?)</ul>'
    chinese = texts(get(staff_client, url, "zh-hans"), tools)[0]
    english = texts(get(staff_client, url, "en"), tools)[0]
    assert "预览" in chinese and "Preview" not in chinese and only_chinese([chinese]) == []
    assert "Preview" in english and only_english([english]) == []
