"""Every role against every article action in the admin, including crafted POSTs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Placement, PlacementLog, PlacementProposal, Slot
from tests.admin_forms import admin_form

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:articles_article_changelist"


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def login(client, role_user, role):
    user = role_user(role)
    client.force_login(user)
    return user


@pytest.fixture
def writer_client(client, role_user):
    client.user = login(client, role_user, "Writer")
    return client


@pytest.fixture
def own_draft(writer_client, make_article):
    return make_article(
        title="作者的草稿", status=Article.Status.DRAFT, created_by=writer_client.user
    )


def add_form(client):
    return admin_form(client, reverse("admin:articles_article_add"))


# Writer -----------------------------------------------------------------------------------


def test_writer_adds_a_draft_that_is_theirs(writer_client):
    data = add_form(writer_client)
    assert "status" not in data and "published_at_0" not in data  # not even offered
    data.update(title="新稿件", body="<p>正文</p>")

    response = writer_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302
    article = Article.objects.get(title="新稿件")
    assert article.status == Article.Status.DRAFT
    assert article.created_by == writer_client.user


@pytest.mark.parametrize(
    "crafted",
    [
        {"status": "published"},
        {"published_at_0": "2030-01-01", "published_at_1": "08:00"},
        {"published_at": "2030-01-01 08:00"},
    ],
)
def test_writer_posting_publish_fields_on_a_new_article_is_refused(writer_client, crafted):
    data = add_form(writer_client)
    data.update(title="偷偷发布", **crafted)

    response = writer_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 200
    assert "你没有发布权限" in response.text
    assert not Article.objects.filter(title="偷偷发布").exists()


@pytest.mark.parametrize(
    "crafted",
    [{"status": "published"}, {"published_at_0": "2020-01-01", "published_at_1": "08:00"}],
)
def test_writer_posting_publish_fields_on_their_draft_changes_nothing(
    writer_client, own_draft, crafted
):
    data = admin_form(writer_client, change_url(own_draft))
    data.update(title="改了标题", **crafted)

    response = writer_client.post(change_url(own_draft), data)

    assert response.status_code == 200
    assert "你没有发布权限" in response.text
    own_draft.refresh_from_db()
    assert own_draft.title == "作者的草稿"
    assert own_draft.status == Article.Status.DRAFT and own_draft.published_at is None


def test_writer_edits_their_own_draft(writer_client, own_draft):
    data = admin_form(writer_client, change_url(own_draft))
    data["title"] = "改好的标题"

    assert writer_client.post(change_url(own_draft), data).status_code == 302
    own_draft.refresh_from_db()
    assert own_draft.title == "改好的标题"


def test_writer_edits_a_draft_on_which_they_are_a_byline_author(writer_client, make_article):
    from articles.models import Author

    Author.objects.create(name="小作者", user=writer_client.user)
    imported = make_article(title="导入的草稿", status=Article.Status.DRAFT, authors=["小作者"])
    data = admin_form(writer_client, change_url(imported))
    data["title"] = "作者改过"

    assert writer_client.post(change_url(imported), data).status_code == 302
    imported.refresh_from_db()
    assert imported.title == "作者改过"


def test_writer_cannot_change_someone_elses_draft(writer_client, make_article):
    other = make_article(title="别人的草稿", status=Article.Status.DRAFT)
    page = writer_client.get(change_url(other))
    assert page.status_code == 200 and 'name="_save"' not in page.text  # read-only view

    response = writer_client.post(change_url(other), {"title": "被改了"})

    assert response.status_code == 403
    other.refresh_from_db()
    assert other.title == "别人的草稿"


def test_writer_cannot_change_their_article_once_published(writer_client, make_article):
    published = make_article(title="已发布", created_by=writer_client.user)

    response = writer_client.post(change_url(published), {"title": "发布后又改"})

    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title == "已发布"


@pytest.mark.parametrize("action", ["publish", "unpublish"])
def test_writer_crafting_a_publish_action_changes_nothing(writer_client, make_article, action):
    draft = make_article(status=Article.Status.DRAFT, created_by=writer_client.user)
    live = make_article(created_by=writer_client.user)
    page = writer_client.get(reverse(CHANGELIST))
    assert f'value="{action}"' not in page.text

    writer_client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [draft.pk, live.pk]}
    )

    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert live.status == Article.Status.PUBLISHED


def test_writer_crafting_an_inline_placement_is_refused(writer_client, own_draft):
    data = admin_form(writer_client, change_url(own_draft))
    carousel = Slot.objects.get(key="carousel")
    data.update(
        {
            "title": "带推荐位",
            "placements-TOTAL_FORMS": "1",
            "placements-INITIAL_FORMS": "0",
            "placements-0-slot": str(carousel.pk),
            "placements-0-position": "0",
            "placements-0-article": str(own_draft.pk),
        }
    )

    response = writer_client.post(change_url(own_draft), data)

    assert response.status_code == 200
    assert "推荐位不能在文章表单里修改" in response.text
    own_draft.refresh_from_db()
    assert own_draft.title == "作者的草稿"
    assert not Placement.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:articles_placement_add",
        "admin:articles_placementproposal_add",
        "admin:articles_slot_desk",
        "admin:articles_placementlog_changelist",
    ],
)
def test_writer_cannot_reach_curation(writer_client, make_article, url_name):
    article = make_article()
    carousel = Slot.objects.get(key="carousel")

    assert writer_client.get(reverse(url_name)).status_code == 403
    response = writer_client.post(
        reverse(url_name), {"slot": carousel.pk, "article": article.pk, "position": 0}
    )

    assert response.status_code == 403
    assert not Placement.objects.exists() and not PlacementProposal.objects.exists()


# Editor -----------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, role_user):
    client.user = login(client, role_user, "Editor")
    return client


def test_editor_edits_anyones_article(editor_client, make_article):
    article = make_article(title="别人的文章")
    data = admin_form(editor_client, change_url(article))
    data["title"] = "编辑改过"

    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.title == "编辑改过"


def test_editor_schedules_an_article_in_the_form(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    when = timezone.localtime(timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    data = admin_form(editor_client, change_url(draft))
    data.update(
        status="published",
        published_at_0=when.strftime("%Y-%m-%d"),
        published_at_1=when.strftime("%H:%M"),
    )

    assert editor_client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_scheduled and draft.published_at == when


def test_editor_publishes_and_unpublishes_with_the_actions(editor_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)

    editor_client.post(reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_visible

    editor_client.post(reverse(CHANGELIST), {"action": "unpublish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


def test_editor_cannot_add_a_placement(editor_client, make_article):
    article = make_article()
    response = editor_client.post(
        reverse("admin:articles_placement_add"),
        {"slot": Slot.objects.get(key="carousel").pk, "article": article.pk, "position": 0},
    )

    assert response.status_code == 403
    assert not Placement.objects.exists()


def test_editor_crafting_an_inline_placement_is_refused(editor_client, make_article):
    article = make_article(title="编辑的文章")
    data = admin_form(editor_client, change_url(article))
    data.update(
        {
            "placements-TOTAL_FORMS": "1",
            "placements-0-slot": str(Slot.objects.get(key="pinned").pk),
            "placements-0-position": "0",
        }
    )

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 200
    assert not Placement.objects.exists()


def test_editor_proposes_a_placement(editor_client, make_article):
    article = make_article(title="值得推荐")
    carousel = Slot.objects.get(key="carousel")
    form = admin_form(
        editor_client,
        reverse("admin:articles_placementproposal_add") + f"?article={article.pk}",
        form_id="placementproposal_form",
    )
    form.update(slot=str(carousel.pk), note="阅读量高")

    response = editor_client.post(reverse("admin:articles_placementproposal_add"), form)

    assert response.status_code == 302
    proposal = PlacementProposal.objects.get()
    assert (proposal.article, proposal.slot, proposal.proposed_by) == (
        article,
        carousel,
        editor_client.user,
    )
    assert proposal.status == PlacementProposal.Status.PENDING
    assert not Placement.objects.exists()
    assert PlacementLog.objects.get().action == PlacementLog.Action.PROPOSED


def test_editor_crafting_an_approval_changes_nothing(editor_client, make_article, role_user):
    proposal = PlacementProposal.objects.create(
        slot=Slot.objects.get(key="carousel"),
        article=make_article(),
        proposed_by=editor_client.user,
    )

    editor_client.post(
        reverse("admin:articles_placementproposal_changelist"),
        {"action": "approve", "_selected_action": [proposal.pk]},
    )
    desk = editor_client.post(
        reverse("admin:articles_slot_desk"), {"action": "approve", "proposal": proposal.pk}
    )

    assert desk.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == PlacementProposal.Status.PENDING
    assert not Placement.objects.exists()


# Moderator --------------------------------------------------------------------------------


@pytest.fixture
def moderator_client(client, role_user):
    client.user = login(client, role_user, "Moderator")
    return client


def test_moderator_adds_and_removes_a_placement_in_the_admin(moderator_client, make_article):
    article = make_article(title="头条")
    carousel = Slot.objects.get(key="carousel")

    response = moderator_client.post(
        reverse("admin:articles_placement_add"),
        {"slot": carousel.pk, "article": article.pk, "position": 0},
    )
    assert response.status_code == 302
    placement = Placement.objects.get()
    assert placement.created_by == moderator_client.user

    moderator_client.post(
        reverse("admin:articles_placement_delete", args=[placement.pk]), {"post": "yes"}
    )

    assert not Placement.objects.exists()
    assert list(PlacementLog.objects.order_by("pk").values_list("action", flat=True)) == [
        "added",
        "removed",
    ]


def test_moderator_approves_with_the_admin_action(moderator_client, make_article):
    proposal = PlacementProposal.objects.create(
        slot=Slot.objects.get(key="showcase"), article=make_article()
    )

    moderator_client.post(
        reverse("admin:articles_placementproposal_changelist"),
        {"action": "approve", "_selected_action": [proposal.pk]},
    )

    proposal.refresh_from_db()
    assert proposal.status == PlacementProposal.Status.APPROVED
    assert proposal.decided_by == moderator_client.user
    assert Placement.objects.get().article == proposal.article


def test_moderator_also_publishes(moderator_client, make_article):
    draft = make_article(status=Article.Status.DRAFT)

    moderator_client.post(
        reverse(CHANGELIST), {"action": "publish", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    assert draft.is_visible


# Labels -----------------------------------------------------------------------------------


def test_groups_show_their_chinese_role_names(staff_client):
    response = staff_client.get(reverse("admin:auth_group_changelist"))

    for name, label in [("Writer", "作者"), ("Editor", "编辑"), ("Moderator", "审核")]:
        assert name in response.text and label in response.text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_desk_pages_render_in_both_languages(staff_client, make_article, language):
    article = make_article()
    staff_client.cookies["django_language"] = language
    for url in [
        reverse(CHANGELIST),
        change_url(article),
        reverse("admin:articles_slot_desk"),
        reverse("admin:articles_article_revisions", args=[article.pk]),
        reverse("admin:articles_placementlog_changelist"),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Language"] == language


# Ordering weight: a moderator's decision, refused to others and logged -----------------------


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_weight_is_not_offered_and_a_crafted_weight_is_refused(
    client, role_user, make_article, role
):
    user = login(client, role_user, role)
    article = make_article(title="想置顶", status=Article.Status.DRAFT, created_by=user, weight=7)
    data = admin_form(client, change_url(article))
    assert "weight" not in data  # shown read-only, not an input
    data.update(title="偷偷置顶", weight="-100")

    response = client.post(change_url(article), data)

    assert response.status_code == 200
    assert "你没有调整权重的权限" in response.text
    article.refresh_from_db()
    assert (article.title, article.weight) == ("想置顶", 7)
    assert not PlacementLog.objects.exists()


@pytest.mark.parametrize("role", ["Writer", "Editor"])
def test_a_crafted_weight_on_a_new_article_is_refused(client, role_user, role):
    login(client, role_user, role)
    data = add_form(client)
    data.update(title="新稿置顶", body="<p>正文</p>", weight="-1")

    response = client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 200
    assert "你没有调整权重的权限" in response.text
    assert not Article.objects.filter(title="新稿置顶").exists()


def test_editor_saving_an_article_that_has_a_weight_keeps_it(editor_client, make_article):
    article = make_article(title="有权重", weight=3)
    data = admin_form(editor_client, change_url(article))
    data["title"] = "编辑改了标题"

    assert editor_client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.title, article.weight) == ("编辑改了标题", 3)
    assert not PlacementLog.objects.exists()


def test_moderator_sets_the_weight_and_it_is_logged(moderator_client, make_article):
    article = make_article(title="审核定权重", weight=5)
    data = admin_form(moderator_client, change_url(article))
    assert data["weight"] == "5"

    data["weight"] = "1"
    assert moderator_client.post(change_url(article), data).status_code == 302
    data = admin_form(moderator_client, change_url(article))
    data["weight"] = ""
    assert moderator_client.post(change_url(article), data).status_code == 302
    data = admin_form(moderator_client, change_url(article))
    data["title"] = "只改标题"
    assert moderator_client.post(change_url(article), data).status_code == 302

    article.refresh_from_db()
    assert article.weight is None
    logs = list(PlacementLog.objects.order_by("pk"))
    assert [(log.action, log.changes) for log in logs] == [
        (PlacementLog.Action.WEIGHT, {"weight": {"from": 5, "to": 1}}),
        (PlacementLog.Action.WEIGHT, {"weight": {"from": 1, "to": None}}),
    ]
    assert all(log.user == moderator_client.user and log.slot is None for log in logs)
    assert all(log.article == article for log in logs)
    assert logs[0].get_action_display() == "调整权重"


def test_moderator_adding_an_article_with_a_weight_is_logged(moderator_client):
    data = add_form(moderator_client)
    data.update(title="新稿有权重", body="<p>正文</p>", weight="2")

    assert moderator_client.post(reverse("admin:articles_article_add"), data).status_code == 302

    article = Article.objects.get(title="新稿有权重")
    assert article.weight == 2
    log = PlacementLog.objects.get()
    assert (log.action, log.article, log.changes) == (
        PlacementLog.Action.WEIGHT,
        article,
        {"weight": {"from": None, "to": 2}},
    )


def test_a_body_over_the_bound_is_refused_and_the_text_stays_in_the_form(
    admin_client, make_article
):
    from django.urls import reverse

    from articles.text.limits import MAX_BODY_BYTES
    from tests.admin_forms import admin_form

    article = make_article(body="<p>原来的正文</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    form = admin_form(admin_client, url)
    form["body"] = "<p>" + "长" * (MAX_BODY_BYTES // 3 + 10) + "</p>"
    form["description"] = "编辑刚写的摘要"

    response = admin_client.post(url, form)

    assert response.status_code == 200 and "正文太长" in response.text
    assert "编辑刚写的摘要" in response.text
    article.refresh_from_db()
    assert article.body == "<p>原来的正文</p>"
