"""makemessages reads the Jinja2 templates' strings with Jinja's extractor, at their own lines,
and the Django templates' as before; every string of templates/jinja2/ has its English."""

import ast
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.core.management.commands.makemessages import Command as DjangosMakemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from jinja2.ext import babel_extract

from articles.management.commands.makemessages import KEYWORDS, extract_options

needs_gettext = pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext's xgettext is not installed (Debian: apt-get install gettext)",
)

JINJA_DIR = Path(settings.BASE_DIR) / "templates" / "jinja2"
ENGLISH_PO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"

PAGE = """\
{% extends "base.html" %}
{% block content %}
<h1>{{ _("首页") }}</h1>
<p>{{ _("第 %(n)s 页", n=page_obj.number) }}</p>
<p>{{ ngettext("约 %(minutes)s 分钟读完", "约 %(minutes)s 分钟读完（多）", minutes, minutes=minutes) }}</p>
{# Translators: 页脚的版权行 #}
<footer>{{ gettext("版权所有") }}</footer>
<nav>{{ pgettext("导航", "更多") }} {{ _("引号\\"与反斜杠\\\\") }}</nav>
<p>{{ _("第\u00a01\u00a0版") }}</p>
<p>{% trans n=total %}共 {{ n }} 条{% endtrans %}</p>
{% endblock content %}
"""

LOCKOUT = """\
{% load i18n %}
<h1>{% translate "账户已锁定" %}</h1>
<p>{% blocktranslate %}请 {{ minutes }} 分钟后再试{% endblocktranslate %}</p>
"""

DJANGO_ENGINE = {"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": []}


def po_entries(text):
    """{(msgctxt, msgid): (the entry as written, {field: its unescaped string})} of a .po."""
    entries = {}
    for block in text.split("\n\n"):
        fields, current = {}, None
        for line in block.splitlines():
            if match := re.match(r'(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line):
                current = match[1]
                fields[current] = ast.literal_eval(match[2])
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if fields.get("msgid"):
            entries[fields.get("msgctxt"), fields["msgid"]] = (block, fields)
    return entries


@pytest.fixture
def site(tmp_path, settings, monkeypatch):
    """A project tree with a Jinja2 and a Django template directory and its own locale/."""
    (tmp_path / "jinja2").mkdir()
    (tmp_path / "jinja2" / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "django").mkdir()
    (tmp_path / "django" / "lockout.html").write_text(LOCKOUT, encoding="utf-8")
    (tmp_path / "locale").mkdir()
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.jinja2.Jinja2",
            "DIRS": [tmp_path / "jinja2"],
            "OPTIONS": {"extensions": ["jinja2.ext.i18n"]},
        },
        {**DJANGO_ENGINE, "DIRS": [tmp_path / "django"]},
    ]
    monkeypatch.chdir(tmp_path)
    return tmp_path


def make_messages(site, command="makemessages"):
    call_command(command, locale=["en"], verbosity=0)
    return (site / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")


@needs_gettext
def test_jinja_strings_reach_the_po_file_at_their_template_lines(site):
    entries = po_entries(make_messages(site))
    home, _ = entries[None, "首页"]
    assert "#: jinja2/page.html:3\n" in home
    page, _ = entries[None, "第 %(n)s 页"]
    assert "#: jinja2/page.html:4\n" in page and "#, python-format" in page
    assert "#: jinja2/page.html:7\n" in entries[None, "版权所有"][0]
    assert "#: jinja2/page.html:10\n" in entries[None, "共 %(n)s 条"][0]


@needs_gettext
def test_ngettext_gives_singular_and_plural_and_pgettext_its_context(site):
    entries = po_entries(make_messages(site))
    _, plural = entries[None, "约 %(minutes)s 分钟读完"]
    assert plural["msgid_plural"] == "约 %(minutes)s 分钟读完（多）"
    more, _ = entries["导航", "更多"]
    assert "#: jinja2/page.html:8\n" in more


@needs_gettext
def test_a_translator_comment_reaches_the_translator(site):
    entries = po_entries(make_messages(site))
    assert "#. Translators: 页脚的版权行\n" in entries[None, "版权所有"][0]
    assert "#." not in entries[None, "首页"][0]


@needs_gettext
def test_quotes_backslashes_and_invisible_characters_are_kept(site):
    entries = po_entries(make_messages(site))
    assert (None, '引号"与反斜杠\\') in entries
    assert (None, "第\u00a01\u00a0版") in entries


@needs_gettext
def test_django_templates_beside_them_still_go_through_djangos_templatize(site):
    entries = po_entries(make_messages(site))
    assert "#: django/lockout.html:2\n" in entries[None, "账户已锁定"][0]
    assert "#: django/lockout.html:3\n" in entries[None, "请 %(minutes)s 分钟后再试"][0]


@needs_gettext
def test_a_jinja_template_that_does_not_parse_stops_the_run_instead_of_losing_strings(site):
    (site / "jinja2" / "broken.html").write_text('{{ _("断了") }}\n{% if %}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"jinja2/broken\.html:2"):
        make_messages(site)


@needs_gettext
def test_without_a_jinja2_engine_the_command_is_djangos(site, settings):
    settings.TEMPLATES = [{**DJANGO_ENGINE, "DIRS": [site / "django"]}]
    djangos = make_messages(site, DjangosMakemessages())
    (site / "locale" / "en" / "LC_MESSAGES" / "django.po").unlink()
    ours = make_messages(site)
    undated = re.compile(r'^"POT-Creation-Date: .*\n', re.MULTILINE)
    assert undated.sub("", ours) == undated.sub("", djangos)
    assert (None, "第 %(n)s 页") not in po_entries(ours)


def msgid_of(funcname, message):
    """(msgctxt, msgid) of what babel_extract found; msgid None when it is no literal."""
    strings = (message if isinstance(message, tuple) else (message,)) + (None, None)
    return (strings[0], strings[1]) if "pgettext" in funcname else (None, strings[0])


@pytest.mark.skipif(not JINJA_DIR.is_dir(), reason="templates/jinja2/ does not exist yet")
def test_every_string_of_the_jinja_templates_is_translated_into_english():
    engine = next(engine for engine in engines.all() if isinstance(engine, Jinja2))
    options = extract_options(engine.env)
    entries = po_entries(ENGLISH_PO.read_text(encoding="utf-8"))
    missing = []
    for path in sorted(path for path in JINJA_DIR.rglob("*") if path.is_file()):
        with path.open("rb") as template:
            for lineno, funcname, message, _ in babel_extract(template, KEYWORDS, (), options):
                context, msgid = msgid_of(funcname, message)
                block, fields = entries.get((context, msgid), ("", {}))
                translated = all(v for k, v in fields.items() if k.startswith("msgstr"))
                if msgid and (not fields or not translated or "#, fuzzy" in block):
                    missing.append(f"{path.relative_to(JINJA_DIR)}:{lineno} {msgid}")
    assert missing == []
