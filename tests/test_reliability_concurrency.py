"""Many editors saving the same article at the same moment, over and over: every save is either
applied on top of all earlier ones or refused with a conflict message. No update is lost.

Needs real concurrent transactions, so it runs on PostgreSQL (make test-pg) and is skipped on
SQLite, whose in-memory test database serialises everything anyway.
"""

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from articles.models import Article

from .admin_forms import form_data

pytestmark = pytest.mark.django_db(transaction=True)

EDITORS = 8
ROUNDS = int(os.environ.get("CONFLICT_ROUNDS", "6"))
MARK = re.compile(r"\[(e\d+-r\d+)\]")


@pytest.fixture
def on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent saves need PostgreSQL (make test-pg)")


@pytest.fixture
def warm_pool(on_postgresql):
    """A connection for every editor before they start. Django's pool (psycopg_pool) opens
    connections one at a time, when someone is already waiting; eight editors at once on a
    cold pool of two, on a slow machine, waited longer than DATABASE_POOL_TIMEOUT (1 s) and
    one got the 503 that is meant for a database that is down."""
    pool = connection.pool
    if pool is None:  # DATABASE_POOL=0: every thread connects by itself
        yield
        return
    min_size = pool.min_size
    pool.resize(min(EDITORS + 1, pool.max_size), pool.max_size)
    pool.wait(timeout=60)
    yield
    pool.resize(min_size, pool.max_size)


def test_parallel_saves_never_lose_an_update(warm_pool, role_user, make_article):
    article = make_article(title="大家一起改的文章", body="<p>开头</p>")
    url = reverse("admin:articles_article_change", args=[article.pk])
    clients = []
    for n in range(EDITORS):
        client = Client()
        client.force_login(role_user("Editor", f"editor{n}"))
        clients.append(client)
    barrier = threading.Barrier(EDITORS)
    outcomes = []

    def edit(n):
        from django.db import connections

        mine = []
        try:
            for round_ in range(ROUNDS):
                data = form_data(clients[n], url, form_id="article_form")
                marker = f"e{n}-r{round_}"
                data["body"] = data["body"].strip() + f"<p>[{marker}]</p>"
                barrier.wait(timeout=60)  # everyone posts at the same moment
                response = clients[n].post(url, data)
                if response.status_code == 302:
                    mine.append(("saved", marker))
                elif response.status_code == 200 and "保存被拒绝" in response.content.decode():
                    mine.append(("conflict", marker))
                else:
                    mine.append((f"status {response.status_code}", marker))
        finally:
            connections.close_all()
        return mine

    with ThreadPoolExecutor(EDITORS) as pool:
        for result in pool.map(edit, range(EDITORS)):
            outcomes += result

    saved = {marker for kind, marker in outcomes if kind == "saved"}
    conflicts = [marker for kind, marker in outcomes if kind == "conflict"]
    others = [outcome for outcome in outcomes if outcome[0] not in ("saved", "conflict")]
    final = Article.objects.get(pk=article.pk)
    in_body = set(MARK.findall(final.body))

    print(f"\n{len(outcomes)} saves: {len(saved)} applied, {len(conflicts)} refused as conflicts")
    assert others == []
    assert len(outcomes) == EDITORS * ROUNDS
    assert saved == in_body  # every applied save is still there; nothing refused slipped in
    assert len(saved) >= ROUNDS  # each round at least one editor wins
    assert conflicts  # and the others were told
    assert final.edit_version == article.edit_version + len(saved)
