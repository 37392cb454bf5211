"""Public reads go to a real streaming replica; writes, the admin and read-after-write to the
primary. Run by tests/replica/run_replica_test.sh, which starts the replica; skipped otherwise."""

import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from newsroom import routers

pytestmark = pytest.mark.skipif(
    not os.environ.get("NEWSROOM_REPLICA_TEST"),
    reason="needs the replica started by tests/replica/run_replica_test.sh",
)


@pytest.fixture(scope="session")
def django_db_setup():
    """Use the databases the script made: a test database on the primary would not exist on
    the replica under the name the router uses (and the replica is read-only)."""


@pytest.fixture
def db_access(django_db_blocker):
    with django_db_blocker.unblock():
        yield
        Article.objects.filter(slug__startswith="replica-test-").delete()


def wait_for_replica(predicate, *, seconds=5):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def publish(slug):
    return Article.objects.create(
        title=f"副本测试 {slug}",
        slug=slug,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now(),
    )


def queries_per_database(client, url, **kwargs):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url, **kwargs)
    return response, len(primary), len(replica)


def test_the_replica_is_a_read_only_standby(db_access):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True


def test_public_page_reads_come_from_the_replica(client, db_access, settings):
    settings.PAGE_CACHE = {**settings.PAGE_CACHE, "ENABLED": False}
    article = publish("replica-test-public")
    assert wait_for_replica(lambda: Article.objects.using("replica").filter(pk=article.pk).exists())

    response, on_primary, on_replica = queries_per_database(client, article.get_absolute_url())

    assert response.status_code == 200
    assert "副本测试" in response.content.decode()
    assert on_replica >= 3
    assert on_primary == 0


def test_admin_and_logged_in_reads_use_the_primary(client, db_access):
    user = get_user_model().objects.create_user(
        username=f"replica-staff-{os.getpid()}", password="pw-replica-1", is_staff=True
    )
    try:
        client.force_login(user)
        response, on_primary, on_replica = queries_per_database(
            client, reverse("articles:article-list")
        )
        assert response.status_code == 200
        assert on_primary > 0
        assert on_replica == 0
    finally:
        user.delete()


def test_reads_after_a_write_in_the_same_request_use_the_primary(db_access):
    token = routers._replica_reads.set(True)
    try:
        assert Article.objects.all().db == "replica"
        article = publish("replica-test-write")
        # Not yet on the replica, perhaps; the rest of this request must still find it.
        assert Article.objects.all().db == "default"
        assert Article.objects.filter(pk=article.pk).exists()
    finally:
        routers._replica_reads.reset(token)


def test_code_outside_a_request_reads_the_primary(db_access):
    assert Article.objects.all().db == "default"
