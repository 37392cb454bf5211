import pytest

from articles.models import Article
from articles.text.sanitize import sanitize_html


@pytest.mark.parametrize(
    ("dirty", "forbidden"),
    [
        ("<p>hi<script>alert(1)</script></p>", "<script"),
        ('<img src="/a.png" onerror="alert(1)">', "onerror"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data:"),
        ('<iframe src="https://evil.example/steal"></iframe>', "evil.example"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
        ("<style>body{display:none}</style><p>x</p>", "display:none"),
        ('<a href="//evil.example/">x</a>', "evil.example"),
        ('<form action="/x"><input name="q"></form>', "<form"),
        ('<object data="x.swf"></object>', "<object"),
    ],
)
def test_dangerous_markup_is_removed(dirty, forbidden):
    assert forbidden.lower() not in sanitize_html(dirty).lower()


@pytest.mark.parametrize(
    "safe",
    [
        "<h2>小标题</h2>",
        "<ul><li>一</li></ul>",
        "<ol><li>二</li></ol>",
        '<a href="https://example.com/">链接</a>',
        "<blockquote>引用</blockquote>",
        "<table><thead><tr><th>表头</th></tr></thead><tbody><tr><td>单元格</td></tr></tbody></table>",
        '<figure><img src="/media/a.jpg" alt="图"><figcaption>图说</figcaption></figure>',
        "<pre><code>print(1)</code></pre>",
        "<p><strong>粗</strong><em>斜</em></p>",
    ],
)
def test_safe_markup_is_kept(safe):
    cleaned = sanitize_html(safe)
    for tag in ("h2", "li", "a", "blockquote", "th", "td", "figure", "img", "figcaption", "code"):
        if f"<{tag}" in safe:
            assert f"<{tag}" in cleaned


def test_iframe_from_an_allowed_host_is_kept(settings):
    settings.SANITIZER_IFRAME_HOSTS = ["player.bilibili.com"]

    cleaned = sanitize_html(
        '<iframe src="https://player.bilibili.com/player.html?bvid=1"></iframe>'
    )

    assert 'src="https://player.bilibili.com/player.html?bvid=1"' in cleaned


def test_body_is_sanitised_on_every_save(db):
    article = Article.objects.create(
        title="t", body='<p onclick="x()">正文</p><script>bad()</script>'
    )
    article.body += "<script>again()</script>"
    article.save()

    article.refresh_from_db()
    assert article.body == "<p>正文</p>"


@pytest.mark.parametrize(
    "dirty", ["<P><OBJECT><P>", "<p><embed><p>x</p></p>", "<table><p><td>1</td></p>"]
)
def test_sanitised_html_is_a_fixed_point(dirty):
    cleaned = sanitize_html(dirty)

    assert sanitize_html(cleaned) == cleaned
