"""python manage.py makemessages, which also reads the Jinja2 templates (templates/jinja2/).

Django's command reads every template as Django's template language, so it would miss most of
{{ _("...", n=...) }} and ngettext() there, and `--no-obsolete` would then drop their
translations from the .po files. Files under a Jinja2 engine's directories (settings.TEMPLATES)
go through Jinja's own extractor instead; every other file goes through Django's, unchanged.
"""

from collections import defaultdict
from pathlib import Path

from django.core.management.base import CommandError
from django.core.management.commands import makemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.utils.functional import cached_property
from jinja2 import TemplateSyntaxError
from jinja2.ext import babel_extract

# The translation functions of Jinja's i18n extension, by the name xgettext knows them under.
KEYWORDS = {
    "_": "gettext",
    "gettext": "gettext",
    "ngettext": "ngettext",
    "pgettext": "pgettext",
    "npgettext": "npgettext",
}
COMMENT_TAGS = ("Translators:",)
# The Environment settings that change what a template parses to, hence its msgids.
SYNTAX = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
)


def extract_options(env):
    """babel_extract's options for an engine's environment, so its msgids are the rendered ones
    (newstyle gettext writes a literal % of {% trans %} as %%)."""
    options = {name: str(getattr(env, name)) for name in SYNTAX if getattr(env, name) is not None}
    return options | {
        "extensions": ",".join(env.extensions),
        "newstyle_gettext": str(getattr(env, "newstyle_gettext", False)),
        "trimmed": str(env.policies.get("ext.i18n.trimmed", False)),
        # A template Jinja cannot parse stops the run instead of losing its translations.
        "silent": "false",
    }


def python_call(funcname, message):
    """The call as Python source; u'' so xgettext reads repr()'s \\u escapes as characters."""
    args = message if isinstance(message, tuple) else (message,)
    literals = ("None" if arg is None else "u" + repr(arg) for arg in args)
    return f"{KEYWORDS[funcname]}({', '.join(literals)})"


def python_source(found):
    """Each call on its template line, so the .po's `#:` lines point into the template. A
    translator comment ends the line before its call, where xgettext looks for it."""
    calls, comments = defaultdict(list), {}
    for lineno, funcname, message, notes in found:
        calls[lineno].append(python_call(funcname, message))
        if notes:
            comments[lineno - 1] = " ".join(" ".join(notes).split())
    lines = []
    for lineno in range(1, max(calls, default=0) + 1):
        comment = f"  # Translators: {comments[lineno]}" if lineno in comments else ""
        lines.append("; ".join(calls[lineno]) + comment)
    return "\n".join(lines) + "\n"


class BuildFile(makemessages.BuildFile):
    @cached_property
    def jinja_options(self):
        """babel_extract's options when this is a Jinja2 template, else None."""
        if not self.is_templatized:
            return None
        path = Path(self.path).resolve()
        for directory, options in self.command.jinja_dirs.items():
            if path.is_relative_to(directory):
                return options
        return None

    def preprocess(self):
        if self.jinja_options is None:
            return super().preprocess()
        with open(self.path, "rb") as template:
            try:
                found = list(babel_extract(template, KEYWORDS, COMMENT_TAGS, self.jinja_options))
            except TemplateSyntaxError as error:
                raise CommandError(f"{self.path}:{error.lineno}: {error.message}") from error
        with open(self.work_path, "w", encoding="utf-8") as work_file:
            work_file.write(python_source(found))


class Command(makemessages.Command):
    build_file_class = BuildFile

    @cached_property
    def jinja_dirs(self):
        """{template directory: babel_extract options} of every Jinja2 engine."""
        if not self.settings_available:
            return {}
        return {
            Path(directory).resolve(): extract_options(engine.env)
            for engine in engines.all()
            if isinstance(engine, Jinja2)
            for directory in engine.template_dirs
        }
