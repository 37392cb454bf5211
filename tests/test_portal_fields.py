"""Typed fields per section: values of each kind, the article form, presets, the migration."""

import importlib
import math

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.demo.content import DIRECTORY, GAMES
from articles.demo.portal import load_portal_demo
from articles.models import Article, Section, SectionField
from articles.portal.fields import (
    PRESETS,
    coerce_value,
    ensure_preset_fields,
    fields_by_section,
    front_matter_value,
    values_for,
)
from tests.admin_forms import admin_form, form_data, read_form

pytestmark = pytest.mark.django_db

presets_migration = importlib.import_module("articles.migrations.0012_section_field_presets")


def field(kind, key="k", label="测试字段"):
    return SectionField(key=key, label=label, kind=kind)


def refused(kind, raw):
    with pytest.raises(ValidationError) as caught:
        coerce_value(field(kind), raw)
    return " ".join(caught.value.messages)


# Values of each kind


@pytest.mark.parametrize(
    "raw",
    [
        "https://play.0xuniverse.com?utm_source=x&utm_medium=organic",
        "http://a.example/",
        "  https://t.me/x ",
    ],
)
def test_a_url_field_takes_http_and_https_urls(raw):
    assert coerce_value(field("url"), raw) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "/relative/path",
        "//example.com/x",
        "example.com",
        "https://exa mple.com/",
        "https://example.com/\u0000",
        "ftp://example.com/",
        "https://" + "a" * 500 + ".com/",
        7,
    ],
)
def test_a_url_field_refuses_anything_else_naming_the_field(raw):
    assert "测试字段" in refused("url", raw)


def test_text_is_stripped_and_numbers_become_text():
    assert coerce_value(field("text"), "  Live ") == "Live"
    assert coerce_value(field("text"), 3) == "3"
    assert "测试字段" in refused("text", {"a": 1})
    assert "测试字段" in refused("text", ["Live", "Beta"])


@pytest.mark.parametrize(
    ("raw", "value"),
    [("7", 7), (7, 7), ("7.5", 7.5), (7.0, 7), (" 10 ", 10), (["7"], 7), ("-2", -2)],
)
def test_a_number_field_keeps_whole_numbers_ints(raw, value):
    result = coerce_value(field("number"), raw)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    "raw",
    ["abc", "7分", "nan", "NaN", "inf", "-Infinity", math.nan, math.inf, "1e999", True, "9" * 60],
)
def test_a_number_field_refuses_what_is_not_a_finite_number(raw):
    assert "测试字段" in refused("number", raw)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (True, True),
        (False, False),
        ("Yes", True),
        ("NO", False),
        ("true", True),
        ("是", True),
        ("否", False),
        (1, True),
        (0, False),
        ("1", True),
        (["No"], False),
    ],
)
def test_a_yesno_field_reads_the_ways_front_matter_writes_it(raw, value):
    assert coerce_value(field("yesno"), raw) is value


@pytest.mark.parametrize("raw", ["maybe", 2, ["Yes", "No"], {"a": 1}])
def test_a_yesno_field_refuses_other_answers(raw):
    assert "测试字段" in refused("yesno", raw)


def test_words_from_a_list_or_a_separated_string_keep_order_without_repeats():
    assert coerce_value(field("words"), ["Ethereum", " Polygon ", "", "Ethereum"]) == [
        "Ethereum",
        "Polygon",
    ]
    assert coerce_value(field("words"), "BSC, Solana、Ethereum，BSC") == [
        "BSC",
        "Solana",
        "Ethereum",
    ]
    assert "测试字段" in refused("words", [{"img": "x.webp"}])


@pytest.mark.parametrize("kind", ["url", "text", "number", "yesno", "words"])
@pytest.mark.parametrize("raw", [None, "", "   ", [], [""]])
def test_empty_means_not_set(kind, raw):
    assert coerce_value(field(kind), raw) is None


def test_front_matter_values_round_trip():
    for kind, raw in [("number", "7"), ("yesno", "Yes"), ("yesno", ["No"]), ("words", ["A", "B"])]:
        value = coerce_value(field(kind), raw)
        assert coerce_value(field(kind), front_matter_value(field(kind), value)) == value
    assert front_matter_value(field("number"), 7) == 7
    assert front_matter_value(field("yesno"), False) == "No"


def test_values_for_skips_unset_and_invalid_values_in_field_order():
    score, site, status = field("number", "score"), field("url", "website"), field("text", "status")
    article = Article(fields={"website": "javascript:alert(1)", "score": 7, "other": "x"})

    assert values_for(article, [status, site, score]) == [(score, 7)]


# Presets and the migration


@pytest.fixture
def games(db):
    return Section.objects.create(name="游戏", slug="games")


def test_presets_are_created_once_and_edited_fields_stay(games):
    created = ensure_preset_fields(games)
    assert [f.key for f in created] == [preset["key"] for preset in PRESETS["games"]]
    score = games.fields.get(key="score")
    score.label = "玩家评分"
    score.kind = "text"  # a preset key with another kind is the editors' choice
    score.save()
    games.fields.get(key="twitch").delete()

    again = ensure_preset_fields(games)

    assert [f.key for f in again] == ["twitch"]
    score.refresh_from_db()
    assert (score.label, score.kind) == ("玩家评分", "text")
    assert ensure_preset_fields(games) == []
    assert ensure_preset_fields(Section.objects.create(name="资讯", slug="news")) == []


def test_the_navigation_preset_is_a_visit_button():
    navigation = Section.objects.create(name="导航", slug="navigation")
    (link,) = ensure_preset_fields(navigation)
    assert (link.key, link.kind, link.display, link.label) == ("link", "url", "button", "访问站点")
    assert link.translations == {"en": {"label": "Visit site"}}


def test_the_migration_holds_a_copy_of_the_presets():
    for slug, presets in PRESETS.items():
        rows = presets_migration.preset_rows(slug)
        assert list(rows) == [preset["key"] for preset in presets]
        for preset in presets:
            assert rows[preset["key"]] == {k: v for k, v in preset.items() if k != "key"}


def test_the_migration_adds_presets_and_its_reverse_removes_only_untouched_ones(games):
    news = Section.objects.create(name="资讯", slug="news")
    SectionField.objects.create(section=games, key="score", label="分数", kind="text")

    presets_migration.add_presets(django_apps, None)
    presets_migration.add_presets(django_apps, None)

    assert games.fields.count() == len(PRESETS["games"])
    assert games.fields.get(key="score").label == "分数"
    assert not news.fields.exists()
    games.fields.filter(key="status").update(label="运营状态")

    presets_migration.remove_presets(django_apps, None)

    assert sorted(games.fields.values_list("key", flat=True)) == ["score", "status"]


def test_fields_by_section_reads_once_per_generation(games):
    ensure_preset_fields(games)
    first = fields_by_section()
    assert [f.key for f in first[games.pk]][:2] == ["score", "status"]

    with CaptureQueriesContext(connection) as queries:
        assert fields_by_section() == first
    assert len(queries) == 0

    SectionField.objects.create(section=games, key="studio", label="开发商", position=1)
    assert [f.key for f in fields_by_section()[games.pk]][:2] == ["studio", "score"]


# The article form


@pytest.fixture
def game(games, make_article):
    ensure_preset_fields(games)
    return make_article(
        title="第一条游戏", section=games, fields={"score": 7, "supported_ntfs": [{"img": "a"}]}
    )


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def test_the_form_shows_the_sections_fields_typed_and_labelled(staff_client, game):
    response = staff_client.get(change_url(game))
    text = response.text
    data = read_form(text, "article_form")

    assert "栏目字段" in text
    assert data["field__score"] == "7"
    assert data["field__nft_support"] == ""
    assert '<input type="url" name="field__website"' in text
    assert "官网" in text and "Google Play" in text
    assert '<option value="yes">是</option>' in text
    assert 'name="toc"' in text


def test_saving_the_form_writes_typed_values_and_keeps_undeclared_keys(staff_client, game):
    data = admin_form(staff_client, change_url(game))
    data.update(
        {
            "field__score": "8.5",
            "field__status": " Live ",
            "field__blockchain": "Ethereum, Polygon、Ethereum",
            "field__nft_support": "yes",
            "field__play_to_earn": "no",
            "field__website": "https://example.com/game",
            "toc": "on",
        }
    )

    response = staff_client.post(change_url(game), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    game.refresh_from_db()
    assert game.fields == {
        "score": 8.5,
        "status": "Live",
        "blockchain": ["Ethereum", "Polygon"],
        "nft_support": True,
        "play_to_earn": False,
        "website": "https://example.com/game",
        "supported_ntfs": [{"img": "a"}],
    }
    assert game.toc is True


def test_clearing_a_field_unsets_it(staff_client, game):
    data = admin_form(staff_client, change_url(game))
    data["field__score"] = ""

    assert staff_client.post(change_url(game), data).status_code == 302
    game.refresh_from_db()
    assert "score" not in game.fields


@pytest.mark.parametrize("bad_url", ["javascript:alert(document.cookie)", "example.com/no-scheme"])
def test_a_bad_url_is_refused_and_the_editors_text_stays(staff_client, game, bad_url):
    data = admin_form(staff_client, change_url(game))
    data.update(
        {
            "title": "改过的标题",
            "field__score": "9",
            "field__blockchain": "BSC、Solana",
            "field__website": bad_url,
        }
    )

    response = staff_client.post(change_url(game), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "官网" in " ".join(form.errors["field__website"])
    resubmit = read_form(response.text, "article_form")
    assert resubmit["field__website"] == bad_url
    assert resubmit["field__score"] == "9"
    assert resubmit["field__blockchain"] == "BSC、Solana"
    assert resubmit["title"] == "改过的标题"
    game.refresh_from_db()
    assert game.fields == {"score": 7, "supported_ntfs": [{"img": "a"}]}


def test_a_bad_number_is_refused(staff_client, game):
    data = admin_form(staff_client, change_url(game))
    data["field__score"] = "七分"

    response = staff_client.post(change_url(game), data)

    assert response.status_code == 200
    assert "不是有效的数字" in response.text
    assert read_form(response.text, "article_form")["field__score"] == "七分"


def test_changing_the_section_shows_the_new_sections_fields(staff_client, game):
    navigation = Section.objects.create(name="导航", slug="navigation")
    ensure_preset_fields(navigation)
    data = admin_form(staff_client, change_url(game))
    data["section"] = str(navigation.pk)
    data["title"] = ""  # an error elsewhere: the form comes back with the new section's fields

    response = staff_client.post(change_url(game), data)

    assert response.status_code == 200
    resubmit = read_form(response.text, "article_form")
    assert "field__link" in resubmit and "field__score" not in resubmit

    resubmit["title"] = "搬到导航"
    assert staff_client.post(change_url(game), resubmit).status_code == 302
    game.refresh_from_db()
    assert game.section == navigation
    assert game.fields["score"] == 7  # the games section's value stays, for a move back
    response = staff_client.get(change_url(game))
    assert "field__link" in read_form(response.text, "article_form")


def test_an_article_without_section_has_no_typed_fields(staff_client, make_article):
    article = make_article(fields={"score": 3})
    data = admin_form(staff_client, change_url(article))
    assert not [name for name in data if name.startswith("field__")]
    assert staff_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.fields == {"score": 3}


def test_the_add_form_takes_the_section_from_the_url(staff_client, games):
    ensure_preset_fields(games)
    url = reverse("admin:articles_article_add") + f"?section={games.pk}"
    assert "field__score" in read_form(staff_client.get(url).text, "article_form")


# Declaring fields in the section admin


def section_url(section):
    return reverse("admin:articles_section_change", args=[section.pk])


def add_field_row(data, index, **values):
    data["fields-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"fields-{index}-{name}"] = value


def test_an_editor_adds_a_field_as_a_row_and_the_article_form_shows_it(staff_client, games, game):
    data = form_data(staff_client, section_url(games), form_id="section_form")
    index = int(data["fields-INITIAL_FORMS"])
    add_field_row(
        data,
        index,
        key="studio",
        label="开发商",
        kind="text",
        display="facts",
        position="5",
        translations="{}",
    )

    response = staff_client.post(section_url(games), data)

    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert games.fields.filter(key="studio", kind="text").exists()
    assert "field__studio" in read_form(staff_client.get(change_url(game)).text, "article_form")


def test_a_repeated_key_gets_a_clear_error(staff_client, games):
    ensure_preset_fields(games)
    data = form_data(staff_client, section_url(games), form_id="section_form")
    index = int(data["fields-INITIAL_FORMS"])
    add_field_row(
        data, index, key="score", label="第二个评分", kind="number", display="facts", position="1"
    )
    data[f"fields-{index}-translations"] = "{}"

    response = staff_client.post(section_url(games), data)

    assert response.status_code == 200
    assert "键“score”在这个栏目里已经有了" in response.text
    assert games.fields.filter(key="score").count() == 1


@pytest.mark.parametrize(
    ("key", "translations", "message"),
    [
        ("评 分", "{}", ""),
        ("NFT_Support", "{}", "键请用小写"),
        ("score", '{"en": "Score"}', "格式应为"),
        ("score", "[1]", "格式应为"),
    ],
)
def test_a_bad_field_row_is_refused_with_a_message(staff_client, games, key, translations, message):
    data = form_data(staff_client, section_url(games), form_id="section_form")
    add_field_row(
        data,
        0,
        key=key,
        label="评分",
        kind="number",
        display="facts",
        position="1",
        translations=translations,
    )

    response = staff_client.post(section_url(games), data)

    assert response.status_code == 200
    assert message in response.text
    assert not games.fields.exists()


def test_a_preset_key_may_have_another_kind(staff_client, games):
    data = form_data(staff_client, section_url(games), form_id="section_form")
    add_field_row(data, 0, key="score", label="评分", kind="text", display="hidden", position="1")
    data["fields-0-translations"] = '{"en": {"label": "Rating"}}'

    assert staff_client.post(section_url(games), data).status_code == 302
    score = games.fields.get(key="score")
    assert (score.kind, score.display, score.translations) == (
        "text",
        "hidden",
        {"en": {"label": "Rating"}},
    )


# The demo


def test_the_demo_directory_and_games_load_once_with_typed_fields():
    first = load_portal_demo()
    again = load_portal_demo()

    assert first == len(DIRECTORY) + len(GAMES) and again == 0
    directory = Article.objects.filter(section__slug="navigation")
    assert directory.count() == len(DIRECTORY)
    for entry in directory:
        assert entry.fields["link"].startswith("https://")
        assert entry.featured_image_width == entry.featured_image_height <= 256
    games = {game.title: game for game in Article.objects.filter(section__slug="games")}
    assert games["星海拓荒"].fields["score"] == 8.5
    assert games["像素农场"].fields["blockchain"] == ["BNB Chain"]
    assert games["像素农场"].fields["play_to_earn"] is False
    assert Section.objects.get(slug="games").fields.count() == len(PRESETS["games"])


def test_fields_that_are_not_a_mapping_do_not_break_reading_or_the_form(staff_client, game):
    Article.objects.filter(pk=game.pk).update(fields=["not", "a", "mapping"])
    game.refresh_from_db()

    assert values_for(game, list(game.section.fields.all())) == []
    data = admin_form(staff_client, change_url(game))
    data["field__score"] = "5"
    assert staff_client.post(change_url(game), data).status_code == 302
    game.refresh_from_db()
    assert game.fields == {"score": 5}
