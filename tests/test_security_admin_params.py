"""Malformed admin parameters are a 400 (or the admin's own "bad parameters" page), never a 500.

Each case below was a 500 (SQLite, the default database of the tests) or, marked PG, a 500 on
PostgreSQL only (run this file with DATABASE_URL=postgres://... to see those fail without the
fix). Found by probing every changelist, add form and the curation desk as a superuser
(articles/admin/params.py has the reasons).
"""

import pytest
from django.db import connection
from django.test import Client

from articles.models import PlacementLog, PlacementProposal, Slot

pytestmark = pytest.mark.django_db

BIG = "99999999999999999999"  # past bigint

REFUSED = [
    ("/admin/articles/article/", "title__regex=("),
    ("/admin/articles/article/", "title__iregex=("),
    ("/admin/articles/article/", "id__range=1"),
    ("/admin/articles/article/", "published_at__year=99999999999"),
    ("/admin/articles/article/", "published_at__year=" + BIG * 2),
    ("/admin/articles/article/", "title=%00"),  # PG
    ("/admin/articles/article/", "title__contains=%00"),  # PG
    ("/admin/articles/article/", "status__exact=%00"),  # PG
    ("/admin/articles/article/", "slot=%00"),  # PG
    ("/admin/articles/article/", "q=%00"),  # PG
    ("/admin/articles/placementlog/", "id__range=1"),
    ("/admin/articles/placementlog/", "created_at__year=99999999999"),
    ("/admin/articles/placementlog/", "article_title__regex=("),  # PG
    ("/admin/articles/placement/", "id__range=1"),
    ("/admin/articles/placementproposal/", "id__range=1"),
    ("/admin/articles/placementproposal/", "note__regex=("),  # PG
    ("/admin/articles/placementproposal/", "status__exact=%00"),  # PG
    ("/admin/articles/slot/", "name__regex=("),
    ("/admin/articles/slot/", "key__regex=("),
    ("/admin/articles/slot/", "id__range=1"),
    ("/admin/articles/author/", "id__range=1"),
    ("/admin/articles/author/", "name__regex=("),  # PG
    ("/admin/articles/section/", "id__range=1"),
    ("/admin/articles/topic/", "id__range=1"),
    ("/admin/articles/tag/", "id__range=1"),
    ("/admin/articles/contentissue/", "id__range=1"),
    ("/admin/articles/contentissue/", "message__regex=("),  # PG
    ("/admin/auth/user/", "id__range=1"),
    ("/admin/auth/user/", "username__regex=("),
    ("/admin/auth/group/", "id__range=1"),
    ("/admin/redirects/redirect/", "id__range=1"),
    ("/admin/redirects/redirect/", "old_path__regex=("),
    ("/admin/axes/accessattempt/", "id__range=1"),
    ("/admin/axes/accessattempt/", "ip_address=x"),  # PG
    ("/admin/axes/accesslog/", "id__range=1"),
    ("/admin/axes/accessfailurelog/", "id__range=1"),
]

# JSON containment: SQLite has none (a 500 before), PostgreSQL runs it (a 200).
JSON_LOOKUPS = [
    ("/admin/articles/article/", "extra__contains=x"),
    ("/admin/articles/article/", "extra__contained_by=x"),
    ("/admin/articles/placementlog/", "changes__contains=x"),
]

STILL_FINE = [
    ("/admin/articles/article/", "status__exact=published"),
    ("/admin/articles/article/", "published_at__year=2024&published_at__month=5"),
    ("/admin/articles/article/", "q=文章&o=-6"),
    ("/admin/articles/article/", "slot=carousel"),
    ("/admin/articles/article/", "title__icontains=测试&id__in=1,2"),
    ("/admin/articles/article/", "id__gt=" + BIG),  # Django answers "nothing", not an error
    ("/admin/articles/article/", "o=abc"),
    ("/admin/articles/placementlog/", "created_at__year=2024&action__exact=place"),
]

# Django's own answer to a parameter it cannot build a query from: its "bad parameters" page.
DJANGO_BAD_PARAMETERS = [
    ("/admin/articles/article/", "weight__gt=x"),
    ("/admin/articles/article/", "published_at__year=2024&published_at__month=13"),
]


@pytest.fixture
def superuser_client(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.com", "x"))
    return client


@pytest.fixture
def placed(make_article, place):
    article = make_article(title="测试文章")
    return place(article, "carousel")


@pytest.mark.parametrize("url, query", REFUSED)
def test_parameters_the_database_cannot_run_are_a_400(superuser_client, placed, url, query):
    assert superuser_client.get(f"{url}?{query}").status_code == 400


@pytest.mark.parametrize("url, query", JSON_LOOKUPS)
def test_json_lookups_the_database_lacks_are_a_400(superuser_client, placed, url, query):
    supported = connection.features.supports_json_field_contains
    assert superuser_client.get(f"{url}?{query}").status_code == (200 if supported else 400)


@pytest.mark.parametrize("url, query", STILL_FINE)
def test_ordinary_filters_still_work(superuser_client, placed, url, query):
    assert superuser_client.get(f"{url}?{query}").status_code == 200


@pytest.mark.parametrize("url, query", DJANGO_BAD_PARAMETERS)
def test_django_keeps_its_bad_parameters_page(superuser_client, placed, url, query):
    response = superuser_client.get(f"{url}?{query}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("url", ["placement", "placementproposal"])
@pytest.mark.parametrize(
    "query", ["article=x", f"article={BIG}", "article=-1", "slot=x&article=1.5", "slot=%00"]
)
def test_add_forms_ignore_prefill_ids_that_are_not_ids(superuser_client, placed, url, query):
    response = superuser_client.get(f"/admin/articles/{url}/add/?{query}")
    assert response.status_code == 200


def test_add_forms_still_take_a_real_prefill(superuser_client, placed):
    url = f"/admin/articles/placement/add/?slot={placed.slot_id}&article={placed.article_id}"
    response = superuser_client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form.initial == {
        "slot": str(placed.slot_id),
        "article": str(placed.article_id),
    }


DESK = "/admin/articles/slot/desk/"


@pytest.mark.parametrize(
    "data",
    [
        {"action": "move", "placement": "x"},
        {"action": "move", "placement": BIG},
        {"action": "remove", "placement": "1\x00"},
        {"action": "window", "placement": "x"},
        {"action": "approve", "proposal": "x"},
        {"action": "reject", "proposal": "x"},
        {"action": "reorder", "slot": "x"},
        {"action": "reorder", "slot": BIG},
    ],
)
def test_desk_actions_with_malformed_ids_are_404(superuser_client, placed, data):
    assert superuser_client.post(DESK, data).status_code == 404


def test_desk_rejection_reason_with_a_nul_byte_is_saved_without_it(
    superuser_client, placed, make_article, django_user_model
):
    """PG: a NUL in the reason (kept in the placement log's JSON) was a 500 at save."""
    proposal = PlacementProposal.objects.create(
        article=make_article(title="提名"),
        slot=Slot.objects.get(key="carousel"),
        proposed_by=django_user_model.objects.get(username="root"),
    )
    data = {"action": "reject", "proposal": str(proposal.pk), "reason": "重\x00复"}
    assert superuser_client.post(DESK, data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == PlacementProposal.Status.REJECTED
    log = PlacementLog.objects.filter(action=PlacementLog.Action.REJECTED).get()
    assert log.changes["reason"] == "重复"
