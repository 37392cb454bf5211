"""Property tests (hypothesis): the parsers of hostile input never crash with anything but their
own error, and what they give back is safe."""

import datetime as dt
import re
import string

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from articles.hugo import frontmatter
from articles.hugo.dates import parse_date
from articles.text.sanitize import sanitize_html
from articles.text.slugs import pinyin_slug

from .xss_payloads import PAYLOADS, executable_markup

pytestmark = pytest.mark.once  # parsers and the sanitiser, no database: make test only
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLUG = re.compile(r"^[a-z0-9_]+(?:-+[a-z0-9_]+)*$")  # what SlugField accepts, ASCII

# -- the sanitiser ------------------------------------------------------------------------

TAGS = [
    "p",
    "a",
    "img",
    "script",
    "svg",
    "math",
    "iframe",
    "style",
    "div",
    "span",
    "table",
    "td",
    "form",
    "input",
    "textarea",
    "noscript",
    "template",
    "object",
    "embed",
    "base",
    "title",
    "xmp",
    "details",
    "video",
    "source",
    "mglyph",
    "mtext",
    "select",
    "option",
]
ATTRS = [
    "href",
    "src",
    "onerror",
    "onload",
    "style",
    "srcdoc",
    "xlink:href",
    "formaction",
    "action",
    "class",
    "id",
    "title",
    "data",
    "srcset",
    "alt",
    "OnClIcK",
    "background",
]
VALUES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "&#106;avascript:alert(1)",
    "java\tscript:alert(1)",
    " javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "x",
    "https://ok.example/",
    "alert(1)",
    '"><script>alert(1)</script>',
    "expression(alert(1))",
    "</textarea><img src=x onerror=alert(1)>",
]


@st.composite
def attribute(draw):
    quote = draw(st.sampled_from(['"', "'", ""]))
    value = draw(st.sampled_from(VALUES) | st.text(max_size=20))
    if not quote:
        value = value.replace(" ", "").replace(">", "")
    return f" {draw(st.sampled_from(ATTRS))}={quote}{value}{quote}"


html_fragments = st.recursive(
    st.sampled_from(PAYLOADS) | st.text(max_size=30),
    lambda inner: st.builds(
        lambda tag, attrs, children, close: (
            f"<{tag}{''.join(attrs)}>{''.join(children)}" + (f"</{tag}>" if close else "")
        ),
        st.sampled_from(TAGS),
        st.lists(attribute(), max_size=3),
        st.lists(inner, max_size=3),
        st.booleans(),
    ),
    max_leaves=12,
)


@FUZZ
@given(html_fragments)
@example('<img srcset="java\tscript:alert(1)">')  # found by CI's run: a tab split the URL
def test_sanitiser_output_is_never_executable_and_stable(html):
    cleaned = sanitize_html(html)
    assert executable_markup(cleaned) == [], cleaned
    assert sanitize_html(cleaned) == cleaned


@FUZZ
@given(st.text())
def test_sanitiser_takes_any_text(text):
    cleaned = sanitize_html(text)
    assert isinstance(cleaned, str)
    assert executable_markup(cleaned) == []


# -- slugs --------------------------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
title_text = st.text(
    alphabet=st.one_of(
        CJK, st.sampled_from(string.printable + "，。：；！？、—“”《》·ü"), st.characters()
    ),
    max_size=200,
)


@FUZZ
@given(title_text, st.integers(min_value=8, max_value=120))
@example("上海在元宇宙赛道率先起跑，“张江元宇宙创新发展联盟”启动", 80)
@example("", 80)
@example("！！！", 10)
@example("\u0000\u202e", 10)
def test_slug_is_never_empty_always_ascii_and_within_its_length(text, max_length):
    slug = pinyin_slug(text, max_length=max_length)
    assert slug
    assert SLUG.match(slug), slug
    assert len(slug) <= max_length


# -- front matter -------------------------------------------------------------------------

yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30) | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)


def _is_page(result):
    return isinstance(result, frontmatter.Page) and isinstance(result.meta, dict)


@FUZZ
@given(st.text(max_size=400))
def test_front_matter_split_of_any_text_gives_a_page_or_its_own_error(text):
    for candidate in (text, "---\n" + text, "+++\n" + text, "{" + text, "---\n" + text + "\n---\n"):
        try:
            assert _is_page(frontmatter.split(candidate))
        except frontmatter.FrontMatterError:
            pass


@FUZZ
@given(
    st.dictionaries(st.text(min_size=1, max_size=10), yaml_values, max_size=6),
    st.text(max_size=100),
)
def test_front_matter_round_trips_what_yaml_wrote(meta, body):
    text = frontmatter.dump_yaml(meta) + "\n" + body
    page = frontmatter.split(text)
    assert page.format == "yaml"
    assert page.meta == yaml.safe_load(yaml.safe_dump(meta, allow_unicode=True))


@FUZZ
@given(st.binary(max_size=300))
def test_front_matter_decode_of_any_bytes(raw):
    try:
        text = frontmatter.decode(raw)
    except frontmatter.FrontMatterError:
        return
    assert "\r" not in text


@pytest.mark.parametrize(
    "hostile",
    [
        "{" * 100_000,
        "---\n" + "[" * 100_000 + "\n---\n",
        "---\n" + "a: &a [" + ",".join(["*a"] * 10) + "]\n---\n",
        "+++\n" + "a = " + "[" * 100_000 + "\n+++\n",
        "---\n!!python/object/apply:os.system ['echo pwned']\n---\n",
        "---\nkey: !!binary AAAA\n---\n",
    ],
    ids=["json-deep", "yaml-deep", "yaml-alias", "toml-deep", "yaml-python-tag", "yaml-binary"],
)
def test_front_matter_refuses_hostile_documents_with_its_own_error(hostile):
    try:
        page = frontmatter.split(hostile)
    except frontmatter.FrontMatterError:
        return
    assert _is_page(page)


# -- dates --------------------------------------------------------------------------------

date_like = st.from_regex(
    r"\A\s?\d{1,5}-\d{1,3}-\d{1,3}([T ]\d{1,3}:\d{1,3}(:\d{1,3}([.,]\d{1,12})?)?\s?(Z|z|[+-]\d{1,4}(:\d{1,3})?)?)?\s?\Z"
)


@FUZZ
@given(
    st.one_of(
        date_like, st.text(max_size=40), st.integers(), st.floats(), st.dates(), st.datetimes()
    )
)
@example("2022-07-28T10:00:00+0800")
@example("2022-7-8 9:05")
@example("2022-02-30")
@example("2022-01-01T00:00:00+99:00")
@example("9999-12-31T23:59:59-23:59")
@example("0000-01-01")
def test_date_parsing_gives_an_aware_datetime_none_or_value_error(value):
    try:
        result = parse_date(value)
    except ValueError:
        return
    assert result is None or (isinstance(result, dt.datetime) and result.tzinfo is not None)
