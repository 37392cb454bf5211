"""The whole admin against anonymous, Writer, Editor and Moderator: nobody gets more than their
role, through the pages or through crafted requests.

Every URL the admin site serves is enumerated from the registry (so a new model admin or custom
view is covered the day it lands, or fails here until it is classified); the roles' permissions
are written out below as the specification, copied from docs/EDITORIAL.md and migration 0003.
Finer rules inside a permission (a Writer edits only their own drafts, publish fields) are tested
in test_roles.py and test_admin_permissions.py.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.contrib.redirects.models import Redirect
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, reverse
from taggit.models import Tag as TaggitTag

from articles.models import (
    Ad,
    AdLog,
    AdSpot,
    Article,
    Author,
    Channel,
    ContentIssue,
    MediaImage,
    MenuItem,
    Placement,
    PlacementLog,
    PlacementProposal,
    Section,
    Slot,
    Tag,
    Topic,
)

from .admin_forms import form_data
from .conftest import image_bytes

# Roles and permissions are the admin's, not the database's: `once` (make test only).
pytestmark = [pytest.mark.django_db, pytest.mark.once]

WRITER = {
    "view_article", "add_article", "change_article",
    "view_articleauthor", "add_articleauthor", "change_articleauthor", "delete_articleauthor",
    "view_taggedarticle", "add_taggedarticle", "change_taggedarticle", "delete_taggedarticle",
    "view_tag", "add_tag", "view_author", "view_section", "view_topic", "view_contentissue",
    "view_mediaimage", "change_mediaimage",
}  # fmt: skip
EDITOR = WRITER | {
    "delete_article", "publish_article", "change_any_article", "propose_placement",
    "add_author", "change_author", "add_section", "change_section", "add_topic", "change_topic",
    "change_tag", "view_slot", "view_placement", "view_placementproposal",
    "add_placementproposal", "delete_contentissue",
    "view_channel", "add_channel", "change_channel", "delete_channel",
    "view_menuitem", "add_menuitem", "change_menuitem", "delete_menuitem",
    "delete_mediaimage",
}  # fmt: skip
MODERATOR = EDITOR | {
    "moderate_placement", "add_placement", "change_placement", "delete_placement", "change_slot",
    "change_placementproposal", "view_placementlog",
    "moderate_ad", "view_ad", "add_ad", "change_ad", "delete_ad", "view_adspot", "change_adspot",
    "view_adlog",
}  # fmt: skip
ROLES = {"Writer": WRITER, "Editor": EDITOR, "Moderator": MODERATOR}

# Custom admin views: the permission each needs, by URL name suffix.
CUSTOM_VIEWS = {
    "revisions": "view",
    "revision_compare": "view",
    "revision_restore": "change",
    "translation_compare": "view",
    "presence": "view",  # POST only (GET: 405); the heartbeat of the change form
    "desk": "view_placement",
    "merge_tags": "change",
    "password_change": "change",
    "picker": "view",  # the media library's picker popup of the article form
}
ACTION_PERMISSIONS = {
    "publish": "publish_article",
    "moderate": "moderate_placement",
    "moderate_ads": "moderate_ad",
}


def codename(model, action):
    return f"{action}_{model._meta.model_name}"


def grants(perms, model, action):
    """Does a role's permission set allow action ("view", "add", ...) on model?"""
    if model._meta.app_label != "articles":
        return False  # auth, sites, redirects, taggit, axes: superusers only
    if action == "view":
        return bool({codename(model, "view"), codename(model, "change")} & perms)
    return codename(model, action) in perms


@pytest.fixture
def world(make_article, django_user_model):
    """One row of every registered model, owned by nobody in the roles."""
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-1")
    article = make_article(title="别人的文章", authors=["Cindy"], tags=["元宇宙"], topics=["DAO"])
    article.created_by = boss
    article.save()
    draft = make_article(title="别人的草稿", status=Article.Status.DRAFT)
    # Its English version: the side-by-side view compares the two.
    make_article(
        title="Someone's article", language="en", translation_group=article.translation_group
    )
    slot = Slot.objects.get(key="carousel")
    rows = {
        Article: article,
        Author: Author.objects.get(name="Cindy"),
        Section: Section.objects.create(name="资讯"),
        Topic: Topic.objects.get(name="DAO"),
        Tag: Tag.objects.get(name="元宇宙"),
        TaggitTag: TaggitTag.objects.create(name="taggit-tag"),
        Slot: slot,
        Placement: Placement.objects.create(slot=slot, article=article),
        PlacementProposal: PlacementProposal.objects.create(
            slot=Slot.objects.get(key="showcase"), article=draft, proposed_by=boss
        ),
        PlacementLog: PlacementLog.objects.create(
            slot=slot, article=article, action="added", user=boss
        ),
        ContentIssue: ContentIssue.objects.create(article=article, kind="other", message="问题"),
        Channel: Channel.objects.create(section=Section.objects.create(name="导航"), title="频道"),
        MenuItem: MenuItem.objects.create(name="首页", url="/"),
        AdSpot: AdSpot.objects.get(key="banner"),
        Ad: Ad.objects.create(
            spot=AdSpot.objects.get(key="banner"),
            title="别人的广告",
            image=ContentFile(image_bytes(), name="ad.png"),
            link="https://example.com/",
        ),
        AdLog: AdLog.objects.create(action="added", ad_title="别人的广告", user=boss),
        MediaImage: MediaImage.objects.create(
            file=default_storage.save("uploads/lib.png", ContentFile(image_bytes())),
            sha256="0" * 64,
            uploaded_by=boss,
        ),
        Group: Group.objects.get(name="Writer"),
        User: boss,
        Site: Site.objects.get_current(),
        Redirect: Redirect.objects.create(
            site=Site.objects.get_current(), old_path="/old/", new_path="/new/"
        ),
    }
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    where = {"ip_address": "203.0.113.9", "username": "x", "user_agent": "x", "path_info": "/"}
    rows[AccessAttempt] = AccessAttempt.objects.create(
        **where, get_data="", post_data="", http_accept="", failures_since_start=1
    )
    rows[AccessLog] = AccessLog.objects.create(**where, http_accept="")
    rows[AccessFailureLog] = AccessFailureLog.objects.create(**where, http_accept="")
    missing = set(admin.site._registry) - set(rows)
    assert not missing, f"add a row for {missing} to the permission matrix"
    boss_client = Client()
    boss_client.force_login(boss)
    return {"rows": rows, "boss": boss_client, "draft": draft}


def admin_urls(rows):
    """(url, model, needed action) for every URL every registered model admin serves."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        obj = rows[model]
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        for pattern in model_admin.get_urls():
            if not isinstance(pattern, URLPattern) or not pattern.name:
                continue
            kind = pattern.name.removeprefix(info + "_")
            if kind == pattern.name:  # a view named for another model, e.g. the slot desk
                kind = pattern.name.rsplit("_", 1)[-1]
            params = set(pattern.pattern.regex.groupindex)
            kwargs = {}
            for name in {"object_id", "id"} & params:
                kwargs[name] = obj.pk
            if "other_id" in params:  # another language version of the same article
                other = obj.translations()[0]
                kwargs["other_id"] = other.pk
            if "version_id" in params:
                continue  # restore/compare of one version: covered through the revisions page
            if kind in ("changelist", "history"):
                needed = "view"
            elif kind == "change":
                needed = "view"
            elif kind in ("add", "delete"):
                needed = kind
            elif kind in CUSTOM_VIEWS:
                needed = CUSTOM_VIEWS[kind]
            elif kind == "autocomplete":
                continue
            else:
                raise AssertionError(f"unclassified admin URL {pattern.name}: add it to the matrix")
            urls.append((reverse(f"admin:{pattern.name}", kwargs=kwargs), model, needed))
    return urls


def allowed(perms, model, needed):
    if needed in ("view", "add", "change", "delete"):
        return grants(perms, model, needed)
    return needed in perms


def test_anonymous_is_sent_to_the_login_page_from_every_admin_url(client, world):
    for url, _model, _needed in admin_urls(world["rows"]):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url
    response = client.post(
        "/editor/upload/", {"upload": SimpleUploadedFile("a.png", image_bytes())}
    )
    assert response.status_code == 403  # a JSON refusal, no redirect naming ADMIN_URL


@pytest.mark.parametrize("role", ROLES)
def test_no_role_opens_an_admin_page_its_permissions_do_not_grant(role, role_user, world):
    perms = ROLES[role]
    user = role_user(role)
    assert {p.codename for p in Group.objects.get(name=role).permissions.all()} == perms
    client = Client()
    client.force_login(user)
    too_much, too_little = [], []
    for url, model, needed in admin_urls(world["rows"]):
        status = client.get(url).status_code
        if allowed(perms, model, needed):
            if (status in (403, 404) or status >= 500) and needed in ("view", "view_placement"):
                too_little.append((url, status))
        elif status == 200:
            too_much.append(url)
        else:
            assert status in (302, 403, 404), (url, status)
    assert too_much == []
    assert too_little == []
    assert client.get(reverse("admin:index")).status_code == 200
    assert (
        client.post(
            "/editor/upload/", {"upload": SimpleUploadedFile("a.png", image_bytes())}
        ).status_code
        == 200
    )  # every role writes bodies with images


def _snapshot(model):
    return sorted(
        tuple(str(getattr(row, f.attname)) for f in model._meta.concrete_fields)
        for row in model._default_manager.all()
    )


def _everything():
    return {model: _snapshot(model) for model in admin.site._registry if model is not User} | {
        User: sorted((u.username, u.is_staff, u.is_superuser) for u in User.objects.all())
    }


@pytest.mark.parametrize("role", ROLES)
def test_crafted_posts_change_nothing_a_role_may_not_change(role, role_user, world):
    """Valid forms (as a superuser would post them) sent by the role, to every add, change and
    delete URL and every action it lacks the permission for: the database stays as it was."""
    perms = ROLES[role]
    client = Client()
    client.force_login(role_user(role))
    boss = world["boss"]
    for model, model_admin in admin.site._registry.items():
        obj = world["rows"][model]
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        before = _everything()
        attempts = []
        if not grants(perms, model, "add") and model_admin.has_add_permission(_request(boss)):
            data = form_data(boss, reverse(f"{info}_add"))
            attempts.append((reverse(f"{info}_add"), _touch(data)))
        if not grants(perms, model, "change"):
            url = reverse(f"{info}_change", args=[obj.pk])
            attempts.append((url, _touch(form_data(boss, url))))
        if not grants(perms, model, "delete"):
            attempts.append((reverse(f"{info}_delete", args=[obj.pk]), {"post": "yes"}))
        for name, (func, _name, _desc) in model_admin.get_actions(_request(boss)).items():
            needs = getattr(func, "allowed_permissions", ())
            lacking = [
                p
                for p in needs
                if (ACTION_PERMISSIONS.get(p) not in perms)
                if p in ACTION_PERMISSIONS
            ] + [p for p in needs if p not in ACTION_PERMISSIONS and not grants(perms, model, p)]
            if lacking:
                attempts.append(
                    (
                        reverse(f"{info}_changelist"),
                        {"action": name, "_selected_action": [obj.pk], "post": "yes"},
                    )
                )
        for url, data in attempts:
            response = client.post(url, data)
            assert response.status_code in (200, 302, 403), (url, response.status_code)
            assert _everything() == before, f"{role} changed something through {url} {data}"


def test_a_writer_cannot_publish_or_edit_others_articles_by_crafted_post(role_user, world):
    client = Client()
    client.force_login(role_user("Writer"))
    article, draft = world["rows"][Article], world["draft"]
    for target in (article, draft):
        url = reverse("admin:articles_article_change", args=[target.pk])
        data = form_data(world["boss"], url, form_id="article_form")
        data |= {"title": "被改了", "status": "published"}
        client.post(url, data)
        target.refresh_from_db()
        assert target.title != "被改了"
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    "role,allowed", [("Writer", False), ("Editor", False), ("Moderator", True)]
)
def test_only_a_moderator_sets_an_articles_weight_even_by_crafted_post(
    role, allowed, role_user, world
):
    """The superuser's article form (it has the weight input) sent by each role with only the
    weight changed, on an article the role may otherwise edit."""
    user = role_user(role)
    client = Client()
    client.force_login(user)
    article = Article.objects.create(
        title="要置顶的稿子", status=Article.Status.DRAFT, created_by=user
    )
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = form_data(world["boss"], url, form_id="article_form")
    data["weight"] = "-100"

    response = client.post(url, data)

    article.refresh_from_db()
    assert (article.weight == -100) is allowed, response.status_code
    logged = PlacementLog.objects.filter(action=PlacementLog.Action.WEIGHT, article=article)
    assert logged.exists() is allowed


def _request(client):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def _touch(data):
    for field in ("title", "name", "note", "message", "old_path", "domain", "username"):
        if data.get(field):
            data[field] = f"{data[field]}-x"
            break
    return data
