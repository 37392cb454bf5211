"""Old Hugo URLs -> new ones, as django.contrib.redirects rows (301s)."""

from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.db import transaction
from django.urls import reverse
from django.utils.translation import get_language

from articles.hugo.files import content_files
from articles.hugo.list_pages import ListPages
from articles.hugo.old_paths import alias_paths, list_page_claims, unkept_language_pages
from articles.hugo.permalinks import (
    alias_path,
    language_prefix,
    page_permalink,
    request_path,
    term_permalink,
    urlize,
)
from articles.hugo.rows import article_url, insert_rows
from articles.hugo.site import lookup
from articles.hugo.titles import django_language
from articles.hugo.translations import language_reason
from articles.hugo.vocabularies import CATEGORIES
from articles.models import Article, Channel

MAX_OLD_PATH = Redirect._meta.get_field("old_path").max_length


class RedirectWriter:
    def __init__(self, *, site):
        self.site = site
        self.site_id = settings.SITE_ID
        self._done = set()  # taxonomy pages already written this run
        self._new = []
        self._count = 0
        # old path -> new path of every redirect of the site, so an article costs no lookup;
        # what this file's transaction wrote waits in _pending until it commits.
        self._existing = dict(
            Redirect.objects.filter(site_id=self.site_id).values_list("old_path", "new_path")
        )
        self._pending = {}
        self._urls = {}  # (model, pk, slug, language) -> URL; (taxonomy, term) -> old page
        self.lists = ListPages(site=site)
        self._sections = None  # the run's section cache, from the first article
        # The ad pages of the default language (file, front matter), which PortalWriter
        # takes: their old URLs lead to the home page, where ads show.
        self.data_pages = []

    def for_article(
        self, article, *, file, fields, sections, topics, tags, warnings, authors, link=None
    ):
        """link: a translation's (translations.Link), whose old URLs lead to its group's
        default-language article until readers have pages in its language (docs/HUGO.md)."""
        if link is not None:
            self._for_translation(article, file=file, fields=fields, warnings=warnings)
            self._translation_terms(file, fields, tags=tags, warnings=warnings)
            return
        new_url = article_url(article)
        permalink = page_permalink(
            site=self.site,
            file=file,
            meta={"title": fields.title, "slug": fields.slug, "url": fields.url},
            published_at=fields.published_at,
        )
        pairs = [(permalink, new_url)]
        for alias in fields.aliases:
            pairs += [(old, new_url) for old in alias_paths(alias, permalink=permalink)]
        terms = [("tags", name, tags) for name in fields.tags]
        if fields.section:
            terms.append((CATEGORIES, fields.section, sections))
        for plural, term in fields.topics:
            # A further category that is some page's section leads to the section.
            is_section = plural == CATEGORIES and term.casefold() in sections.by_key
            terms.append((plural, term, sections if is_section else topics))
        if self.site.author_taxonomy:  # /authors/<name>/ was the author's page
            terms += [(self.site.author_taxonomy, name, authors) for name in fields.authors]
        article_id = article.pk if article.status == Article.Status.PUBLISHED else None
        self._sections = sections
        language = get_language()
        section_url = self._url(sections.get(fields.section), language) if fields.section else ""
        self.lists.add_page(file=file, section_url=section_url, article_id=article_id)
        for taxonomy, term, cache in terms:
            old = self._term_permalink(taxonomy, term)
            new = self._url(cache.get(term), language)
            self.lists.add_term(taxonomy=taxonomy, old=old, new=new, article_id=article_id)
            if old not in self._done:
                pairs += [(old, new), *self._in_other_languages([(old, new)])]
                self._done.add(old)
                self._new.append(old)
        self._write(pairs, warnings)

    def _for_translation(self, article, *, file, fields, warnings):
        """A translation's old URL and aliases lead to its own page (/en/articles/...), and its
        language's home page to that language's."""
        new_url = article.get_absolute_url()
        pairs = [(f"{language_prefix(self.site, file.lang)}/", self._in(file.lang, "/"))]
        permalink = page_permalink(
            site=self.site,
            file=file,
            meta={"title": fields.title, "slug": fields.slug, "url": fields.url},
            published_at=fields.published_at,
            language=file.lang,
        )
        pairs.append((permalink, new_url))
        for alias in fields.aliases:
            pairs.append((alias_path(alias, permalink=permalink), new_url))
        self._write(pairs, warnings)

    def _url(self, row, language):
        """A section's, topic's, tag's or author's page, reversed once a run."""
        key = (type(row), row.pk, row.slug, language)
        if key not in self._urls:
            self._urls[key] = row.get_absolute_url()
        return self._urls[key]

    def _term_permalink(self, taxonomy, term):
        key = (taxonomy, term)
        if key not in self._urls:
            self._urls[key] = term_permalink(site=self.site, taxonomy=taxonomy, term=term)
        return self._urls[key]

    @staticmethod
    def _in(hugo_language, url):
        """A page's URL in the newsroom's version of a Hugo language: /en/tags/x/ for /tags/x/;
        unchanged for the site's own language or one the newsroom does not have."""
        code = django_language(hugo_language)
        known = {language for language, _name in settings.LANGUAGES}
        if code == settings.LANGUAGE_CODE or code not in known or not url.startswith("/"):
            return url
        return f"/{code}{url}"

    def _translation_terms(self, file, fields, *, tags, warnings):
        """A translation's own tags (`/en/tags/<term>/`, often words only that language uses)
        lead to the tag's page, as the default language's term pages do."""
        prefix, default = language_prefix(self.site, file.lang), self.site.language_prefix
        pairs = []
        for name in fields.tags:
            old = term_permalink(site=self.site, taxonomy="tags", term=name)
            translated = prefix + old[len(default) :]
            if old.startswith(default + "/") and translated not in self._done:
                new = self._in(file.lang, tags.get(name).get_absolute_url())
                pairs.append((translated, new))
                self.lists.add_term(taxonomy="tags", old=translated, new=new)  # its page/N/
                self._done.add(translated)
                self._new.append(translated)
        self._write(pairs, warnings)

    def finish(self, *, report, dry_run, topics, unkept=()):
        """After the last file: every declared vocabulary exists; the term pages of terms
        only channels used, the channel pages themselves (to their section), the data pages
        (_data_pages), the pages in languages the newsroom does not keep (_unkept_pages) and
        the site's list pages (home, sections, taxonomies, terms, each with its page/N/)
        redirect.
        A dry run writes nothing and counts what the real run would write."""
        vocabularies = topics.vocabularies
        targets = {
            "tags": reverse("articles:tag-index"),
            CATEGORIES: reverse("articles:section-index"),
        }
        if self.site.author_taxonomy:
            targets[self.site.author_taxonomy] = reverse("articles:author-index")
        warnings = []
        with transaction.atomic():
            for plural in self.site.topic_taxonomies:
                key = vocabularies.get(plural).key
                targets[plural] = reverse("articles:vocabulary-detail", kwargs={"key": key})
            pairs = self._channel_pages(written=report.channels, dry_run=dry_run)
            pairs += self._data_pages(self.data_pages)
            for (taxonomy, term), topic in topics.used.items():  # channels' terms too
                old = term_permalink(site=self.site, taxonomy=taxonomy, term=term)
                new = topic.get_absolute_url()
                section = self._sections and self._sections.by_key.get(term.casefold())
                if taxonomy == CATEGORIES and section:
                    # A further category that some page has first, whichever came first.
                    new = section.get_absolute_url()
                    pairs.append((old, new))
                    if old in self.lists.terms:
                        self.lists.terms[old][1] = new
                elif old not in self._done:
                    pairs.append((old, new))
                if old not in self.lists.terms:
                    self.lists.add_term(taxonomy=taxonomy, old=old, new=new)
            self.lists.commit()
            pairs += self.lists.pairs(taxonomy_targets=targets, taxonomies=self._taxonomies())
            pairs += list_page_claims(self, dict(pairs), targets)
            mirrored = self._in_other_languages(pairs)
            # Languages only pages the newsroom does not keep are in: every list page, the
            # term pages the articles wrote too, leads where its default-language twin does.
            languages = {file.lang for file in content_files(self.site) if file.lang}
            unkept_languages = {
                language
                for language in languages | self.site.languages
                if language != self.site.default_language and language_reason(language)[1]
            }
            terms = [(old, entry[1]) for old, entry in self.lists.terms.items()]
            mirrored += self._in_other_languages(
                pairs + terms, languages=unkept_languages - self.site.languages
            )
            pairs += mirrored
            self._write(pairs, warnings)  # the articles' terms first, where they exist
            pairs = unkept_language_pages(self, unkept, targets=targets, languages=unkept_languages)
            self._write(pairs, warnings)
            if dry_run:
                transaction.set_rollback(True)
        report.redirects += self.take_count()
        for message in warnings:
            report.warn(self.site.config_name, message)
        if dry_run:
            vocabularies.rollback()
            self.rollback()
        else:
            vocabularies.commit()
            self.commit()

    def _in_other_languages(self, pairs, *, languages=None):
        """The same list pages in the site's other languages (`/en/tags/x/`, `/en/news/page/2/`)
        lead where their default-language twins do, until the newsroom serves those languages
        itself (see docs/HUGO.md, "Translations"). languages: these, not the config's."""
        default = self.site.language_prefix
        prefixes = {
            language_prefix(self.site, language): language
            for language in (self.site.languages if languages is None else languages)
            if language != self.site.default_language
        }
        prefixes.pop(default, None)
        return [
            (prefix + old[len(default) :], self._in(language, new))
            for old, new in pairs
            if old
            and old.startswith(default + "/")
            and not any(old.startswith(other + "/") for other in prefixes)  # one of theirs
            for prefix, language in sorted(prefixes.items())
        ]

    def _taxonomies(self):
        names = set(self.site.taxonomies) | set(self.site.noise_taxonomies)
        return names | ({self.site.author_taxonomy} if self.site.author_taxonomy else set())

    def _data_pages(self, data_pages):
        """What the old site served for its theme rather than for readers: the ad pages
        (data_pages: (file, front matter)), their section's list, and the taxonomies only data
        pages use (adtype, adshow) with their terms. Their URLs lead to the home page, where
        the ads show now."""
        home = reverse("articles:home")
        pairs = []
        for file, meta in data_pages:
            keys = {key: lookup(meta, key) for key in ("title", "slug", "url")}
            permalink = page_permalink(site=self.site, file=file, meta=keys, published_at=None)
            pairs.append((permalink, home))
            self.lists.add_page(file=file, section_url=home)
        size = settings.NEWSROOM["PAGE_SIZE"]
        for plural, terms in sorted(self.site.noise_terms.items()):
            old = f"{self.site.language_prefix}/{urlize(plural, lower=self.site.lower_paths)}/"
            pairs += self.lists.paged(old, len(terms), home, size=size)
            for term, pages in terms.items():
                old = term_permalink(site=self.site, taxonomy=plural, term=term)
                pairs += self.lists.paged(old, pages, home, size=size)
        return pairs

    def _channel_pages(self, *, written, dry_run):
        """A channel's page (pNews/1/ ...) was a page of the old site: it leads to the
        channel's section, and its folder's list page too. A dry run wrote no channel: the
        ones it would write count, led to the home page."""
        channels = {
            c.source_path: (c.title, c.section.get_absolute_url())
            for c in Channel.objects.exclude(source_path="").select_related("section")
            if c.section
        }
        if dry_run:
            for rel in written:
                channels.setdefault(rel, ("", reverse("articles:home")))
        files = {f.rel: f for f in content_files(self.site)} if channels else {}
        pairs = []
        for rel, (title, new) in channels.items():
            file = files.get(rel)
            if file is None:
                continue
            meta = {"title": title}
            pairs.append(
                (page_permalink(site=self.site, file=file, meta=meta, published_at=None), new)
            )
            self.lists.add_page(file=file, section_url=new)
        return pairs

    def _write(self, pairs, warnings):
        wanted = {}
        for old, new in pairs:
            if not old:
                continue
            old = request_path(old)
            if old == new:
                continue
            if len(old) > MAX_OLD_PATH:
                warnings.append(
                    f"old URL too long for a redirect ({len(old)} characters): {old[:80]}…"
                )
                continue
            wanted[old] = new
        current = {old: self.current(old) for old in wanted}
        changed = [old for old, new in wanted.items() if current[old] not in (None, new)]
        for old in changed:
            Redirect.objects.filter(site_id=self.site_id, old_path=old).update(new_path=wanted[old])
        added = [old for old in wanted if current[old] is None]
        insert_rows(  # as bulk_create() would, without a model instance a row
            Redirect._meta.db_table,
            ["site_id", "old_path", "new_path"],
            [(self.site_id, old, wanted[old]) for old in added],
        )
        self._pending.update((old, wanted[old]) for old in [*changed, *added])
        self._count += len(changed) + len(added)

    def current(self, old):
        return self._pending.get(old, self._existing.get(old))

    def take_count(self):
        count, self._count = self._count, 0
        return count

    def commit(self):
        self._new = []
        self._existing.update(self._pending)
        self._pending = {}
        self.lists.commit()

    def rollback(self):
        self._done.difference_update(self._new)
        self._new = []
        self._count = 0
        self._pending = {}
        self.lists.rollback()
