from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from articles.curation import services
from articles.models import Article, Placement, Slot
from tests.reading_order import in_slot

pytestmark = pytest.mark.django_db


def test_slots_exist_as_data_with_their_capacities():
    capacities = dict(Slot.objects.values_list("key", "capacity"))

    assert capacities == {"pinned": None, "carousel": 6, "showcase": 3}


def test_a_fourth_slot_is_just_a_row(make_article, role_user):
    slot = Slot.objects.create(key="sidebar", name="侧栏推荐", capacity=4)
    moderator = role_user("Moderator")
    placed = [
        services.place_article(article=make_article(), slot=slot, by=moderator) for _ in range(4)
    ]

    assert list(in_slot("sidebar").filter(pk__in=Placement.objects.live())) == placed

    with pytest.raises(ValidationError) as refused:
        services.place_article(article=make_article(title="第五篇"), slot=slot, by=moderator)

    assert refused.value.code == "slot_full"
    assert "「侧栏推荐」最多同时放 4 篇文章" in refused.value.messages[0]
    assert slot.placements.count() == 4
    assert not Placement.objects.filter(article__title="第五篇").exists()


def test_placement_window_controls_what_is_live(make_article, place):
    now = timezone.now()
    running = place(make_article(title="进行中"), "carousel", starts_at=now - timedelta(hours=1))
    place(make_article(title="已结束"), "carousel", ends_at=now - timedelta(seconds=1))
    place(make_article(title="未开始"), "carousel", starts_at=now + timedelta(hours=1))

    assert list(in_slot("carousel").filter(pk__in=Placement.objects.live())) == [running]


def test_placement_of_a_hidden_article_is_not_live(make_article, place):
    place(make_article(status=Article.Status.DRAFT), "carousel")
    place(make_article(published_at=timezone.now() + timedelta(hours=1)), "carousel")

    assert not Placement.objects.live().exists()


def test_home_shows_carousel_in_order_capped_at_capacity_and_three_showcase_spots(
    client, make_article, place
):
    for position in range(8):
        place(make_article(title=f"轮播{position}"), "carousel", position=position)
    for position in range(4):
        place(make_article(title=f"展示{position}"), "showcase", position=position)

    response = client.get(reverse("articles:home"))

    assert [a.title for a in response.context["carousel"]] == [f"轮播{i}" for i in range(6)]
    assert [a.title for a in response.context["showcase"]] == ["展示0", "展示1", "展示2"]


def test_home_drops_a_placement_at_its_end_time_by_itself(client, make_article, place):
    now = timezone.now()
    place(make_article(title="限时轮播"), "carousel", ends_at=now + timedelta(minutes=10))

    assert client.get(reverse("articles:home")).context["carousel"][0].title == "限时轮播"
    later = now + timedelta(minutes=11)
    assert not Placement.objects.live(at=later).exists()
