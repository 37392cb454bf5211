"""The three roles as data, and the services refusing whoever lacks the role."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from articles.curation import services as curation_services
from articles.editorial import permissions, services
from articles.models import Article, Placement, PlacementProposal, Slot

pytestmark = pytest.mark.django_db


def test_the_migration_creates_exactly_the_three_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Writer", "Editor", "Moderator"}


@pytest.mark.parametrize(
    ("role", "publish", "propose", "moderate", "change_any"),
    [
        ("Writer", False, False, False, False),
        ("Editor", True, True, False, True),
        ("Moderator", True, True, True, True),
    ],
)
def test_role_permissions(role_user, role, publish, propose, moderate, change_any):
    user = role_user(role)

    assert permissions.can_publish(user) is publish
    assert permissions.can_propose(user) is propose
    assert permissions.can_moderate(user) is moderate
    assert user.has_perm("articles.change_any_article") is change_any


@pytest.fixture
def curation(make_article):
    """A placed article, a pending proposal and a draft, fresh for every call."""

    def make():
        carousel = Slot.objects.get(key="carousel")
        placement = Placement.objects.create(slot=carousel, article=make_article())
        return {
            "slot": carousel,
            "placement": placement,
            "proposal": PlacementProposal.objects.create(slot=carousel, article=make_article()),
            "draft": make_article(status=Article.Status.DRAFT),
            "article": make_article(),
        }

    return make


ACTIONS = {
    "publish": lambda c, by: services.publish_article(article=c["draft"], by=by),
    "unpublish": lambda c, by: services.unpublish_article(article=c["article"], by=by),
    "propose": lambda c, by: curation_services.propose_placement(
        article=c["article"], slot=c["slot"], by=by
    ),
    "place": lambda c, by: curation_services.place_article(
        article=c["article"], slot=c["slot"], by=by
    ),
    "remove": lambda c, by: curation_services.remove_placement(placement=c["placement"], by=by),
    "reorder": lambda c, by: curation_services.reorder_slot(
        slot=c["slot"], placement_ids=[c["placement"].pk], by=by
    ),
    "set_window": lambda c, by: curation_services.update_placement(
        placement=c["placement"], by=by, position=5
    ),
    "approve": lambda c, by: curation_services.approve_proposal(proposal=c["proposal"], by=by),
    "reject": lambda c, by: curation_services.reject_proposal(proposal=c["proposal"], by=by),
}
ALLOWED = {
    "Writer": set(),
    "Editor": {"publish", "unpublish", "propose"},
    "Moderator": set(ACTIONS),
}


@pytest.mark.parametrize("role", ["Writer", "Editor", "Moderator"])
@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_services_enforce_the_role(role_user, curation, role, action):
    user = role_user(role)
    state = curation()
    before = (
        list(Article.objects.order_by("pk").values_list("status", flat=True)),
        list(Placement.objects.order_by("pk").values_list("pk", "position")),
        list(PlacementProposal.objects.order_by("pk").values_list("status", flat=True)),
    )

    if action in ALLOWED[role]:
        ACTIONS[action](state, user)
        after = (
            list(Article.objects.order_by("pk").values_list("status", flat=True)),
            list(Placement.objects.order_by("pk").values_list("pk", "position")),
            list(PlacementProposal.objects.order_by("pk").values_list("status", flat=True)),
        )
        assert after != before or action == "reorder"
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](state, user)
        after = (
            list(Article.objects.order_by("pk").values_list("status", flat=True)),
            list(Placement.objects.order_by("pk").values_list("pk", "position")),
            list(PlacementProposal.objects.order_by("pk").values_list("status", flat=True)),
        )
        assert after == before


def test_writer_owns_what_they_created_or_sign(role_user, make_article):
    writer = role_user("Writer")
    mine = make_article(status=Article.Status.DRAFT, created_by=writer)
    theirs = make_article(status=Article.Status.DRAFT)

    assert permissions.can_edit_article(writer, mine)
    assert not permissions.can_edit_article(writer, theirs)
    assert permissions.can_edit_article(role_user("Editor"), theirs)
