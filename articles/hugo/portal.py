"""Portal content in a Hugo import: a section's typed fields, channel pages, ad pages, menus.

The importer hands every page to PortalWriter.take() first: an ad page (`ads/...` with
`adtype`, portal_ads.py) or a channel page (`hidePage: true` listing the terms of one topic
taxonomy) is written here and is not an article. fill_fields() moves the front matter keys an
article's section declares (SectionField) from `extra` into `Article.fields`. finish() imports
the config's menus (portal_menus.py). docs/HUGO.md, "Portal content", has the rules.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from articles.hugo import frontmatter
from articles.hugo.digest import row_digest, state_digest
from articles.hugo.files import CONTENT_SUFFIXES, Refused, content_files, read_limited
from articles.hugo.mapping import is_topic_taxonomy
from articles.hugo.portal_ads import AdWriter, Skip
from articles.hugo.portal_menus import import_menus
from articles.hugo.site import FALLBACK_TAXONOMIES, lookup
from articles.hugo.titles import django_language
from articles.models import Article, Channel, ContentIssue, SectionField
from articles.portal.fields import coerce_value, ensure_preset_fields
from articles.text.svg import sanitize_svg

MAX_POSITION = 32767  # Channel.position is a PositiveSmallIntegerField
_LANG_FILE = re.compile(r"^(?P<stem>.+)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,8})?)$", re.IGNORECASE)


class _DryRun(Exception):
    pass


@dataclass
class NotPlaced:
    """A page that looks like a channel but cannot be one: imported as a draft, as before."""

    reason: str


class PortalWriter:
    def __init__(self, *, run):
        self.run = run
        self.site, self.report, self.dry_run = run.site, run.report, run.dry_run
        self.ads = AdWriter(run=run)
        self._declared = {}  # section pk -> {key casefolded: SectionField}
        self._hidden_sections = {}  # section folder -> every other page has hidePage: true
        self._files_by_section = None

    # The run's caches: the importer commits or rolls them back with each article's file.

    def commit(self):
        pass

    def rollback(self):
        # Fields an article's transaction created (presets) are gone with it.
        self._declared = {}

    # Typed fields

    def fill_fields(self, article, *, issues, warnings):
        """Move the keys article.section declares from article.extra into article.fields,
        each as coerce_value() makes it; a value that does not fit stays in extra, reported."""
        declared = self._fields_of(article.section) if article.section_id else {}
        values, extra = {}, {}
        for key, raw in (article.extra or {}).items():
            field = declared.get(str(key).casefold())
            if field is None or field.key in values:
                extra[key] = raw
                continue
            try:
                value = coerce_value(field, raw)
            except ValidationError as exc:
                extra[key] = raw
                message = (
                    f"front matter {key!r}: {' '.join(exc.messages)} "
                    f"(the section's field is {field.get_kind_display()}); kept in extra"
                )
                warnings.append(message)
                issues.append((ContentIssue.Kind.OTHER, message, f"{key}: {raw}"[:500]))
                continue
            if value is not None:
                values[field.key] = value
        article.fields, article.extra = values, extra

    def _fields_of(self, section):
        if section.pk not in self._declared:
            ensure_preset_fields(section)
            self._declared[section.pk] = {
                field.key.casefold(): field
                for field in SectionField.objects.filter(section=section).order_by("position")
            }
        return self._declared[section.pk]

    # Channel and ad pages

    def take(self, file, task, prepared):
        """True when the page is a channel or an ad (written, skipped or failed here); False
        when it is an article for the importer."""
        fields = prepared.fields
        if file.section.casefold() == "ads":
            meta = self._meta(task)
            if lookup(meta, "adtype") in (None, "", []):
                return False
            # Imported or not, its old URL leads to the home page (RedirectWriter.finish).
            self.run.redirects.data_pages.append((file, meta))
            return self._write(
                file, self.report.ads, lambda warnings: self.ads.write(file, meta, fields, warnings)
            )
        if not (_true(lookup(fields.extra, "hidePage")) or self._section_hidden(file)):
            return False
        meta = self._meta(task)
        placed = self._channel_terms(meta)
        if isinstance(placed, NotPlaced):
            self.report.warn(file.rel, f"not a channel: {placed.reason}; imported as a page")
            return False
        return self._write(
            file,
            self.report.channels,
            lambda warnings: self._channel(file, meta, fields, placed, warnings),
        )

    def _meta(self, task):
        # Already parsed once by the worker; read again for the keys mapping leaves elsewhere.
        return frontmatter.split(frontmatter.decode(task.raw)).meta

    def _write(self, file, written, write):
        warnings = []
        try:
            with transaction.atomic():
                outcome = write(warnings)
                if self.dry_run:
                    raise _DryRun
        except _DryRun:
            self._caches("dry run")
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the run
            self._caches("rollback")
            self.report.failed.append({"file": file.rel, "error": f"{type(exc).__name__}: {exc}"})
            return True
        else:
            self._caches("commit")
        for message in warnings:
            self.report.warn(file.rel, message)
        if isinstance(outcome, Skip):
            self.report.skip(file.rel, outcome.reason)
            return True
        if outcome != "unchanged":
            written.append(file.rel)
        if not self.dry_run:
            self._retire_article(file)
        return True

    def _caches(self, action):
        """As the importer does with an article's file: its caches (sections, topics, their
        vocabularies, this writer) forget what a rolled-back file made; a dry run keeps what
        it would have redirected, to count as the real run does."""
        if action == "commit":
            for cache in self.run._caches:
                cache.commit()
        else:
            self.run._rollback(keep_redirects=action == "dry run")

    def _retire_article(self, file):
        """A page an earlier import made a draft article is a channel or an ad now: that
        draft goes, unless an editor changed it since (then it stays, reported)."""
        pk, stored = self.run.known.get(file.rel, (None, ""))
        article = Article.objects.filter(pk=pk).first() if pk else None
        if article is None:
            return
        if state_digest(article) != stored[32:] and not self.run.overwrite:
            self.report.warn(
                file.rel,
                "the article an earlier import made of this page was changed in the admin; "
                "left alone (delete it, or use --overwrite)",
            )
            return
        article.delete()
        del self.run.known[file.rel]

    def _section_hidden(self, file):
        """True when every other page of the file's section folder has hidePage: true, or
        the folder's _index cascades it. Reads the folder once, and stops at the first page
        that is shown."""
        if not file.section:
            return False
        if file.section not in self._hidden_sections:
            if self._files_by_section is None:
                self._files_by_section = {}
                for other in content_files(self.site):
                    if other.lang in (None, self.site.default_language):
                        self._files_by_section.setdefault(other.section, []).append(other)
            self._hidden_sections[file.section] = self._all_hidden(
                self._files_by_section.get(file.section, []), own=file.rel
            )
        return self._hidden_sections[file.section]

    def _all_hidden(self, files, *, own):
        seen = 0
        for other in files:
            if other.rel == own:
                continue
            try:
                meta = frontmatter.split(
                    frontmatter.decode(other.read(max_bytes=self.run.max_file_bytes))
                ).meta
            except (Refused, frontmatter.FrontMatterError):
                return False
            if other.is_branch_index:
                if _cascades_hide(lookup(meta, "cascade")):
                    return True
                continue
            if not _true(lookup(meta, "hidePage")):
                return False
            seen += 1
        return seen > 0

    def _channel_terms(self, meta):
        """-> (taxonomy, [terms]) or NotPlaced with the reason."""
        groups = {}
        for plural in _topic_taxonomies(self.site):
            terms = _terms(lookup(meta, plural))
            if terms:
                groups[plural] = terms
        if not groups:
            return NotPlaced("it lists no terms of a topic taxonomy")
        if len(groups) > 1:
            return NotPlaced(
                f"it lists terms of {len(groups)} taxonomies ({', '.join(sorted(groups))}); "
                "a channel groups the terms of one"
            )
        if not (str(lookup(meta, "ico") or "").strip() or str(meta.get("title") or "").strip()):
            return NotPlaced("it has neither an ico nor a title")
        return next(iter(groups.items()))

    def _channel(self, file, meta, fields, placed, warnings):
        plural, terms = placed
        # The section whose Hugo category term is the taxonomy's name (news, games ...).
        section = self.run.sections.get(plural)
        channel = Channel.objects.filter(source_path=file.rel).first()
        is_new = channel is None
        channel = channel or Channel(source_path=file.rel)
        before = None if is_new else _channel_state(channel, channel.topics.all())
        edited = channel.source_digest and row_digest(before) != channel.source_digest
        if not is_new and edited and not self.run.overwrite:
            return Skip(
                "channel changed in the admin since the last import; left alone "
                "(use --overwrite to replace the editor's changes)"
            )
        channel.section = section
        channel.title = fields.title[:100]
        channel.position = _position(fields.weight, warnings)
        try:
            channel.icon_svg = sanitize_svg(str(lookup(meta, "ico") or "").strip())
        except ValueError as exc:  # over the SVG size bound
            warnings.append(f"ico not kept: {exc}")
            channel.icon_svg = ""
        translations = {lang: dict(v) for lang, v in (channel.translations or {}).items()}
        for language, title in self._other_titles(file, warnings):
            translations.setdefault(language, {})["title"] = title[:100]
        channel.translations = translations
        topics = list(
            {t.pk: t for t in (self.run.topics.get_in(plural, t) for t in terms)}.values()
        )
        after = _channel_state(channel, topics)
        if before is not None and before == after and channel.source_digest:
            return "unchanged"
        channel.source_digest = row_digest(after)
        channel.save()
        channel.topics.set(topics)
        return "created" if is_new else "updated"

    def _other_titles(self, file, warnings):
        """(language, title) from the page's copies in other languages (index.en.md)."""
        suffix = file.path.suffix
        for sibling in sorted(file.path.parent.iterdir()):
            if sibling == file.path or sibling.suffix.lower() not in CONTENT_SUFFIXES:
                continue
            match = _LANG_FILE.match(sibling.name[: -len(sibling.suffix)])
            if not match or match["stem"] != file.stem or sibling.suffix != suffix:
                continue
            hugo_language = match["lang"].lower()
            language = django_language(hugo_language)
            if hugo_language == self.site.default_language or language == settings.LANGUAGE_CODE:
                continue
            if language not in dict(settings.LANGUAGES):
                warnings.append(f"{sibling.name}: language {hugo_language!r} is not the site's")
                continue
            try:
                raw = read_limited(sibling, root=self.site.root, max_bytes=self.run.max_file_bytes)
                title = str(frontmatter.split(frontmatter.decode(raw)).meta.get("title") or "")
            except (Refused, frontmatter.FrontMatterError) as exc:
                warnings.append(f"{sibling.name}: unreadable, its title not kept: {exc}")
                continue
            if title.strip():
                yield language, title.strip()

    # The config

    def finish(self, *, menus):
        """After the pages: the config's menus (not for an import of some sections only)."""
        if menus:
            self.report.menu_items += import_menus(
                site=self.site,
                report=self.report,
                dry_run=self.dry_run,
                overwrite=self.run.overwrite,
            )


def _channel_state(channel, topics):
    return (
        channel.section_id,
        channel.title,
        channel.position,
        channel.icon_svg,
        channel.translations,
        sorted(topic.pk for topic in topics),
    )


def _topic_taxonomies(site):
    """Every declared topic taxonomy, also those the import found only data pages use."""
    declared = site.setting("taxonomies") if site.config_files else None
    if not isinstance(declared, dict):
        declared = FALLBACK_TAXONOMIES
    found = [str(p) for s, p in declared.items() if p and is_topic_taxonomy(str(p), str(s))]
    return list(dict.fromkeys([*site.topic_taxonomies, *found]))


def _position(weight, warnings):
    if weight is None:
        return 0
    if not 0 <= weight <= MAX_POSITION:
        warnings.append(f"weight {weight} out of range; position set to 0..{MAX_POSITION}")
    return max(0, min(weight, MAX_POSITION))


def _true(value):
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "on", "1"}
    return value is True or value == 1


def _terms(value):
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    terms = []
    for item in value:
        term = str(item).strip()[:100] if item is not None else ""
        if term and term.casefold() not in {t.casefold() for t in terms}:
            terms.append(term)
    return terms


def _cascades_hide(cascade):
    """Hugo's `cascade:` (a map, or a list of maps) in an _index page setting hidePage."""
    items = cascade if isinstance(cascade, list) else [cascade]
    return any(isinstance(item, dict) and _true(lookup(item, "hidePage")) for item in items)
