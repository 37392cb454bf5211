"""A view that loses its database connection answers 503 with Retry-After, not a 500 page."""

import pytest
from django.db import InterfaceError, OperationalError

from articles.reading import views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_lost_database_gives_503_with_retry_after(client, monkeypatch, error):
    def down(*args, **kwargs):
        raise error("terminating connection due to administrator command")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", down)

    response = client.get("/articles/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    assert "服务暂时不可用" in response.content.decode()


def test_other_errors_are_still_errors(client, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(views.ArticleListView, "get_queryset", broken)
    with pytest.raises(ValueError):
        client.get("/articles/")
