"""Search: Chinese and English words, ranking, highlighting, visibility, odd input."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from articles.models import Article
from articles.search import highlight as highlighting
from articles.search import query as search
from articles.text.segment import plain_text

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


@pytest.fixture(autouse=True)
def fresh_word_stats(monkeypatch):
    """Each test reads PostgreSQL's word statistics anew (a process keeps them for minutes)."""
    monkeypatch.setattr(search, "_word_stats", (float("-inf"), None))


def found(client, query, **params):
    response = client.get(SEARCH, {"q": query, **params})
    assert response.status_code == 200
    return [article.title for article in response.context["articles"]]


@pytest.fixture
def corpus(make_article):
    make_article(
        title="上海举办元宇宙产业大会",
        description="元宇宙企业齐聚黄浦江畔。",
        body="<p>大会在张江科学城举行，多家 Web3 公司发布了数字藏品平台。</p>",
    )
    make_article(
        title="GameFi 周报",
        body="<p>本周链游市场回暖，<strong>Axie</strong> 玩家数量上升。</p>",
    )
    make_article(title="北京冬季展览", body="<p>展会吸引了很多游客。</p>")


def test_two_character_chinese_word(client, corpus):
    assert found(client, "上海") == ["上海举办元宇宙产业大会"]


def test_three_character_chinese_word(client, corpus):
    assert found(client, "元宇宙") == ["上海举办元宇宙产业大会"]


def test_four_character_chinese_word(client, corpus):
    assert found(client, "数字藏品") == ["上海举办元宇宙产业大会"]


def test_five_character_place_name_found_in_the_body(client, corpus):
    assert found(client, "张江科学城") == ["上海举办元宇宙产业大会"]


def test_word_only_in_the_body(client, corpus):
    assert found(client, "游客") == ["北京冬季展览"]


def test_english_word_is_case_insensitive(client, corpus):
    assert found(client, "gamefi") == ["GameFi 周报"]
    assert found(client, "AXIE") == ["GameFi 周报"]


@pytest.mark.parametrize("query", ["上海 Web3", "Web3上海", "web3 张江科学城"])
def test_mixed_chinese_and_english(client, corpus, query):
    assert found(client, query) == ["上海举办元宇宙产业大会"]


def test_every_word_of_the_query_must_match(client, corpus):
    assert found(client, "上海 GameFi") == []


def test_unrelated_word_finds_nothing(client, corpus):
    assert found(client, "比特币") == []


def test_title_match_ranks_before_body_match(client, make_article):
    make_article(
        title="市场观察",
        body="<p>元宇宙概念股今日大涨。</p>",
        published_at=timezone.now() - timedelta(minutes=1),
    )
    make_article(
        title="元宇宙的下一站",
        body="<p>行业综述。</p>",
        published_at=timezone.now() - timedelta(days=30),
    )
    assert found(client, "元宇宙") == ["元宇宙的下一站", "市场观察"]


def test_drafts_and_scheduled_articles_never_appear(client, make_article):
    make_article(title="元宇宙已发布")
    make_article(title="元宇宙草稿", status=Article.Status.DRAFT)
    make_article(title="元宇宙定时", published_at=timezone.now() + timedelta(days=1))
    assert found(client, "元宇宙") == ["元宇宙已发布"]


def test_staff_do_not_see_drafts_in_search_either(staff_client, make_article):
    make_article(title="元宇宙草稿", status=Article.Status.DRAFT)
    assert found(staff_client, "元宇宙") == []


def test_search_document_follows_every_save(client, make_article):
    article = make_article(title="旧标题", body="<p>区块链</p>")
    article.title = "以太坊升级"
    article.save()
    assert found(client, "以太坊") == ["以太坊升级"]
    assert found(client, "旧标题") == []


def test_search_document_is_segmented_lowercased_plain_text(make_article):
    article = make_article(title="Web3 在上海", body="<p>张江科学城&amp;<b>NFT</b></p>")
    words = article.search_document.split()
    assert {"web3", "上海", "张江", "科学城", "nft"} <= set(words)
    assert "amp" not in words and "<b>" not in article.search_document


def test_matches_are_highlighted_after_escaping(client, make_article):
    make_article(
        title="<script>元宇宙</script> 的未来",
        description="关于元宇宙 & Web3 的 <b>思考</b>",
    )
    response = client.get(SEARCH, {"q": "元宇宙"})
    html = response.content.decode()
    assert "&lt;script&gt;<mark>元宇宙</mark>&lt;/script&gt; 的未来" in html
    assert "<script>元宇宙" not in html
    assert "关于<mark>元宇宙</mark> &amp; Web3 的 &lt;b&gt;思考&lt;/b&gt;" in html


def test_excerpt_shows_the_body_passage_that_matches(client, make_article):
    filler = "无关内容。" * 60
    make_article(
        title="长文", description="", body=f"<p>{filler}关键的张江科学城段落。{filler}</p>"
    )
    html = client.get(SEARCH, {"q": "张江科学城"}).content.decode()
    assert "关键的<mark>张江科学城</mark>段落" in html


def test_results_are_paginated_twenty_per_page_keeping_the_query(client, make_article):
    for n in range(25):
        make_article(title=f"元宇宙新闻{n}")
    response = client.get(SEARCH, {"q": "元宇宙"})
    assert len(response.context["articles"]) == 20
    assert response.context["paginator"].count == 25
    assert "q=%E5%85%83%E5%AE%87%E5%AE%99&amp;page=2" in response.content.decode()
    assert len(found(client, "元宇宙", page=2)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 5000,
        "元宇宙" * 400,
        "！！！，。",
        "%",
        "_",
        "'",
        '"',
        "\\",
        "' OR 1=1; --",
        "'); DROP TABLE articles_article; --",
        "a & b | !c <-> d:*",
        "(((",
        "\x00元宇宙",
        "<script>alert(1)</script>",
        "的",
    ],
)
def test_odd_input_never_fails(client, corpus, query):
    response = client.get(SEARCH, {"q": query})
    assert response.status_code == 200
    assert Article.objects.count() == 3


def test_percent_is_not_a_wildcard(client, corpus):
    assert found(client, "%") == []


def test_empty_query_shows_the_form_without_results(client, corpus):
    response = client.get(SEARCH)
    assert response.status_code == 200
    assert list(response.context["articles"]) == []
    assert 'name="q"' in response.content.decode()


def test_search_query_count_does_not_grow_with_results(client, make_article):
    def queries():
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(SEARCH, {"q": "元宇宙"}).status_code == 200
        return len(ctx)

    make_article(title="元宇宙一", authors=["甲"], tags=["标签"], topics=["专题"])
    search.word_stats()  # read once per process every few minutes, not per page
    one = queries()
    for n in range(29):
        make_article(
            title=f"元宇宙{n}", authors=["甲", f"乙{n}"], tags=["标签", f"t{n}"], topics=["专题"]
        )
    assert queries() == one


def test_query_terms_drop_punctuation_and_stopwords():
    assert search.query_terms("上海的 元宇宙！") == ["上海", "元宇宙"]
    assert search.query_terms("！？") == []
    assert search.query_terms("的") == ["的"]


def test_common_word_ranks_title_matches_first_among_the_newest_matches(
    client, make_article, monkeypatch
):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 5)
    now = timezone.now()
    for n in range(4):
        make_article(title=f"快讯{n}", body="<p>元宇宙</p>", published_at=now - timedelta(hours=n))
    make_article(title="元宇宙周报", body="<p>综述</p>", published_at=now - timedelta(days=1))
    make_article(title="元宇宙旧闻", body="<p>综述</p>", published_at=now - timedelta(days=30))
    make_article(title="更早的快讯", body="<p>元宇宙</p>", published_at=now - timedelta(days=31))
    response = client.get(SEARCH, {"q": "元宇宙"})
    titles = [article.title for article in response.context["articles"]]
    assert titles == ["元宇宙周报", "快讯0", "快讯1", "快讯2", "快讯3"]
    assert response.context["paginator"].count == 5


def test_capped_results_say_there_are_more(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 5)
    for n in range(7):
        make_article(title=f"元宇宙{n}")
    html = client.get(SEARCH, {"q": "元宇宙"}).content.decode()
    assert "找到 5+ 篇与“元宇宙”相关的文章，以下按相关度列出最新的 5 篇" in html
    for n in range(7):
        make_article(title=f"元宇宙 English {n}", language="en")
    html = client.get("/en" + SEARCH, {"q": "元宇宙"}).content.decode()
    assert "5+ articles found for “元宇宙”; the newest 5 are listed by relevance" in html


def test_rare_word_below_the_cap_shows_every_match_and_the_exact_count(
    client, make_article, monkeypatch
):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 5)
    for n in range(4):
        make_article(title=f"张江科学城{n}")
    for n in range(6):
        make_article(title=f"元宇宙{n}")
    response = client.get(SEARCH, {"q": "张江科学城"})
    assert len(response.context["articles"]) == 4
    assert "找到 4 篇与“张江科学城”相关的文章" in response.content.decode()
    assert not response.context["results_capped"]


def test_newest_window_gives_the_same_results_as_the_whole_table(client, make_article, monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(search, "WINDOWS", (2, 4))  # the 4 and the 8 newest articles
    now = timezone.now()
    for n in range(10):
        make_article(
            title="元宇宙速递" if n == 1 else f"快讯{n}",
            body="<p>元宇宙</p>" + ("<p>张江科学城</p>" if n >= 8 else ""),
            published_at=now - timedelta(hours=n),
        )
    assert [search.window_start(size) for size in (2, 4, 8)] == [
        Article.objects.get(title="快讯3").published_at,
        Article.objects.get(title="快讯7").published_at,
        None,
    ]
    assert found(client, "元宇宙") == ["元宇宙速递", "快讯0"]  # newest two, title first
    assert found(client, "张江科学城") == ["快讯8", "快讯9"]  # older than both windows


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_search_uses_the_stored_vector_and_its_gin_index(make_article):
    make_article(title="元宇宙")
    matching = search._matching(Article.objects.all(), ["元宇宙"])
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = matching.explain()
        cursor.execute("SET enable_seqscan = on")
    assert "article_search_vector_idx" in plan
    assert matching.count() == 1
    page_plan = search.candidates(Article.objects.published(), "元宇宙").explain()
    assert "search_vector @@" in page_plan
    assert "to_tsvector" not in page_plan  # the vector is read, never rebuilt from the text


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_stored_vector_follows_saves(make_article):
    article = make_article(title="旧标题")
    article.title = "以太坊升级"
    article.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector @@ plainto_tsquery('simple', %s) FROM articles_article"
            " WHERE id = %s",
            ["以太坊", article.pk],
        )
        assert cursor.fetchone() == (True,)


def test_saving_only_the_title_still_updates_the_search_document(client, make_article):
    article = make_article(title="旧标题")
    article.title = "比特币减半"
    article.save(update_fields=["title"])
    assert found(client, "比特币") == ["比特币减半"]


def plans_taken(monkeypatch, *plans):
    """newest_ranked() follows `plans` in turn, as if PostgreSQL's word statistics said so;
    returns the list of plan() calls' (share, after)."""
    monkeypatch.setattr(search, "word_stats", lambda: search.WordStats(10, {}, 0.5))
    chosen, calls = iter(plans), []

    def plan(stats, share, entries, *, after=0):
        calls.append((share, after))
        return next(chosen)

    monkeypatch.setattr(search, "plan", plan)
    return calls


@pytest.fixture
def ten_newest(make_article, monkeypatch):
    """MAX_CANDIDATES 2, windows of the 4 and the 8 newest articles; 10 articles mention 元宇宙,
    one in its title, the two oldest also 张江科学城."""
    monkeypatch.setattr(search, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(search, "WINDOWS", (2, 4))
    now = timezone.now()
    for n in range(10):
        make_article(
            title="元宇宙速递" if n == 1 else f"快讯{n}",
            body="<p>元宇宙</p>" + ("<p>张江科学城</p>" if n >= 8 else ""),
            published_at=now - timedelta(hours=n),
        )


@pytest.mark.parametrize(
    "plan", [("walk", None), ("table", None), ("window", 2), ("window", 4), ("database", None)]
)
def test_every_plan_finds_the_same_newest_matches(client, ten_newest, monkeypatch, plan):
    plans_taken(monkeypatch, plan)
    assert found(client, "元宇宙") == ["元宇宙速递", "快讯0"]  # newest two, title first


def test_a_window_with_too_few_matches_is_planned_again_beyond_it(client, ten_newest, monkeypatch):
    calls = plans_taken(monkeypatch, ("window", 2), ("window", 4), ("table", None))
    with CaptureQueriesContext(connection) as ctx:
        assert found(client, "张江科学城") == ["快讯8", "快讯9"]  # older than both windows
    # The 4 newest hold no match, the 8 newest none either: the share seen in each is 0.
    assert calls == [(0.5, 0), (0.0, 2), (0.0, 4)]
    searches = [q["sql"] for q in ctx.captured_queries if "LIMIT 2" in q["sql"]]
    assert len(searches) == 3


def test_window_larger_than_the_visible_articles_falls_back_to_the_table(
    client, make_article, monkeypatch
):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 2)
    monkeypatch.setattr(search, "WINDOWS", (8,))  # 16 articles: there are 3
    for n in range(3):
        make_article(title=f"元宇宙{n}", published_at=timezone.now() - timedelta(hours=n))
    plans_taken(monkeypatch, ("window", 8), ("window", 8))  # newest_ranked(), then the page
    trace = []
    search.newest_ranked("元宇宙", trace=trace)
    assert [(how, size) for how, size, _ in trace] == [("table", None)]
    assert found(client, "元宇宙") == ["元宇宙0", "元宇宙1"]


STATS = search.WordStats(rows=100_000, shares={}, unlisted=0.005)


@pytest.mark.parametrize(
    ("share", "entries", "expected"),
    [
        (0.50, 0.50, ("walk", None)),  # 元宇宙: ~2,000 rows walked
        (0.67, 1.65, ("walk", None)),  # 头显 设备: two long posting lists, walk instead
        (0.20, 0.20, ("window", 8)),  # 上海: ~1,600 matches among the newest 8,000
        (0.10, 0.10, ("window", 16)),
        (0.05, 0.05, ("window", 32)),
        (0.03, 0.03, ("table", None)),  # every match, ~3,000 rows
        (0.02, 0.30, ("table", None)),  # 上海 Web3
        (0.0, 0.01, ("table", None)),
    ],
)
def test_plan_picks_the_cheapest_way_to_the_newest_matches(monkeypatch, share, entries, expected):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 1000)
    monkeypatch.setattr(search, "WINDOWS", (4, 8, 16, 32, 64))
    assert search.plan(STATS, share, entries) == expected


def test_plan_takes_only_windows_that_should_hold_enough_matches(monkeypatch):
    monkeypatch.setattr(search, "MAX_CANDIDATES", 1000)
    monkeypatch.setattr(search, "WINDOWS", (4, 8, 16, 32, 64))
    for share in (0.01, 0.02, 0.04, 0.08, 0.15, 0.25):
        how, size = search.plan(STATS, share, share)
        if how == "window":
            assert share * size * 1000 >= search.WINDOW_MARGIN * 1000
        how, size = search.plan(STATS, share, share, after=16)
        assert how != "window" or size > 16
    small = search.WordStats(rows=10_000, shares={}, unlisted=0.005)
    assert search.plan(small, 0.05, 0.05) == ("table", None)  # no window as big as the table


def test_word_estimate_multiplies_shares_and_sums_posting_lists():
    stats = search.WordStats(rows=1000, shares={"上海": 0.2, "web3": 0.1}, unlisted=0.004)
    share, entries = stats.estimate(["上海", "web3", "治国"])
    assert share == pytest.approx(0.2 * 0.1 * 0.004)
    assert entries == pytest.approx(0.304)


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite only")
def test_sqlite_has_no_word_statistics_and_searches_in_one_query(client, corpus):
    assert search.word_stats() is None
    trace = []
    search.newest_ranked("上海", trace=trace)
    assert [(how, size) for how, size, _ in trace] == [("database", None)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_stats exists on PostgreSQL only")
def test_postgresql_word_statistics_come_from_analyze(make_article):
    for n in range(40):
        make_article(title=f"快讯{n}", body="<p>元宇宙</p>" if n % 2 else "<p>上海</p>")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    stats = search.word_stats()
    assert stats.rows == 40
    assert stats.shares["元宇宙"] == pytest.approx(0.5)
    assert stats.shares["上海"] == pytest.approx(0.5)
    assert 0 < stats.unlisted <= 0.005
    assert search.word_stats() is stats  # kept, not read again for a while


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_vector_has_no_positions_and_stays_in_the_row(make_article):
    article = make_article(title="上海 Web3", description="", body="<p>上海</p>")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM articles_article WHERE id = %s", [article.pk]
        )
        assert cursor.fetchone() == ("'web3' '上海'",)
        cursor.execute(
            "SELECT attstorage FROM pg_attribute WHERE attrelid = 'articles_article'::regclass"
            " AND attname = 'search_vector'"
        )
        assert cursor.fetchone() == ("m",)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="tsvector exists on PostgreSQL only")
def test_postgresql_walk_orders_by_the_index_other_plans_sort(make_article):
    make_article(title="元宇宙")
    visible = Article.objects.published()
    walk = str(search.candidates(visible, "元宇宙", walk=True).query)
    assert 'ORDER BY "articles_article"."published_at" DESC' in walk
    assert "interval" not in search.candidates(visible, "元宇宙", walk=True).explain()
    assert "interval" in search.candidates(visible, "元宇宙").explain()


def test_results_page_does_not_load_the_search_document(client, corpus):
    response = client.get(SEARCH, {"q": "上海"})
    (article,) = response.context["articles"]
    assert "search_document" in article.get_deferred_fields()


def test_query_terms_are_a_fresh_list_each_time():
    terms = search.query_terms("上海 元宇宙")
    terms.append("比特币")
    assert search.query_terms("上海 元宇宙") == ["上海", "元宇宙"]
    assert search.query_terms("  上海 元宇宙\x00") == ["上海", "元宇宙"]


@pytest.mark.parametrize(
    ("description", "body", "query"),
    [
        ("关于元宇宙的综述", "<p>正文也提到元宇宙</p>", "元宇宙"),
        (
            "无关的摘要",
            "<p>很长的正文。" + "无关内容。" * 60 + "张江科学城段落。</p>",
            "张江科学城",
        ),
        ("", "<p>只有<b>正文</b>提到 Web3 &amp; 上海</p>", "上海 web3"),
        ("摘要", "<p>正文</p>", "比特币"),
        ("", "", "比特币"),
    ],
)
def test_result_excerpt_is_best_excerpt_of_summary_and_body(description, body, query):
    article = Article(description=description, body=body)
    expected = highlighting.best_excerpt([description, plain_text(body)], query)
    assert highlighting.result_excerpt(article, query) == expected


SPECIALS = "他说：\"你好\" & 'x' <b>粗</b>"


@pytest.mark.parametrize("query", ["quot", "amp", "lt", "gt", "x27", "39", "b"])
def test_highlighting_never_lands_inside_an_entity(query):
    """The text's own words are matched, never the entities escaping made of its quotes,
    ampersands and angle brackets."""
    text = SPECIALS.replace("<b>", "").replace("</b>", "") if query == "b" else SPECIALS

    assert highlighting.highlight(text, query) == escape(text)


@pytest.mark.parametrize(
    ("text", "query", "expected"),
    [
        ('"quot"', "quot", "&quot;<mark>quot</mark>&quot;"),
        ("amp & amp", "amp", "<mark>amp</mark> &amp; <mark>amp</mark>"),
        ("<lt>", "lt", "&lt;<mark>lt</mark>&gt;"),
        ("a&b", "a&b", "<mark>a&amp;b</mark>"),
    ],
)
def test_highlighting_marks_the_words_and_escapes_the_pieces(text, query, expected):
    assert highlighting.highlight(text, query) == expected


def test_excerpt_highlighting_keeps_entities_whole():
    excerpt = highlighting.excerpt('他说 "quot" 与 & 的用法', "quot")

    assert excerpt == "他说 &quot;<mark>quot</mark>&quot; 与 &amp; 的用法"
